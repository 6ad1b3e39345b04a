/**
 * What an epoch of gradient descent keeps track of, the same for `train` and for the session that
 * steps through it: the epoch's figures (cost, accuracy, gradient norms, validation), the one rule
 * that calls a run diverged, and the parameters it then falls back to.
 */
import type { EpochPoint } from './types';
import { type Matrix, frobeniusNorm, reuse } from './matrix';
import { confusionOf } from './metrics';
import { type ForwardCache, type Gradients, type Parameters, computeCostFromLogits, forward, parametersFinite } from './network';

/**
 * A cost this many times the first one (and above EXPLODED_MIN) counts as divergence: with ReLU
 * a too-large step often sends the cost to 1e80 and then kills every unit, after which the cost
 * stays finite but the network is ruined, so waiting for Infinity would miss it.
 */
export const EXPLOSION_FACTOR = 100;
/** Mean log-loss 10 means the right class gets probability ≈ e^−10 on average: clearly wrong. */
export const EXPLODED_MIN = 10;

/** What went wrong, and which parameters to go back to: the last acceptable epoch's start, or this epoch's. */
export interface Divergence {
  what: string;
  restore: 'lastGood' | 'epochStart';
}

/** A batch's cost that is not finite: the run diverged. */
export function costDivergence(cost: number): Divergence | null {
  if (Number.isFinite(cost)) return null;
  return { what: `the cost became ${Number.isNaN(cost) ? 'not a number (NaN)' : 'infinite'}`, restore: 'lastGood' };
}

/**
 * At the end of an epoch: weights that are no longer finite, or an epoch cost that exploded
 * (above EXPLODED_MIN and EXPLOSION_FACTOR times `firstCost`, the run's starting J).
 */
export function epochDivergence(params: Parameters, cost: number, firstCost: number): Divergence | null {
  if (!parametersFinite(params)) return { what: 'the weights became infinite or NaN', restore: 'epochStart' };
  if (cost > EXPLODED_MIN && cost > EXPLOSION_FACTOR * firstCost) {
    return { what: `the cost rose from ${firstCost.toPrecision(3)} to ${cost.toPrecision(3)}`, restore: 'lastGood' };
  }
  return null;
}

/**
 * `what` says what went wrong; `resetTo`, when given, is the epoch whose starting parameters were
 * restored. Suggests a tenth of the rate, without binary noise (0.3 / 10 → 0.03).
 */
export function divergenceMessage(epoch: number, what: string, learningRate: number, resetTo?: number): string {
  const tenth = Number((learningRate / 10).toPrecision(3));
  const reset = resetTo === undefined ? '' : ` The parameters were reset to those at the start of epoch ${resetTo}.`;
  return `Training diverged in epoch ${epoch}: ${what} with learning rate ${learningRate}. ` +
    `The steps are too large for this data; try a smaller learning rate, e.g. ${tenth}.${reset}`;
}

function copyParameters(from: Parameters, to: Parameters): void {
  from.W.forEach((w, i) => to.W[i]!.data.set(w.data));
  from.b.forEach((b, i) => to.b[i]!.data.set(b.data));
}

function newBackup(p: Parameters): Parameters {
  return { W: p.W.map((w) => reuse(undefined, w.rows, w.cols)), b: p.b.map((b) => reuse(undefined, b.rows, b.cols)) };
}

/**
 * The two parameter backups a run falls back to when it diverges: the start of the epoch in
 * progress, and the start of the last epoch whose costs were all acceptable (none before the
 * first epoch has ended). Two buffers, swapped, so an epoch allocates nothing.
 */
export class Fallback {
  private epochStart: Parameters;
  private lastGood: Parameters | null = null;

  constructor(params: Parameters) {
    this.epochStart = newBackup(params);
    copyParameters(params, this.epochStart);
  }

  beginEpoch(params: Parameters): void {
    copyParameters(params, this.epochStart);
  }

  /** The epoch that just ended had acceptable costs throughout: its start becomes the fallback. */
  acceptEpoch(params: Parameters): void {
    [this.lastGood, this.epochStart] = [this.epochStart, this.lastGood ?? newBackup(params)];
  }

  /** The parameters changed outside this record (another call trained them): no earlier epoch to go back to. */
  forgetLastGood(): void {
    this.lastGood = null;
  }

  /** Puts the fallback of `d` into `params`; the message says what happened in `epoch` and which epoch's start they are. */
  restore(params: Parameters, d: Divergence, epoch: number, learningRate: number): string {
    const useLastGood = d.restore === 'lastGood' && this.lastGood !== null;
    copyParameters(useLastGood ? this.lastGood! : this.epochStart, params);
    return divergenceMessage(epoch, d.what, learningRate, useLastGood ? epoch - 1 : epoch);
  }
}

/** J and the accuracy of `params` on validation data (taken at the start of an epoch); `cache` lends its buffers. */
export function validationFigures(params: Parameters, v: { X: Matrix; Y: Matrix }, cache?: ForwardCache): { cost: number; accuracy: number; cache: ForwardCache } {
  const L = params.W.length;
  const f = forward(params, v.X, cache);
  const c = confusionOf(f.A[L]!.data, v.Y.data);
  return { cost: computeCostFromLogits(f.Z[L - 1]!, v.Y), accuracy: (c.tp + c.tn) / v.X.cols, cache: f };
}

/**
 * The running figures of the epoch in progress: each batch's cost (weighted by its examples), its
 * correct classifications and gradient norms, and the validation figures of the epoch's start.
 */
export class EpochTally {
  costSum = 0;
  correct = 0;
  batches = 0;
  readonly gradNormSums: number[];
  validationCost: number | null = null;
  validationAccuracy: number | null = null;

  constructor(layers: number) {
    this.gradNormSums = new Array<number>(layers).fill(0);
  }

  /** A batch's forward run: its cost J and its output A^[L] against its labels. */
  addForward(cost: number, examples: number, AL: Matrix, Y: Matrix): void {
    this.costSum += cost * examples;
    const c = confusionOf(AL.data, Y.data);
    this.correct += c.tp + c.tn;
  }

  /** A batch's backward run (its update follows). */
  addGradients(grads: Gradients): void {
    this.gradNormSums.forEach((s, l) => (this.gradNormSums[l] = s + frobeniusNorm(grads.dW[l]!)));
    this.batches++;
  }

  /** The epoch's cost: the example-weighted mean of its batches' costs (full batch: J before the update). */
  cost(m: number): number {
    return this.costSum / m;
  }

  point(epoch: number, m: number): EpochPoint {
    return {
      epoch,
      cost: this.cost(m),
      validationCost: this.validationCost,
      accuracy: this.correct / m,
      validationAccuracy: this.validationAccuracy,
      gradNorms: this.gradNormSums.map((s) => s / this.batches),
    };
  }
}
