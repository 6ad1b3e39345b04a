/**
 * The notes' "Der Gradient": all parameters as one vector θ, the backward run's dθ, and the
 * numerical gradient by central differences, dθ_approx[i] = (J(θ + ε·e_i) − J(θ − ε·e_i)) / 2ε,
 * compared by ‖dθ − dθ_approx‖ / (‖dθ‖ + ‖dθ_approx‖).
 */
import type { GradCheckResult } from './types';
import type { Matrix } from './matrix';
import { type ForwardCache, type Parameters, backward, computeCostFromLogits, forward } from './network';
import { relativeDifference } from './tolerance';

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

/** Whether any hidden unit's [z > 0] differs from `signs` (taken at the unperturbed θ). */
function crossesKink(Z: Matrix[], signs: Uint8Array[]): boolean {
  return signs.some((s, l) => {
    const z = Z[l]!.data;
    for (let i = 0; i < z.length; i++) if ((z[i] > 0 ? 1 : 0) !== s[i]) return true;
    return false;
  });
}

/**
 * Compares the backward run with central differences at the given parameters (left unchanged).
 * The cost is the logits form of J, exact also near saturated outputs.
 *
 * ε = 1e-6: J's rounding error (≈ 1e-16) divided by 2ε grows as ε shrinks, and at 1e-7 it already
 * reaches 1e-7 relative for a [30, 16, 8, 1] network whose gradient has become small in training;
 * the O(ε²) truncation error is still far below that at 1e-6. Central differences also assume that J
 * is smooth between θ − ε and θ + ε, which ReLU is not at z = 0: when a step moves some hidden z
 * across 0, that component is measured again with a step 100 times smaller. Components that still
 * straddle a kink are counted in `kinks`.
 */
export function gradientCheck(params: Parameters, X: Matrix, Y: Matrix, epsilon = 1e-6): GradCheckResult {
  if (!(Number.isFinite(epsilon) && epsilon > 0)) throw new RangeError(`epsilon must be a positive number, got ${epsilon}`);
  const L = params.W.length;
  const base = forward(params, X);
  const grads = backward(params, base, Y);
  const dtheta = flatten(inThetaOrder(grads.dW, grads.db).map((e) => e.value));
  const dthetaApprox = new Float64Array(dtheta.length);
  const signs = base.Z.slice(0, L - 1).map((z) => Uint8Array.from(z.data, (v) => (v > 0 ? 1 : 0)));

  let cache: ForwardCache | undefined;
  const evaluate = (): { J: number; crossed: boolean } => {
    cache = forward(params, X, cache);
    return { J: computeCostFromLogits(cache.Z[L - 1]!, Y), crossed: crossesKink(cache.Z, signs) };
  };

  const perParameter: GradCheckResult['perParameter'] = [];
  let kinks = 0;
  let at = 0;
  for (const { name, value } of inThetaOrder(params.W, params.b)) {
    const start = at;
    for (let i = 0; i < value.data.length; i++, at++) {
      const saved = value.data[i];
      let crossed = true;
      for (let h = epsilon, attempt = 0; attempt < 2 && crossed; attempt++, h /= 100) {
        value.data[i] = saved + h;
        const plus = evaluate();
        value.data[i] = saved - h;
        const minus = evaluate();
        dthetaApprox[at] = (plus.J - minus.J) / (2 * h);
        crossed = plus.crossed || minus.crossed;
      }
      value.data[i] = saved;
      if (crossed) kinks++;
    }
    perParameter.push({ name, relDifference: relativeDifference(dtheta, dthetaApprox, start, at) });
  }

  return {
    epsilon,
    relDifference: relativeDifference(dtheta, dthetaApprox),
    perParameter,
    theta: Array.from(flattenParameters(params)),
    dtheta: Array.from(dtheta),
    dthetaApprox: Array.from(dthetaApprox),
    kinks,
  };
}
