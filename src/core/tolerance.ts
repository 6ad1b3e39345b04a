/**
 * When a backward pass counts as right: the notes' relative difference between the gradient and the
 * numerical gradient, ‖a − b‖ / (‖a‖ + ‖b‖), and its two thresholds. One home for the panel's verdict,
 * `backprop-map gradcheck`'s exit code and the checker's tolerance (its Python harness is tested to
 * use the same number and formula).
 */

export const GRADCHECK_THRESHOLDS = Object.freeze({
  /** At most this: the gradient is right (the notes' bar). */
  exact: 1e-7,
  /**
   * At most this: right up to rounding. With small gradients, as near a minimum, the rounding error
   * of the central differences weighs more; above it the backward pass is wrong.
   */
  rounding: 1e-5,
});

export type GradcheckVerdict = 'ok' | 'rounding' | 'wrong';

export function gradcheckVerdict(relDifference: number): GradcheckVerdict {
  if (relDifference <= GRADCHECK_THRESHOLDS.exact) return 'ok';
  return relDifference <= GRADCHECK_THRESHOLDS.rounding ? 'rounding' : 'wrong';
}

function norm(v: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** ‖a − b‖ / (‖a‖ + ‖b‖) over the entries from … to−1; 0 when both are zero. */
export function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>, from = 0, to = a.length): number {
  const diff = new Float64Array(to - from);
  for (let i = from; i < to; i++) diff[i - from] = a[i]! - b[i]!;
  const den = norm(a, from, to) + norm(b, from, to);
  return den === 0 ? 0 : norm(diff, 0, diff.length) / den;
}
