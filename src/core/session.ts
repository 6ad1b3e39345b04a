/**
 * A training session: the notes' gradient descent that can also be walked one phase at a time
 * (forward run → backward run → weight update, the notes' "Prozessablauf"), and that can describe
 * its state as the backprop map's matrices. Pure: no I/O, no timers of its own; the training worker
 * and `backprop-map train` drive it (set up by src/run/setup.ts), and the worker's RunController
 * (src/worker/runController.ts) adds the throttled message stream.
 *
 * Stepping uses the same core functions in the same order as `train`, so a run that is stepped, or
 * played in slices, gives exactly the numbers of one `train` call.
 */
import type { Boundary, EpochPoint, GradCheckResult, MapSnapshot, Phase, RunResult, StopReason } from './types';
import { gradientCheck } from './gradcheck';
import { type Divergence, EpochTally, Fallback, costDivergence, epochDivergence, validationFigures } from './epoch';
import type { DType } from './fast/engine';
import { type Matrix, gatherColumns } from './matrix';
import { type ForwardCache, type Gradients, type Parameters, backward, computeCostFromLogits, forward, layerDimsOfParameters, updateParameters } from './network';
import { epochRng, shuffledIndices } from './rng';
import { buildSnapshot, decisionBoundary } from './snapshot';
import { evaluateMetrics, train } from './train';

export interface SessionData {
  X: Matrix;
  Y: Matrix;
  validation: { X: Matrix; Y: Matrix } | null;
}

export interface SessionHyper {
  learningRate: number;
  /** Epochs of this run (after `startEpoch`). */
  epochs: number;
  batchSize: number | null;
  seed: number;
}

/** What a step did: the phase it ran, and the epoch's point when it completed an epoch. */
export interface StepOutcome {
  phase: Phase;
  point: EpochPoint | null;
  /** Set when the run diverged in this step (the parameters are then reset as by `train`). */
  diverged: string | null;
}

export class TrainingSession {
  readonly params: Parameters;
  readonly layerDims: number[];
  /** Completed epochs. */
  epoch = 0;
  /** The last phase run within the epoch in progress; null at an epoch boundary. */
  phase: Phase | null = null;

  private readonly m: number;
  private readonly batchSize: number;
  private cache: ForwardCache | null = null;
  private grads: Gradients | null = null;
  private lastCost = NaN;
  private batchX: Matrix | null = null;
  private batchY: Matrix | null = null;
  // The epoch in progress (as in `train`): its batch order, position and running figures.
  private order: Uint32Array | null = null;
  private from = 0;
  private tally: EpochTally;
  private readonly fallback: Fallback;
  /** J of the initial parameters on all training examples: the reference for an exploding cost. */
  private readonly firstCost: number;

  /** The last epoch of the run. */
  private readonly lastEpoch: number;

  constructor(
    readonly data: SessionData,
    readonly hyper: SessionHyper,
    params: Parameters,
    /** Epochs done before (continuing a model file's run): numbering, and mini-batch orders, go on from there. */
    startEpoch = 0,
    /** The number type of the epochs run through `train` (the stepped ones compute in float64). */
    private readonly dtype: DType = 'float64',
  ) {
    this.params = params;
    this.epoch = startEpoch;
    this.lastEpoch = startEpoch + hyper.epochs;
    this.layerDims = layerDimsOfParameters(params);
    this.m = data.X.cols;
    this.batchSize = hyper.batchSize === null || hyper.batchSize >= this.m ? this.m : hyper.batchSize;
    this.tally = new EpochTally(this.layerDims.length - 1);
    this.fallback = new Fallback(params);
    this.firstCost = evaluateMetrics(params, data.X, data.Y).cost;
  }

  get finished(): boolean {
    return this.epoch >= this.lastEpoch;
  }

  /** The examples of the current (or last) batch: all of them in full-batch mode. */
  private batch(): { X: Matrix; Y: Matrix } {
    if (this.order === null) return { X: this.data.X, Y: this.data.Y };
    const to = Math.min(this.from + this.batchSize, this.m);
    this.batchX = gatherColumns(this.data.X, this.order, this.from, to, this.batchX ?? undefined);
    this.batchY = gatherColumns(this.data.Y, this.order, this.from, to, this.batchY ?? undefined);
    return { X: this.batchX, Y: this.batchY };
  }

  private currentBatch(): { X: Matrix; Y: Matrix } {
    return this.order === null ? { X: this.data.X, Y: this.data.Y } : { X: this.batchX!, Y: this.batchY! };
  }

  /** One phase: forward run → backward run → weight update, batch by batch, epoch by epoch. */
  step(): StepOutcome {
    const L = this.layerDims.length - 1;
    const next: Phase = this.phase === 'forward' ? 'backward' : this.phase === 'backward' ? 'update' : 'forward';
    if (next === 'forward') {
      if (this.from === 0) this.beginEpoch();
      const { X, Y } = this.batch();
      this.cache = forward(this.params, X, this.cache ?? undefined);
      const cost = computeCostFromLogits(this.cache.Z[L - 1]!, Y);
      this.lastCost = cost;
      this.phase = 'forward';
      const d = costDivergence(cost);
      if (d) return this.diverge(d);
      this.tally.addForward(cost, X.cols, this.cache.A[L]!, Y);
      return { phase: 'forward', point: null, diverged: null };
    }
    if (next === 'backward') {
      this.grads = backward(this.params, this.cache!, this.currentBatch().Y, this.grads ?? undefined);
      this.tally.addGradients(this.grads);
      this.phase = 'backward';
      return { phase: 'backward', point: null, diverged: null };
    }
    updateParameters(this.params, this.grads!, this.hyper.learningRate);
    this.phase = 'update';
    this.from += this.batchSize;
    if (this.from < this.m) return { phase: 'update', point: null, diverged: null };
    const d = epochDivergence(this.params, this.tally.cost(this.m), this.firstCost);
    if (d) return this.diverge(d);
    return { phase: 'update', point: this.endEpoch(), diverged: null };
  }

  private beginEpoch(): void {
    this.fallback.beginEpoch(this.params);
    this.order = this.batchSize < this.m ? shuffledIndices(this.m, epochRng(this.hyper.seed, this.epoch + 1)) : null;
    this.tally = new EpochTally(this.layerDims.length - 1);
    const v = this.data.validation;
    if (v !== null && v.X.cols > 0) {
      const f = validationFigures(this.params, v);
      this.tally.validationCost = f.cost;
      this.tally.validationAccuracy = f.accuracy;
    }
  }

  private endEpoch(): EpochPoint {
    this.epoch++;
    this.from = 0;
    this.fallback.acceptEpoch(this.params);
    return this.tally.point(this.epoch, this.m);
  }

  /** As `train` does: back to the start of the last acceptable epoch, or of this one. */
  private diverge(d: Divergence): StepOutcome {
    const message = this.fallback.restore(this.params, d, this.epoch + 1, this.hyper.learningRate);
    const phase = this.phase ?? 'forward';
    this.phase = null;
    this.from = 0;
    return { phase, point: null, diverged: message };
  }

  /**
   * Up to `n` whole epochs (first finishing an epoch that steps left half done), through `train`.
   * With `stepLast` the last of them is stepped instead, so that the map's matrices of that epoch
   * are at hand for a snapshot; without, a snapshot computes them afresh.
   */
  runEpochs(n: number, onEpoch: (p: EpochPoint) => void, stepLast = true): { reason: StopReason; message: string | null } {
    let left = Math.min(n, this.lastEpoch - this.epoch);
    while ((this.phase !== null && this.phase !== 'update') || this.from !== 0) {
      const s = this.step();
      if (s.diverged) return { reason: 'diverged', message: s.diverged };
      if (s.point) {
        onEpoch(s.point);
        left--;
      }
    }
    if (left <= 0) return { reason: 'completed', message: null };
    const trained = stepLast ? left - 1 : left;
    if (trained > 0) {
      // `train` keeps its own fallback parameters and does not hand them out: should the stepped
      // epoch right after it diverge, the parameters go back to that epoch's start, not one earlier.
      const outcome = train(this.params, this.data.X, this.data.Y, {
        learningRate: this.hyper.learningRate,
        epochs: trained,
        batchSize: this.hyper.batchSize,
        seed: this.hyper.seed,
        validation: this.data.validation,
        startEpoch: this.epoch,
        firstCost: this.firstCost,
        dtype: this.dtype,
        onEpoch,
      });
      this.epoch = outcome.epochs;
      this.fallback.forgetLastGood();
      // The last forward and backward run are not this one's any more.
      this.cache = null;
      this.grads = null;
      this.phase = null;
      if (outcome.reason === 'diverged') return { reason: 'diverged', message: outcome.message };
    }
    while (this.epoch < this.lastEpoch && trained < left) {
      const s = this.step();
      if (s.diverged) return { reason: 'diverged', message: s.diverged };
      if (s.point) {
        onEpoch(s.point);
        break;
      }
    }
    return { reason: 'completed', message: null };
  }

  /** The cost of the last forward run (the current batch's J). */
  get cost(): number {
    return this.lastCost;
  }

  /**
   * The map after the last phase: Z and A of the last forward run, the gradients of the last
   * backward run (zeros before the first one), W and b as they are now.
   */
  snapshot(maxCols = 48): MapSnapshot {
    const L = this.layerDims.length - 1;
    const { X, Y } = this.cache ? this.currentBatch() : { X: this.data.X, Y: this.data.Y };
    const cache = this.cache ?? forward(this.params, X);
    return buildSnapshot({
      params: this.params,
      cache,
      grads: this.grads,
      X,
      Y,
      epoch: this.phase === null || (this.phase === 'update' && this.from === 0) ? this.epoch : this.epoch + 1,
      phase: this.phase ?? 'update',
      cost: this.cache ? this.lastCost : computeCostFromLogits(cache.Z[L - 1]!, Y),
      maxCols,
    });
  }

  boundary(): Boundary | null {
    return decisionBoundary(this.params, this.data.X, this.data.Y);
  }

  result(reason: StopReason, message: string | null): RunResult {
    const v = this.data.validation;
    return {
      reason,
      message,
      epochs: this.epoch,
      train: evaluateMetrics(this.params, this.data.X, this.data.Y),
      validation: v !== null && v.X.cols > 0 ? evaluateMetrics(this.params, v.X, v.Y) : null,
    };
  }

  /**
   * The core's gradient check at the current parameters. Central differences cost two forward runs
   * per parameter (≈ 2·m·P² multiply-adds for P parameters), so when that exceeds ~4·10⁷ the first
   * examples stand in for all of them.
   */
  gradcheck(): GradCheckResult {
    const P = this.params.W.reduce((s, w, i) => s + w.data.length + this.params.b[i]!.data.length, 0);
    const m = Math.max(1, Math.min(this.m, Math.floor(2e7 / (P * P))));
    const idx = Uint32Array.from({ length: m }, (_, j) => j);
    const X = m === this.m ? this.data.X : gatherColumns(this.data.X, idx, 0, m);
    const Y = m === this.m ? this.data.Y : gatherColumns(this.data.Y, idx, 0, m);
    return gradientCheck(this.params, X, Y);
  }
}
