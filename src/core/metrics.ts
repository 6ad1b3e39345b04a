/** Prediction and the usual measures of a binary classifier. */
import type { Confusion, Metrics } from './types';
import type { Matrix } from './matrix';
import { type Parameters, computeCostFromLogits, forward } from './network';

/** Ŷ = A^[L] for every example (column) of X: P(y = 1 | x). */
export function predictProbabilities(params: Parameters, X: Matrix): Float64Array {
  const { A } = forward(params, X);
  return A[A.length - 1]!.data.slice();
}

/** Class 1 where the probability is above the threshold, else class 0 (as np: A2 > 0.5). */
export function classify(probabilities: Float64Array, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(probabilities.length);
  for (let j = 0; j < probabilities.length; j++) out[j] = probabilities[j] > threshold ? 1 : 0;
  return out;
}

/** Counts of true/false positives/negatives; `Y` holds the labels 0/1, `probabilities` Ŷ. */
export function confusionOf(probabilities: ArrayLike<number>, Y: ArrayLike<number>, threshold = 0.5): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let j = 0; j < Y.length; j++) {
    const predicted = probabilities[j] > threshold;
    if (Y[j] === 1) {
      if (predicted) c.tp++;
      else c.fn++;
    } else if (predicted) c.fp++;
    else c.tn++;
  }
  return c;
}

/** accuracy, precision, recall, F1 from a confusion matrix; a ratio with nothing to count is 0. */
export function scoresOf(c: Confusion): Omit<Metrics, 'cost' | 'confusion'> {
  const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    accuracy: ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn),
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
  };
}

/** Cost J and the classification measures of the network on (X, Y), at threshold 0.5. */
export function computeMetrics(params: Parameters, X: Matrix, Y: Matrix): Metrics {
  const { Z, A } = forward(params, X);
  const cost = computeCostFromLogits(Z[Z.length - 1]!, Y);
  const confusion = confusionOf(A[A.length - 1]!.data, Y.data);
  return { cost, ...scoresOf(confusion), confusion };
}
