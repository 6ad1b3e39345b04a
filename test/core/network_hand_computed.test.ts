// Values worked out by hand from the notes' formulas, not taken from the implementation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows, toRows } from '../../src/core/matrix';
import {
  backward,
  computeCost,
  forward,
  initParameters,
  layerDimsOf,
  relu,
  reluBackward,
  updateParameters,
} from '../../src/core/network';

const sigma = (z: number): number => 1 / (1 + Math.exp(-z));

function assertClose(actual: number[][], expected: number[][], tol = 1e-15): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, i) => {
    assert.equal(row.length, expected[i]!.length, `row ${i}`);
    row.forEach((v, j) => assert.ok(Math.abs(v - expected[i]![j]!) <= tol * Math.max(1, Math.abs(expected[i]![j]!)), `[${i}][${j}]: ${v} vs ${expected[i]![j]}`));
  });
}

test("the notes' ReLU example: Z → A, and dA * [Z > 0] → dZ", () => {
  const Z = fromRows([[5, -7, 6], [2, 1, -4]]);
  assert.deepEqual(toRows(relu(Z)), [[5, 0, 6], [2, 1, 0]]);
  const dA = fromRows([[0.5, 0.05, 0.7], [0.1, -0.6, 0.8]]);
  assert.deepEqual(toRows(reluBackward(dA, Z)), [[0.5, 0, 0.7], [0.1, -0.6, 0]]);
});

test('a tiny two-layer network, forward and backward, worked out by hand', () => {
  // n_x = 2, n_h = 2, m = 2: x⁽¹⁾ = (1, 0), x⁽²⁾ = (2, 1), y = (1, 0).
  const params = {
    W: [fromRows([[1, -1], [0.5, 2]]), fromRows([[1, -2]])],
    b: [fromRows([[0], [-1]]), fromRows([[0.5]])],
  };
  const X = fromRows([[1, 2], [0, 1]]);
  const Y = fromRows([[1, 0]]);
  const cache = forward(params, X);
  // Z1 = W1·X + b1 = [[1, 1], [0.5, 3]] + [[0], [−1]]
  assert.deepEqual(toRows(cache.Z[0]!), [[1, 1], [-0.5, 2]]);
  assert.deepEqual(toRows(cache.A[1]!), [[1, 1], [0, 2]]);
  // Z2 = W2·A1 + b2 = [1 − 0, 1 − 4] + 0.5
  assert.deepEqual(toRows(cache.Z[1]!), [[1.5, -2.5]]);
  assertClose(toRows(cache.A[2]!), [[sigma(1.5), sigma(-2.5)]]);
  assert.equal(cache.A[0], X);

  // J = ½·(−log σ(1.5) − log(1 − σ(−2.5))) = ½·(log(1 + e^−1.5) + log(1 + e^−2.5))
  const J = 0.5 * (Math.log1p(Math.exp(-1.5)) + Math.log1p(Math.exp(-2.5)));
  assert.ok(Math.abs(computeCost(cache.A[2]!, Y) - J) < 1e-15);

  const g = backward(params, cache, Y);
  const d1 = sigma(1.5) - 1, d2 = sigma(-2.5); // dZ2 = A2 − Y
  assertClose(toRows(g.dZ[1]!), [[d1, d2]]);
  assertClose(toRows(g.dA[1]!), [[-1 / sigma(1.5), 1 / (1 - sigma(-2.5))]], 1e-14);
  // dW2 = ½·dZ2·A1ᵀ with A1's columns (1, 0) and (1, 2)
  assertClose(toRows(g.dW[1]!), [[(d1 + d2) / 2, d2]]);
  assertClose(toRows(g.db[1]!), [[(d1 + d2) / 2]]);
  // dA1 = W2ᵀ·dZ2, dZ1 = dA1 * [Z1 > 0] with the mask [[1, 1], [0, 1]]
  assertClose(toRows(g.dA[0]!), [[d1, d2], [-2 * d1, -2 * d2]]);
  assertClose(toRows(g.dZ[0]!), [[d1, d2], [0, -2 * d2]]);
  // dW1 = ½·dZ1·Xᵀ with X's columns (1, 0) and (2, 1)
  assertClose(toRows(g.dW[0]!), [[(d1 + 2 * d2) / 2, d2 / 2], [-2 * d2, -d2]]);
  assertClose(toRows(g.db[0]!), [[(d1 + d2) / 2], [-d2]]);

  // θ := θ − α·dθ
  updateParameters(params, g, 0.1);
  assertClose(toRows(params.W[1]!), [[1 - 0.1 * (d1 + d2) / 2, -2 - 0.1 * d2]]);
  assertClose(toRows(params.b[0]!), [[-0.1 * (d1 + d2) / 2], [-1 + 0.1 * d2]]);
});

test('initParameters: shapes of the notes, zero biases, He scale sqrt(2/n_{l−1}), seeded', () => {
  assert.deepEqual(layerDimsOf(2, [4]), [2, 4, 1]);
  assert.deepEqual(layerDimsOf(30, [16, 8]), [30, 16, 8, 1]);
  const p = initParameters([400, 300, 1], 1);
  assert.deepEqual(p.W.map((w) => [w.rows, w.cols]), [[300, 400], [1, 300]]);
  assert.deepEqual(p.b.map((b) => [b.rows, b.cols]), [[300, 1], [1, 1]]);
  assert.ok(p.b.every((b) => b.data.every((v) => v === 0)));
  // 120,000 draws of N(0, 2/400): the sample variance is within a few percent of 0.005.
  const w = p.W[0]!.data;
  const mean = w.reduce((s, v) => s + v, 0) / w.length;
  const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
  assert.ok(Math.abs(variance / (2 / 400) - 1) < 0.02, `variance ${variance}`);
  assert.ok(Math.abs(mean) < 0.001);
  assert.deepEqual(initParameters([3, 5, 1], 9), initParameters([3, 5, 1], 9));
  assert.notDeepEqual(initParameters([3, 5, 1], 9).W[0]!.data, initParameters([3, 5, 1], 10).W[0]!.data);
  assert.throws(() => initParameters([3], 1), RangeError);
  assert.throws(() => initParameters([3, 0, 1], 1), RangeError);
});
