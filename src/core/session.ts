/**
 * A training session: the notes' gradient descent that can also be walked one phase at a time
 * (forward run → backward run → weight update, the notes' "Prozessablauf"), and that can describe
 * its state as the backprop map's matrices. Pure: no I/O, no timers of its own; the training worker
 * and the CLI's report drive it, and the worker's RunController (src/worker/runController.ts) adds the
 * throttled message stream.
 *
 * Stepping uses the same core functions in the same order as `train`, so a run that is stepped, or
 * played in slices, gives exactly the numbers of one `train` call.
 */
import type { Boundary, EpochPoint, GradCheckResult, MapSnapshot, Phase, RunResult, StopReason } from './types';
import { gradientCheck } from './gradcheck';
import { type Matrix, frobeniusNorm, gatherColumns } from './matrix';
import { confusionOf } from './metrics';
import {
  type ForwardCache,
  type Gradients,
  type Parameters,
  backward,
  cloneParameters,
  computeCostFromLogits,
  forward,
  layerDimsOfParameters,
  parametersFinite,
  updateParameters,
} from './network';
import { epochRng, shuffledIndices } from './rng';
import { buildSnapshot, decisionBoundary } from './snapshot';
import { EXPLODED_MIN, EXPLOSION_FACTOR, divergenceMessage, evaluateMetrics, train } from './train';

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

function copyInto(from: Parameters, to: Parameters): void {
  from.W.forEach((w, i) => to.W[i]!.data.set(w.data));
  from.b.forEach((b, i) => to.b[i]!.data.set(b.data));
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
  // The epoch in progress (as in `train`): its batch order, position and running sums.
  private order: Uint32Array | null = null;
  private from = 0;
  private costSum = 0;
  private correct = 0;
  private gradNormSums: number[] = [];
  private batches = 0;
  private validationCost: number | null = null;
  private validationAccuracy: number | null = null;
  private epochStart: Parameters;
  private lastGood: Parameters | null = null;
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
  ) {
    this.params = params;
    this.epoch = startEpoch;
    this.lastEpoch = startEpoch + hyper.epochs;
    this.layerDims = layerDimsOfParameters(params);
    this.m = data.X.cols;
    this.batchSize = hyper.batchSize === null || hyper.batchSize >= this.m ? this.m : hyper.batchSize;
    this.epochStart = cloneParameters(params);
    const L = this.layerDims.length - 1;
    this.firstCost = computeCostFromLogits(forward(params, data.X).Z[L - 1]!, data.Y);
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
      if (!Number.isFinite(cost)) {
        const what = `the cost became ${Number.isNaN(cost) ? 'not a number (NaN)' : 'infinite'}`;
        return this.diverge(what, 'lastGood');
      }
      this.costSum += cost * X.cols;
      const c = confusionOf(this.cache.A[L]!.data, Y.data);
      this.correct += c.tp + c.tn;
      return { phase: 'forward', point: null, diverged: null };
    }
    if (next === 'backward') {
      this.grads = backward(this.params, this.cache!, this.currentBatch().Y, this.grads ?? undefined);
      for (let l = 0; l < L; l++) this.gradNormSums[l]! += frobeniusNorm(this.grads.dW[l]!);
      this.phase = 'backward';
      return { phase: 'backward', point: null, diverged: null };
    }
    updateParameters(this.params, this.grads!, this.hyper.learningRate);
    this.batches++;
    this.phase = 'update';
    this.from += this.batchSize;
    if (this.from < this.m) return { phase: 'update', point: null, diverged: null };
    if (!parametersFinite(this.params)) return this.diverge('the weights became infinite or NaN', 'epochStart');
    const cost = this.costSum / this.m;
    if (cost > EXPLODED_MIN && cost > EXPLOSION_FACTOR * this.firstCost) {
      return this.diverge(`the cost rose from ${this.firstCost.toPrecision(3)} to ${cost.toPrecision(3)}`, 'lastGood');
    }
    return { phase: 'update', point: this.endEpoch(), diverged: null };
  }

  private beginEpoch(): void {
    copyInto(this.params, this.epochStart);
    this.order = this.batchSize < this.m ? shuffledIndices(this.m, epochRng(this.hyper.seed, this.epoch + 1)) : null;
    this.costSum = 0;
    this.correct = 0;
    this.batches = 0;
    this.gradNormSums = new Array<number>(this.layerDims.length - 1).fill(0);
    this.validationCost = null;
    this.validationAccuracy = null;
    const v = this.data.validation;
    if (v !== null && v.X.cols > 0) {
      const L = this.layerDims.length - 1;
      const f = forward(this.params, v.X);
      this.validationCost = computeCostFromLogits(f.Z[L - 1]!, v.Y);
      const c = confusionOf(f.A[L]!.data, v.Y.data);
      this.validationAccuracy = (c.tp + c.tn) / v.X.cols;
    }
  }

  private endEpoch(): EpochPoint {
    this.epoch++;
    this.from = 0;
    // The start of this epoch had finite costs throughout: it becomes the fallback (as in `train`).
    const spare = this.lastGood ?? cloneParameters(this.params);
    this.lastGood = this.epochStart;
    this.epochStart = spare;
    return {
      epoch: this.epoch,
      cost: this.costSum / this.m,
      validationCost: this.validationCost,
      accuracy: this.correct / this.m,
      validationAccuracy: this.validationAccuracy,
      gradNorms: this.gradNormSums.map((s) => s / this.batches),
    };
  }

  /** As `train` does: back to the start of the last acceptable epoch, or of this one. */
  private diverge(what: string, fallback: 'lastGood' | 'epochStart'): StepOutcome {
    const epoch = this.epoch + 1;
    const useLastGood = fallback === 'lastGood' && this.lastGood !== null;
    copyInto(useLastGood ? this.lastGood! : this.epochStart, this.params);
    const phase = this.phase ?? 'forward';
    this.phase = null;
    this.from = 0;
    return { phase, point: null, diverged: divergenceMessage(epoch, what, this.hyper.learningRate, useLastGood ? epoch - 1 : epoch) };
  }

  /**
   * Up to `n` whole epochs (first finishing an epoch that steps left half done). All but the last
   * run through `train`; the last is stepped so that the map's matrices of that epoch are at hand.
   */
  runEpochs(n: number, onEpoch: (p: EpochPoint) => void): { reason: StopReason; message: string | null } {
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
    if (left > 1) {
      // `train` keeps its own fallback parameters and does not hand them out: should the stepped
      // epoch right after it diverge, the parameters go back to that epoch's start, not one earlier.
      const outcome = train(this.params, this.data.X, this.data.Y, {
        learningRate: this.hyper.learningRate,
        epochs: left - 1,
        batchSize: this.hyper.batchSize,
        seed: this.hyper.seed,
        validation: this.data.validation,
        startEpoch: this.epoch,
        firstCost: this.firstCost,
        onEpoch,
      });
      this.epoch = outcome.epochs;
      if (outcome.reason === 'diverged') {
        this.phase = null;
        return { reason: 'diverged', message: outcome.message };
      }
      this.lastGood = null;
    }
    do {
      const s = this.step();
      if (s.diverged) return { reason: 'diverged', message: s.diverged };
      if (s.point) {
        onEpoch(s.point);
        break;
      }
    } while (true);
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
