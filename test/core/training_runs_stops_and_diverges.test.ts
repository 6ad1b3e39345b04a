import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochPoint } from '../../src/core/types';
import { flattenParameters } from '../../src/core/gradcheck';
import { computeMetrics } from '../../src/core/metrics';
import { backward, cloneParameters, computeCostFromLogits, forward, initParameters, updateParameters } from '../../src/core/network';
import { fromRows } from '../../src/core/matrix';
import { createRng, shuffledIndices } from '../../src/core/rng';
import { train } from '../../src/core/train';
import { syntheticData } from './synthetic';
import { usePlainKernels } from '../perf/plainKernels';

// Bit for bit with the readable core: the plain SIMD kernels.
usePlainKernels();

const base = { learningRate: 0.1, epochs: 50, batchSize: null, seed: 1 } as const;

test('full batch is exactly the notes\' loop: forward, cost, backward, update', () => {
  const { X, Y } = syntheticData(2, 60, 1);
  const a = initParameters([2, 4, 1], 1);
  const b = cloneParameters(a);
  const out = train(a, X, Y, { ...base, epochs: 10 });
  const costs: number[] = [];
  for (let e = 0; e < 10; e++) {
    const cache = forward(b, X);
    costs.push(computeCostFromLogits(cache.Z[1]!, Y));
    updateParameters(b, backward(b, cache, Y), 0.1);
  }
  assert.deepEqual(out, { reason: 'completed', message: null, epochs: 10, costs });
  assert.deepEqual(flattenParameters(a), flattenParameters(b));
});

test('the same seed gives the same parameters and cost trajectory bit for bit; another seed does not', () => {
  const { X, Y } = syntheticData(3, 80, 2);
  const run = (seed: number, batchSize: number | null) => {
    const p = initParameters([3, 6, 4, 1], seed);
    const out = train(p, X, Y, { ...base, seed, batchSize, epochs: 30 });
    return { theta: flattenParameters(p), costs: out.costs };
  };
  for (const batchSize of [null, 16]) {
    const first = run(7, batchSize);
    assert.deepEqual(run(7, batchSize), first);
    const other = run(8, batchSize);
    assert.notDeepEqual(other.theta, first.theta);
    assert.notDeepEqual(other.costs, first.costs);
  }
});

test('the cost falls and the accuracy rises on learnable data', () => {
  const { X, Y } = syntheticData(2, 200, 3);
  const p = initParameters([2, 8, 1], 3);
  const before = computeMetrics(p, X, Y);
  const out = train(p, X, Y, { ...base, learningRate: 0.5, epochs: 2000 });
  const after = computeMetrics(p, X, Y);
  assert.equal(out.reason, 'completed');
  assert.ok(out.costs[0]! > out.costs.at(-1)! * 2, `${out.costs[0]} → ${out.costs.at(-1)}`);
  assert.ok(after.accuracy > 0.9 && after.accuracy > before.accuracy, `${before.accuracy} → ${after.accuracy}`);
});

test('onEpoch reports every epoch: numbering, costs, accuracy, validation, ‖dW‖_F', () => {
  const { X, Y } = syntheticData(2, 100, 4);
  const val = syntheticData(2, 40, 5);
  const p = initParameters([2, 5, 3, 1], 4);
  const start = cloneParameters(p);
  const points: EpochPoint[] = [];
  const out = train(p, X, Y, { ...base, epochs: 5, validation: val, onEpoch: (pt) => points.push(pt) });
  assert.deepEqual(points.map((pt) => pt.epoch), [1, 2, 3, 4, 5]);
  assert.deepEqual(points.map((pt) => pt.cost), out.costs);
  // Epoch 1 describes the initial parameters (before its update), on both data sets.
  const m0 = computeMetrics(start, X, Y);
  const v0 = computeMetrics(start, val.X, val.Y);
  assert.equal(points[0]!.cost, m0.cost);
  assert.equal(points[0]!.accuracy, m0.accuracy);
  assert.equal(points[0]!.validationCost, v0.cost);
  assert.equal(points[0]!.validationAccuracy, v0.accuracy);
  const g = backward(start, forward(start, X), Y);
  g.dW.forEach((dW, l) => assert.ok(Math.abs(Math.hypot(...dW.data) - points[0]!.gradNorms[l]!) < 1e-15, `‖dW${l + 1}‖_F`));
  assert.equal(points[0]!.gradNorms.length, 3);

  const noVal: EpochPoint[] = [];
  train(initParameters([2, 5, 3, 1], 4), X, Y, { ...base, epochs: 1, onEpoch: (pt) => noVal.push(pt) });
  assert.equal(noVal[0]!.validationCost, null);
  assert.equal(noVal[0]!.validationAccuracy, null);
});

test('a huge learning rate is detected as divergence, with advice and usable parameters left', () => {
  const { X, Y } = syntheticData(2, 100, 6);
  for (const batchSize of [null, 10]) {
    const p = initParameters([2, 16, 16, 1], 6);
    const points: EpochPoint[] = [];
    const out = train(p, X, Y, { ...base, batchSize, learningRate: 1e6, epochs: 500, onEpoch: (pt) => points.push(pt) });
    assert.equal(out.reason, 'diverged');
    assert.ok(out.epochs < 10, `${out.epochs}`);
    assert.equal(out.costs.length, out.epochs);
    assert.equal(points.length, out.epochs);
    assert.match(out.message!, /diverged in epoch \d+: the cost rose from [\d.]+ to [\d.e+]+ with learning rate 1000000\b/);
    assert.match(out.message!, /smaller learning rate, e\.g\. 100000\b/);
    assert.ok(flattenParameters(p).every(Number.isFinite), 'parameters must stay usable');
  }
  const msg = train(initParameters([2, 4, 1], 1), X, Y, { ...base, learningRate: 3e5, epochs: 500 }).message;
  assert.match(msg ?? '', /e\.g\. 30000\b/);
});

test('after divergence the parameters are those at the start of the epoch before', () => {
  // With α = 10 this run's costs go 0.976, 16.3, 74.7, 40.3, 2020: epoch 5 is 100× epoch 1.
  const { X, Y } = syntheticData(2, 100, 6);
  const p = initParameters([2, 16, 16, 1], 6);
  const out = train(p, X, Y, { ...base, learningRate: 10, epochs: 100 });
  assert.equal(out.reason, 'diverged');
  assert.equal(out.epochs, 4);
  assert.match(out.message!, /epoch 5: .* reset to those at the start of epoch 4\./);
  const q = initParameters([2, 16, 16, 1], 6);
  train(q, X, Y, { ...base, learningRate: 10, epochs: 3 });
  assert.deepEqual(flattenParameters(p), flattenParameters(q));
  // Continuing a run: firstCost carries the reference over, so the explosion is still seen.
  const r = initParameters([2, 16, 16, 1], 6);
  const first = train(r, X, Y, { ...base, learningRate: 10, epochs: 3 });
  const rest = train(r, X, Y, { ...base, learningRate: 10, epochs: 10, startEpoch: 3, firstCost: first.costs[0]! });
  assert.equal(rest.reason, 'diverged');
  assert.equal(rest.epochs, 4);
});

test('a cost that overflows to NaN in the first epoch is divergence too; the initial θ is kept', () => {
  const { X, Y } = syntheticData(2, 20, 11);
  for (let i = 0; i < X.data.length; i++) X.data[i] *= 1e308;
  const p = initParameters([2, 4, 1], 11);
  const start = flattenParameters(p);
  const out = train(p, X, Y, { ...base, epochs: 5 });
  assert.equal(out.reason, 'diverged');
  assert.equal(out.epochs, 0);
  assert.deepEqual(out.costs, []);
  assert.match(out.message!, /epoch 1: the cost became (not a number \(NaN\)|infinite) with learning rate 0\.1\. .*e\.g\. 0\.01\b.*start of epoch 1\./);
  assert.deepEqual(flattenParameters(p), start);
});

test('shouldStop is asked between epochs and ends the run as cancelled', () => {
  const { X, Y } = syntheticData(2, 50, 7);
  const p = initParameters([2, 4, 1], 7);
  let asked = 0;
  const out = train(p, X, Y, { ...base, epochs: 100, shouldStop: () => ++asked > 3 });
  assert.deepEqual({ reason: out.reason, epochs: out.epochs, n: out.costs.length }, { reason: 'cancelled', epochs: 3, n: 3 });
  const q = initParameters([2, 4, 1], 7);
  train(q, X, Y, { ...base, epochs: 3 });
  assert.deepEqual(flattenParameters(p), flattenParameters(q));
  const none = train(initParameters([2, 4, 1], 7), X, Y, { ...base, shouldStop: () => true });
  assert.deepEqual(none, { reason: 'cancelled', message: null, epochs: 0, costs: [] });
});

test('mini-batches: one epoch is ⌈m/B⌉ steps on the examples in the order drawn from (seed, epoch)', () => {
  const { X, Y } = syntheticData(2, 50, 8);
  const p = initParameters([2, 4, 1], 8);
  const q = cloneParameters(p);
  const points: EpochPoint[] = [];
  train(p, X, Y, { ...base, batchSize: 16, epochs: 2, onEpoch: (pt) => points.push(pt) });

  // The same by hand: batches of 16, 16, 16 and 2 examples; cost and accuracy weighted by batch size.
  for (const epoch of [1, 2]) {
    const order = shuffledIndices(50, createRng(base.seed, epoch));
    let weighted = 0, correct = 0;
    for (const [from, to] of [[0, 16], [16, 32], [32, 48], [48, 50]] as const) {
      const cols = Array.from(order.subarray(from, to));
      const Xb = fromRows([cols.map((j) => X.data[j]!), cols.map((j) => X.data[50 + j]!)]);
      const Yb = fromRows([cols.map((j) => Y.data[j]!)]);
      const cache = forward(q, Xb);
      weighted += computeCostFromLogits(cache.Z[1]!, Yb) * (to - from);
      correct += cols.filter((_, k) => (cache.A[2]!.data[k]! > 0.5 ? 1 : 0) === Yb.data[k]).length;
      updateParameters(q, backward(q, cache, Yb), base.learningRate);
    }
    assert.ok(Math.abs(points[epoch - 1]!.cost - weighted / 50) < 1e-15);
    assert.equal(points[epoch - 1]!.accuracy, correct / 50);
  }
  assert.deepEqual(flattenParameters(p), flattenParameters(q));

  // A batch as large as the data set is plain full-batch gradient descent.
  const a = initParameters([2, 4, 1], 8);
  const b = initParameters([2, 4, 1], 8);
  train(a, X, Y, { ...base, batchSize: 50, epochs: 3 });
  train(b, X, Y, { ...base, batchSize: null, epochs: 3 });
  assert.deepEqual(flattenParameters(a), flattenParameters(b));

  // Batch size 1 (stochastic gradient descent) learns too.
  const s = initParameters([2, 4, 1], 8);
  const before = computeMetrics(s, X, Y).cost;
  const out = train(s, X, Y, { ...base, learningRate: 0.05, batchSize: 1, epochs: 20 });
  assert.equal(out.reason, 'completed');
  assert.ok(computeMetrics(s, X, Y).cost < before * 0.8);
});

test('continuing with startEpoch gives exactly the uninterrupted run, also with mini-batches', () => {
  const { X, Y } = syntheticData(3, 70, 9);
  for (const batchSize of [null, 8]) {
    const whole = initParameters([3, 5, 1], 9);
    const a = train(whole, X, Y, { ...base, batchSize, epochs: 10 });
    const parts = initParameters([3, 5, 1], 9);
    const b1 = train(parts, X, Y, { ...base, batchSize, epochs: 4 });
    const numbers: number[] = [];
    const b2 = train(parts, X, Y, { ...base, batchSize, epochs: 6, startEpoch: 4, onEpoch: (pt) => numbers.push(pt.epoch) });
    assert.deepEqual(numbers, [5, 6, 7, 8, 9, 10]);
    assert.equal(b2.epochs, 10);
    assert.deepEqual([...b1.costs, ...b2.costs], a.costs);
    assert.deepEqual(flattenParameters(parts), flattenParameters(whole));
  }
});

test('bad options and mismatched data are refused with a RangeError', () => {
  const { X, Y } = syntheticData(2, 10, 10);
  const p = initParameters([2, 3, 1], 1);
  assert.throws(() => train(p, X, Y, { ...base, learningRate: 0 }), RangeError);
  assert.throws(() => train(p, X, Y, { ...base, learningRate: NaN }), RangeError);
  assert.throws(() => train(p, X, Y, { ...base, epochs: 1.5 }), RangeError);
  assert.throws(() => train(p, X, Y, { ...base, batchSize: 0 }), RangeError);
  assert.throws(() => train(initParameters([3, 3, 1], 1), X, Y, base), /n_x = 3/);
  assert.throws(() => train(p, X, syntheticData(2, 11, 1).Y, base), RangeError);
  assert.throws(() => train(p, X, Y, { ...base, validation: syntheticData(3, 5, 1) }), /validation data/);
  assert.throws(() => train(p, X, Y, { ...base, firstCost: NaN }), RangeError);
});
