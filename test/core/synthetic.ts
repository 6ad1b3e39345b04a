// Small synthetic data sets for the core's tests, drawn from the core's own seeded generator.
import { type Matrix, zeros } from '../../src/core/matrix';
import { createRng } from '../../src/core/rng';

/**
 * m examples with n_x standard-normal features; the label is 1 where x₁·x₂ + 0.3·x₁ > 0
 * (for n_x = 1: where x₁ > 0), a boundary that a straight line cannot draw.
 */
export function syntheticData(nX: number, m: number, seed: number): { X: Matrix; Y: Matrix } {
  const rng = createRng(seed);
  const X = zeros(nX, m);
  const Y = zeros(1, m);
  for (let i = 0; i < X.data.length; i++) X.data[i] = rng.normal();
  for (let j = 0; j < m; j++) {
    const x1 = X.data[j]!;
    const x2 = nX > 1 ? X.data[m + j]! : 1;
    Y.data[j] = x1 * x2 + 0.3 * x1 > 0 ? 1 : 0;
  }
  return { X, Y };
}

/** The smallest |z| over all hidden pre-activations: how far the data is from a ReLU kink. */
export function distanceToKink(Z: Matrix[]): number {
  let min = Infinity;
  for (const z of Z.slice(0, -1)) for (const v of z.data) min = Math.min(min, Math.abs(v));
  return min;
}
