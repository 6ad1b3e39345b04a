/**
 * The notes' "Der Gradient": all parameters as one vector θ, the backward run's dθ, and the
 * numerical gradient by central differences, dθ_approx[i] = (J(θ + ε·e_i) − J(θ − ε·e_i)) / 2ε,
 * compared by ‖dθ − dθ_approx‖ / (‖dθ‖ + ‖dθ_approx‖).
 */
import type { GradCheckResult } from '../protocol';
import type { Matrix } from './matrix';
import { type Parameters, backward, computeCostFromLogits, forward } from './network';

/** The matrices in θ's order, W^[1], b^[1], W^[2], b^[2], …, with their names. */
function inThetaOrder<T>(W: T[], b: T[]): { name: string; value: T }[] {
  return W.flatMap((w, i) => [
    { name: `W${i + 1}`, value: w },
    { name: `b${i + 1}`, value: b[i]! },
  ]);
}

function flatten(matrices: Matrix[]): Float64Array {
  const theta = new Float64Array(matrices.reduce((n, m) => n + m.data.length, 0));
  let at = 0;
  for (const m of matrices) {
    theta.set(m.data, at);
    at += m.data.length;
  }
  return theta;
}

/** θ = [W^[1] row by row, b^[1], W^[2], b^[2], …]. */
export function flattenParameters(p: Parameters): Float64Array {
  return flatten(inThetaOrder(p.W, p.b).map((e) => e.value));
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** ‖a − b‖ / (‖a‖ + ‖b‖) over entries from … to−1; 0 when both are zero. */
function relDifference(a: Float64Array, b: Float64Array, from = 0, to = a.length): number {
  const diff = new Float64Array(to - from);
  for (let i = from; i < to; i++) diff[i - from] = a[i] - b[i];
  const den = norm(a.subarray(from, to)) + norm(b.subarray(from, to));
  return den === 0 ? 0 : norm(diff) / den;
}

/**
 * Compares the backward run with central differences at the given parameters (left unchanged).
 * The cost is the logits form of J, exact also near saturated outputs. ε = 1e-7 balances the
 * O(ε²) truncation error against the rounding error of J (≈ 1e-16 / ε).
 */
export function gradientCheck(params: Parameters, X: Matrix, Y: Matrix, epsilon = 1e-7): GradCheckResult {
  if (!(Number.isFinite(epsilon) && epsilon > 0)) throw new RangeError(`epsilon must be a positive number, got ${epsilon}`);
  const L = params.W.length;
  const cost = (): number => computeCostFromLogits(forward(params, X).Z[L - 1]!, Y);

  const grads = backward(params, forward(params, X), Y);
  const dtheta = flatten(inThetaOrder(grads.dW, grads.db).map((e) => e.value));
  const dthetaApprox = new Float64Array(dtheta.length);

  const blocks = inThetaOrder(params.W, params.b);
  const perParameter: GradCheckResult['perParameter'] = [];
  let at = 0;
  for (const { name, value } of blocks) {
    const start = at;
    for (let i = 0; i < value.data.length; i++, at++) {
      const saved = value.data[i];
      value.data[i] = saved + epsilon;
      const plus = cost();
      value.data[i] = saved - epsilon;
      const minus = cost();
      value.data[i] = saved;
      dthetaApprox[at] = (plus - minus) / (2 * epsilon);
    }
    perParameter.push({ name, relDifference: relDifference(dtheta, dthetaApprox, start, at) });
  }

  return {
    epsilon,
    relDifference: relDifference(dtheta, dthetaApprox),
    perParameter,
    theta: Array.from(flattenParameters(params)),
    dtheta: Array.from(dtheta),
    dthetaApprox: Array.from(dthetaApprox),
  };
}
