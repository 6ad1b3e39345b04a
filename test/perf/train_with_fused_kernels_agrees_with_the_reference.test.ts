// train() with the kernels the runtime chooses (relaxed SIMD's fused multiply-add where it has it,
// as on Node 20 with its flag, Node ≥ 22 and VS Code's Electron) against the readable loop
// (`engine: 'reference'`): the same outcome, each epoch's cost and every parameter within a
// relative 1e-12 after 100 epochs; a diverging run diverges in the same epoch. The bit-for-bit
// agreement of the plain kernels is train_fast_engine_equals_reference.test.ts's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runtimeKernels } from '../../src/core/fast/kernelChoice';
import { cloneParameters, initParameters, type Parameters } from '../../src/core/network';
import { type TrainOptions, train } from '../../src/core/train';
import { syntheticData } from '../core/synthetic';

const flat = (p: Parameters): number[] => [...p.W, ...p.b].flatMap((M) => Array.from(M.data));
const relative = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

function both(dims: number[], m: number, options: TrainOptions, seed = 1) {
  const { X, Y } = syntheticData(dims[0]!, m, seed);
  const start = initParameters(dims, seed);
  const run = (engine: 'fast' | 'reference') => {
    const params = cloneParameters(start);
    return { outcome: train(params, X, Y, { ...options, engine }), params };
  };
  return { fast: run('fast'), reference: run('reference') };
}

test('this runtime runs the fused kernels (the choice every other agreement test relies on)', () => {
  assert.equal(runtimeKernels().kernels, 'relaxed-simd', `Node ${process.version} should validate relaxed SIMD (natively or with its flag)`);
});

test('100 epochs, full batch and mini-batches: every cost and parameter within 1e-12 (relative)', () => {
  const validation = syntheticData(30, 100, 9);
  const cases: [number[], number, number | null, TrainOptions['validation']][] = [
    [[30, 16, 1], 569, null, validation],
    [[30, 16, 1], 569, 64, undefined],
    [[4, 6, 3, 1], 120, 16, undefined],
  ];
  for (const [dims, m, batchSize, v] of cases) {
    const what = `[${dims}] m=${m} batch=${batchSize ?? 'full'}`;
    const { fast, reference } = both(dims, m, { learningRate: 0.1, epochs: 100, batchSize, seed: 3, ...(v ? { validation: v } : {}) });
    assert.equal(fast.outcome.reason, 'completed', what);
    assert.equal(fast.outcome.epochs, reference.outcome.epochs, what);
    fast.outcome.costs.forEach((c, i) => assert.ok(relative(c, reference.outcome.costs[i]!) <= 1e-12, `${what} epoch ${i + 1}: ${c} vs ${reference.outcome.costs[i]}`));
    const f = flat(fast.params), r = flat(reference.params);
    const worst = Math.max(...f.map((x, i) => relative(x, r[i]!)));
    assert.ok(worst <= 1e-12, `${what}: a parameter differs by ${worst} (relative)`);
  }
});

test('a diverging run diverges in the same epoch with the same message', () => {
  const { fast, reference } = both([2, 8, 1], 64, { learningRate: 1e4, epochs: 30, batchSize: null, seed: 5 });
  assert.equal(reference.outcome.reason, 'diverged');
  assert.equal(fast.outcome.reason, 'diverged');
  assert.equal(fast.outcome.epochs, reference.outcome.epochs);
  assert.equal(fast.outcome.message, reference.outcome.message);
});
