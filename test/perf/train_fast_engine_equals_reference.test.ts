// train() runs the fast engine by default; `engine: 'reference'` runs the readable loop. On one
// thread in float64 the two must give the same outcome bit for bit: costs, every EpochPoint
// (accuracy, validation figures, ‖dW‖), divergence and cancellation, and the final parameters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloneParameters, initParameters, type Parameters } from '../../src/core/network';
import { type TrainOptions, train } from '../../src/core/train';
import type { EpochPoint } from '../../src/core/types';
import { syntheticData } from '../core/synthetic';
import { usePlainKernels } from './plainKernels';

// Bit for bit with the readable core: the plain SIMD kernels.
usePlainKernels();

function both(dims: number[], m: number, options: Omit<TrainOptions, 'onEpoch'>, seed = 1) {
  const { X, Y } = syntheticData(dims[0]!, m, seed);
  const start = initParameters(dims, seed);
  const run = (engine: 'fast' | 'reference') => {
    const params = cloneParameters(start);
    const points: EpochPoint[] = [];
    const outcome = train(params, X, Y, { ...options, engine, onEpoch: (p) => points.push(p) });
    return { outcome, points, params };
  };
  return { fast: run('fast'), reference: run('reference'), X, Y };
}

const flat = (p: Parameters): number[] => [...p.W, ...p.b].flatMap((M) => Array.from(M.data));

test('full batch and mini-batches, with validation data: the same outcome, epoch points and parameters', () => {
  const validation = syntheticData(4, 50, 9);
  for (const batchSize of [null, 1, 16, 63]) {
    const { fast, reference } = both([4, 6, 3, 1], 120, { learningRate: 0.2, epochs: 12, batchSize, seed: 3, validation });
    assert.deepEqual(fast.outcome, reference.outcome, `batch ${batchSize}`);
    assert.deepEqual(fast.points, reference.points, `batch ${batchSize}`);
    assert.deepEqual(flat(fast.params), flat(reference.params), `batch ${batchSize}`);
  }
});

test('a run in chunks of epochs (as the command line trains) equals one call', () => {
  const { X, Y } = syntheticData(3, 90, 4);
  const a = initParameters([3, 5, 1], 4);
  const b = cloneParameters(a);
  const whole = train(a, X, Y, { learningRate: 0.1, epochs: 9, batchSize: 10, seed: 2 });
  const costs: number[] = [];
  for (let done = 0; done < 9; done += 3) costs.push(...train(b, X, Y, { learningRate: 0.1, epochs: 3, batchSize: 10, seed: 2, startEpoch: done, firstCost: whole.costs[0]! }).costs);
  assert.deepEqual(costs, whole.costs);
  assert.deepEqual(flat(b), flat(a));
});

test('divergence: the same epoch, message and restored parameters', () => {
  for (const batchSize of [null, 8]) {
    const { fast, reference } = both([2, 8, 1], 64, { learningRate: 1e4, epochs: 30, batchSize, seed: 5 });
    assert.equal(reference.outcome.reason, 'diverged', 'the reference run must diverge for this test to mean anything');
    assert.deepEqual(fast.outcome, reference.outcome);
    assert.deepEqual(flat(fast.params), flat(reference.params));
  }
});

test('cancellation between epochs: the same epochs done', () => {
  const { X, Y } = syntheticData(2, 30, 6);
  for (const engine of ['fast', 'reference'] as const) {
    const p = initParameters([2, 3, 1], 6);
    let asked = 0;
    const out = train(p, X, Y, { learningRate: 0.1, epochs: 10, batchSize: null, seed: 1, engine, shouldStop: () => ++asked > 4 });
    assert.equal(out.reason, 'cancelled');
    assert.equal(out.epochs, 4);
    assert.equal(out.costs.length, 4);
  }
});

test('a large batch on two threads agrees to 1e-9', () => {
  const { fast, reference } = both([20, 64, 1], 4000, { learningRate: 0.1, epochs: 3, batchSize: null, seed: 7 });
  fast.outcome.costs.forEach((c, i) => assert.ok(Math.abs(c - reference.outcome.costs[i]!) <= 1e-9, `epoch ${i + 1}`));
  const f = flat(fast.params), r = flat(reference.params);
  assert.ok(f.every((x, i) => Math.abs(x - r[i]!) <= 1e-9));
});

test('float32: within 1e-4 of float64 after 10 epochs; not with the reference engine', () => {
  const { X, Y } = syntheticData(5, 300, 8);
  const p = initParameters([5, 16, 1], 8);
  const run = (dtype: 'float32' | 'float64') => train(cloneParameters(p), X, Y, { learningRate: 0.3, epochs: 10, batchSize: null, seed: 1, dtype }).costs.at(-1)!;
  const c64 = run('float64'), c32 = run('float32');
  assert.ok(Math.abs(c32 - c64) / c64 <= 1e-4, `${c32} vs ${c64}`);
  assert.notEqual(c32, c64);
  assert.throws(() => train(cloneParameters(p), X, Y, { learningRate: 0.3, epochs: 1, batchSize: null, seed: 1, engine: 'reference', dtype: 'float32' }), /float32 training needs the fast engine/);
});
