import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flattenParameters, gradientCheck } from '../../src/core/gradcheck';
import { fromRows } from '../../src/core/matrix';
import { forward, initParameters } from '../../src/core/network';
import { train } from '../../src/core/train';
import { distanceToKink, syntheticData } from './synthetic';

const cases: { dims: number[]; seed: number; trained: boolean }[] = [
  { dims: [2, 4, 1], seed: 1, trained: false },
  { dims: [2, 4, 1], seed: 2, trained: true },
  { dims: [4, 3, 1], seed: 3, trained: false },
  { dims: [4, 3, 1], seed: 4, trained: true },
  { dims: [3, 5, 4, 1], seed: 5, trained: false },
  { dims: [3, 5, 4, 1], seed: 6, trained: true },
  { dims: [6, 8, 8, 1], seed: 7, trained: false },
  { dims: [6, 8, 8, 1], seed: 8, trained: true },
  { dims: [1, 1], seed: 9, trained: true }, // logistic regression, no hidden layer
];

for (const { dims, seed, trained } of cases) {
  test(`backward matches central differences for [${dims.join(', ')}], seed ${seed}${trained ? ', after 30 epochs' : ''}`, () => {
    const { X, Y } = syntheticData(dims[0]!, 25, 100 + seed);
    const params = initParameters(dims, seed);
    // Training first gives non-zero biases, so that db is checked away from the initial point too.
    if (trained) train(params, X, Y, { learningRate: 0.1, epochs: 30, batchSize: null, seed });
    // Central differences are only valid away from ReLU's kink at 0: ε = 1e-7 moves no z this far.
    assert.ok(distanceToKink(forward(params, X).Z) > 1e-4, 'test data too close to a ReLU kink');

    const before = flattenParameters(params);
    const r = gradientCheck(params, X, Y);
    assert.deepEqual(flattenParameters(params), before, 'the check must leave the parameters as they were');
    assert.ok(r.relDifference < 1e-7, `relative difference ${r.relDifference}`);
    assert.equal(r.kinks, 0);
    assert.equal(r.epsilon, 1e-6);
    const L = dims.length - 1;
    assert.deepEqual(r.perParameter.map((p) => p.name), Array.from({ length: L }, (_, l) => [`W${l + 1}`, `b${l + 1}`]).flat());
    for (const p of r.perParameter) assert.ok(p.relDifference < 1e-7, `${p.name}: ${p.relDifference}`);
    const n = dims.slice(1).reduce((s, d, i) => s + d * dims[i]! + d, 0);
    assert.equal(r.theta.length, n);
    assert.equal(r.dtheta.length, n);
    assert.equal(r.dthetaApprox.length, n);
    assert.ok(r.dtheta.some((v) => Math.abs(v) > 1e-3), 'a vanishing gradient would make the check meaningless');
  });
}

test('θ is W1 row by row, then b1, then W2, b2', () => {
  const p = {
    W: [fromRows([[1, 2], [3, 4], [5, 6]]), fromRows([[7, 8, 9]])],
    b: [fromRows([[10], [11], [12]]), fromRows([[13]])],
  };
  assert.deepEqual([...flattenParameters(p)], [1, 2, 3, 4, 5, 6, 10, 11, 12, 7, 8, 9, 13]);
});

test('the check can fail: exactly at a ReLU kink, dθ and the central difference disagree', () => {
  // z1 = W1·x + b1 = 1·1 + 0·0 − 1 = 0: backward takes [0 > 0] = 0, central differences see
  // half of the slope of the right-hand side, so W1's and b1's rows differ completely.
  const params = { W: [fromRows([[1, 0]]), fromRows([[1]])], b: [fromRows([[-1]]), fromRows([[0]])] };
  const X = fromRows([[1], [0]]);
  const Y = fromRows([[1]]);
  const r = gradientCheck(params, X, Y);
  const byName = Object.fromEntries(r.perParameter.map((p) => [p.name, p.relDifference]));
  assert.equal(byName['W1'], 1);
  assert.equal(byName['b1'], 1);
  assert.ok(byName['W2']! < 1e-7 && byName['b2']! < 1e-7);
  assert.ok(r.relDifference > 0.05, `${r.relDifference}`);
  // dJ/dz1 from the right is (σ(0) − 1)·W2 = −½, so the central difference gives −¼ for b1.
  assert.ok(Math.abs(r.dthetaApprox[2]! - -0.25) < 1e-6, `${r.dthetaApprox[2]}`);
  // W1[1][1] and b1 move z1 across 0; W1[1][2] multiplies x₂ = 0 and W2, b2 act after the ReLU.
  assert.equal(r.kinks, 2);
});

test('a kink within ε of z is stepped over with a smaller step, so the check still passes', () => {
  // z1 = 1 − (1 − 4e-7) ≈ 4e-7 > 0: a step of ±1e-6 on b1 crosses 0, a step of ±1e-8 does not.
  const params = { W: [fromRows([[1, 0]]), fromRows([[1]])], b: [fromRows([[-1 + 4e-7]]), fromRows([[0]])] };
  const X = fromRows([[1], [0]]);
  const Y = fromRows([[1]]);
  const r = gradientCheck(params, X, Y);
  assert.equal(r.kinks, 0);
  assert.ok(r.relDifference < 1e-7, `${r.relDifference}`);
  // A plain central difference with ε = 1e-6 would be off: it sees the flat side for most of its step.
  const J = (b1: number): number => {
    const z1 = 1 + b1;
    const a1 = Math.max(z1, 0);
    return Math.log1p(Math.exp(-a1)); // y = 1, z2 = a1
  };
  const naive = (J(params.b[0]!.data[0]! + 1e-6) - J(params.b[0]!.data[0]! - 1e-6)) / 2e-6;
  assert.ok(Math.abs(naive - r.dtheta[2]!) > 0.1 * Math.abs(r.dtheta[2]!), `${naive} vs ${r.dtheta[2]}`);
});
