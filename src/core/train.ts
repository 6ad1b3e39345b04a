/**
 * Gradient descent as in the notes: forward run, cost, backward run, θ := θ − α·dθ, repeated.
 * Full batch (all m examples per step, the notes' batch gradient descent) unless a batch size is
 * given; then every epoch visits the examples in a new order drawn from (seed, epoch).
 */
import type { EpochPoint, Metrics, StopReason } from './types';
import { type DType, EngineCapacityError, FastEngine, keptEngine } from './fast/engine';
import { type Divergence, EpochTally, Fallback, costDivergence, epochDivergence, validationFigures } from './epoch';
import { type Matrix, gatherColumns } from './matrix';
import { computeMetrics, scoresOf } from './metrics';
import { type ForwardCache, type Gradients, type Parameters, backward, computeCostFromLogits, forward, updateParameters } from './network';
import { epochRng, shuffledIndices } from './rng';

export interface TrainOptions {
  learningRate: number;
  /** How many epochs this call runs. */
  epochs: number;
  /** null: full batch. A size ≥ m is also full batch. */
  batchSize: number | null;
  /** Picks the mini-batch order; the initial parameters come from initParameters(…, seed). */
  seed: number;
  validation?: { X: Matrix; Y: Matrix } | null;
  /** Called after every completed epoch. */
  onEpoch?: (point: EpochPoint) => void;
  /** Asked before every epoch; true ends the run with reason 'cancelled'. */
  shouldStop?: () => boolean;
  /** Epochs already done before this call (to continue a run): numbering goes on from here. */
  startEpoch?: number;
  /**
   * J of the run's initial parameters on the training data (in full-batch mode: the first epoch's
   * cost), when this call continues a run; every epoch's cost is compared with it to detect an
   * explosion. Default: J of the parameters this call starts from.
   */
  firstCost?: number;
  /**
   * 'fast' (the default): the same steps computed by the fast engine (src/core/fast/) in
   * WebAssembly SIMD, large batches on two threads; 'reference': the readable code below, step by
   * step as in the notes. In float64 both give the same numbers up to rounding (test/perf/).
   */
  engine?: 'fast' | 'reference';
  /** The fast engine's number type: 'float64' (the default) or 'float32'. */
  dtype?: DType;
}

export interface TrainOutcome {
  reason: StopReason;
  /** Set when the run diverged: what happened and which learning rate to try instead. */
  message: string | null;
  /** The number of the last completed epoch (startEpoch + the epochs this call completed). */
  epochs: number;
  /** The cost of every epoch this call completed (see EpochPoint.cost). */
  costs: number[];
}

function checkOptions(params: Parameters, X: Matrix, Y: Matrix, o: TrainOptions): void {
  if (!(Number.isFinite(o.learningRate) && o.learningRate > 0)) throw new RangeError(`the learning rate must be a positive number, got ${o.learningRate}`);
  if (!(Number.isInteger(o.epochs) && o.epochs >= 0)) throw new RangeError(`epochs must be a whole number ≥ 0, got ${o.epochs}`);
  if (o.batchSize !== null && !(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw new RangeError(`the batch size must be a whole number ≥ 1, got ${o.batchSize}`);
  if (o.firstCost !== undefined && !(Number.isFinite(o.firstCost) && o.firstCost >= 0)) throw new RangeError(`firstCost must be a finite cost, got ${o.firstCost}`);
  if (o.dtype === 'float32' && o.engine === 'reference') throw new RangeError('float32 training needs the fast engine; the reference engine computes in float64');
  if (X.cols === 0) throw new RangeError('there are no training examples (m = 0)');
  if (X.rows !== params.W[0]!.cols) throw new RangeError(`X has ${X.rows} features per example, the network expects n_x = ${params.W[0]!.cols}`);
  if (Y.rows !== 1 || Y.cols !== X.cols) throw new RangeError(`Y must be (1 × ${X.cols}), got (${Y.rows} × ${Y.cols})`);
  const v = o.validation;
  if (v && (v.X.rows !== X.rows || v.Y.rows !== 1 || v.Y.cols !== v.X.cols)) {
    throw new RangeError(`the validation data must be X (${X.rows} × m) and Y (1 × m), got (${v.X.rows} × ${v.X.cols}) and (${v.Y.rows} × ${v.Y.cols})`);
  }
}

/**
 * Trains `params` in place. Each epoch's cost and training accuracy come from the forward runs
 * of that epoch (full batch: J of the parameters before the epoch's update, as in the notes;
 * mini-batches: the example-weighted mean over the batches). The validation figures are taken
 * from the parameters at the start of the epoch too, so that both curves describe the same θ
 * in full-batch mode. gradNorms are ‖dW^[l]‖_F (mini-batches: the mean over the epoch's batches).
 *
 * Divergence (a non-finite cost, non-finite parameters after an update, or an epoch cost that
 * exploded, see epoch.ts) stops the run with reason 'diverged' and leaves the parameters
 * at the start of the last epoch whose cost was acceptable
 * (the initial ones if the first epoch diverged), so that they can still be inspected and saved.
 */
export function train(params: Parameters, X: Matrix, Y: Matrix, options: TrainOptions): TrainOutcome {
  checkOptions(params, X, Y, options);
  const m = X.cols;
  const batchSize = options.batchSize === null || options.batchSize >= m ? m : options.batchSize;
  if (options.engine === 'reference' || options.epochs === 0) return trainWith(null, null, params, X, Y, options);
  const dtype = options.dtype ?? 'float64';
  const v = options.validation;
  let engines: [FastEngine, FastEngine | null];
  try {
    engines = [
      keptEngine('train', params, X, Y, { batchSize, dtype }),
      v && v.X.cols > 0 ? keptEngine('validation', params, v.X, v.Y, { dtype, threads: 1 }) : null,
    ];
  } catch (e) {
    // Data too large for the fast engine's memory: in float64 the readable steps give the same numbers.
    if (e instanceof EngineCapacityError) {
      if (dtype === 'float64') return trainWith(null, null, params, X, Y, options);
      throw new EngineCapacityError(`float32 training runs only in the fast engine: ${e.message}; train in float64, which has no such limit`);
    }
    throw e;
  }
  return trainWith(engines[0], engines[1], params, X, Y, options);
}

/** The training loop; with `engine` null it runs the readable steps, else the fast engine's epochs. */
function trainWith(engine: FastEngine | null, validationEngine: FastEngine | null, params: Parameters, X: Matrix, Y: Matrix, options: TrainOptions): TrainOutcome {
  const { learningRate, epochs, seed } = options;
  const m = X.cols;
  const L = params.W.length;
  const batchSize = options.batchSize === null || options.batchSize >= m ? m : options.batchSize;
  const startEpoch = options.startEpoch ?? 0;
  const validation = options.validation ?? null;
  const costs: number[] = [];
  // The explosion test's reference: J of the starting parameters on all training examples. In
  // full-batch mode that is epoch 1's cost; with small batches the cost can explode within the
  // first epoch, so it is computed beforehand.
  let firstCost = options.firstCost ?? (batchSize < m ? (engine?.evaluate().cost ?? computeCostFromLogits(forward(params, X).Z[L - 1]!, Y)) : null);
  const fallback = new Fallback(params);

  let cache: ForwardCache | undefined;
  let validationCache: ForwardCache | undefined;
  let grads: Gradients | undefined;
  let batchX: Matrix | undefined;
  let batchY: Matrix | undefined;

  const stop = (reason: StopReason, message: string | null, completed: number): TrainOutcome =>
    ({ reason, message, epochs: startEpoch + completed, costs });
  const diverged = (epoch: number, d: Divergence, completed: number): TrainOutcome =>
    stop('diverged', fallback.restore(params, d, epoch, learningRate), completed);

  for (let e = 0; e < epochs; e++) {
    if (options.shouldStop?.()) return stop('cancelled', null, e);
    const epoch = startEpoch + e + 1;
    fallback.beginEpoch(params);
    const tally = new EpochTally(L);

    if (validationEngine !== null) {
      validationEngine.load(params);
      const r = validationEngine.evaluate();
      tally.validationCost = r.cost;
      tally.validationAccuracy = r.correct / validation!.X.cols;
    } else if (validation !== null && validation.X.cols > 0) {
      const v = validationFigures(params, validation, validationCache);
      validationCache = v.cache;
      tally.validationCost = v.cost;
      tally.validationAccuracy = v.accuracy;
    }

    const order = batchSize < m ? shuffledIndices(m, epochRng(seed, epoch)) : null;
    if (engine !== null) {
      const s = engine.epoch(learningRate, order);
      if (!s.finite) return diverged(epoch, costDivergence(s.lastCost)!, e);
      engine.store(params);
      tally.costSum = s.costSum;
      tally.correct = s.correct;
      s.gradNormSums.forEach((n, l) => (tally.gradNormSums[l] = n));
      tally.batches = s.batches;
    }
    for (let from = 0; engine === null && from < m; from += batchSize) {
      const to = Math.min(from + batchSize, m);
      const Xb = order === null ? X : (batchX = gatherColumns(X, order, from, to, batchX));
      const Yb = order === null ? Y : (batchY = gatherColumns(Y, order, from, to, batchY));

      cache = forward(params, Xb, cache);
      const cost = computeCostFromLogits(cache.Z[L - 1]!, Yb);
      const d = costDivergence(cost);
      if (d) return diverged(epoch, d, e);
      tally.addForward(cost, to - from, cache.A[L]!, Yb);

      grads = backward(params, cache, Yb, grads);
      tally.addGradients(grads);
      updateParameters(params, grads, learningRate);
    }
    const cost = tally.cost(m);
    firstCost ??= cost;
    const d = epochDivergence(params, cost, firstCost);
    if (d) return diverged(epoch, d, e);
    fallback.acceptEpoch(params);

    costs.push(cost);
    options.onEpoch?.(tally.point(epoch, m));
  }
  return stop('completed', null, epochs);
}

/**
 * computeMetrics(params, X, Y), computed by the fast engine in float64 on one thread with the plain
 * kernels, which give the readable forward run's cost and classifications bit for bit (one forward
 * run: the fused kernels would save next to nothing here): on large data the readable run
 * took longer than reading the file (W4: 1.5 s of a 3 s command). Data too large for the engine
 * are measured by computeMetrics itself, as train() trains them with the readable steps.
 */
export function evaluateMetrics(params: Parameters, X: Matrix, Y: Matrix): Metrics {
  let engine: FastEngine;
  try {
    engine = new FastEngine(params, X, Y, { threads: 1, kernels: 'simd' });
  } catch (e) {
    if (e instanceof EngineCapacityError) return computeMetrics(params, X, Y);
    throw e;
  }
  const { cost, correct, positive } = engine.evaluate();
  const m = X.cols;
  let actual = 0;
  for (let j = 0; j < m; j++) if (Y.data[j] === 1) actual++;
  // correct = tp + tn, tn = (m − actual) − fp and fp = positive − tp give tp.
  const tp = (correct - (m - actual) + positive) / 2;
  const confusion = { tp, fp: positive - tp, tn: m - actual - (positive - tp), fn: actual - tp };
  return { cost, ...scoresOf(confusion), confusion };
}
