// Two threads where they pay: a batch with at least PARALLEL_WORK multiply-adds is summed in two
// halves (lanes), lane 1 on a worker thread sharing the engine's memory (or, where the worker does
// not begin it in time, on the main thread), the halves' gradient sums added in a fixed order.
// What is identical to what, bit for bit: for the same data, parameters, options and kernels, the
// parameters and costs after any number of epochs are the same on every run with two threads
// (lane 1 always on the worker, or on whichever thread takes it), and the same as with one thread
// running both lanes in turn. Timing cannot change them.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { type FastEngineOptions, FastEngine, PARALLEL_WORK } from '../../src/core/fast/engine';
import { cloneParameters, initParameters, type Parameters } from '../../src/core/network';
import { createRng, shuffledIndices } from '../../src/core/rng';
import { syntheticData } from '../core/synthetic';

const DIMS = [30, 16, 1]; // the benchmark's W3 network
const MACS = 30 * 16 + 16 * 1;
/** Just enough examples for two lanes by default. */
const M = Math.ceil(PARALLEL_WORK / MACS) + 37;

const flat = (p: Parameters): number[] => [...p.W, ...p.b].flatMap((x) => Array.from(x.data));

function trained(options: FastEngineOptions, epochs: number, batchSize?: number): { params: number[]; costs: number[]; threads: number; byWorker: number; offered: number } {
  const { X, Y } = syntheticData(DIMS[0]!, M, 4);
  const p = initParameters(DIMS, 4);
  const engine = new FastEngine(p, X, Y, { ...options, ...(batchSize ? { batchSize } : {}) });
  const threads = engine.threads;
  const costs: number[] = [];
  let batches = 0;
  for (let e = 1; e <= epochs; e++) {
    const order = batchSize ? shuffledIndices(M, createRng(4, e)) : null;
    const s = engine.epoch(0.1, order);
    assert.equal(s.finite, true);
    costs.push(s.costSum);
    batches += s.batches;
  }
  const stats = engine.laneStats;
  // Where the second thread always takes lane 1, it ran every batch summed in two.
  if (options.secondThread === 'always' && batchSize === undefined) assert.deepEqual(stats, { offered: batches, byWorker: batches, paused: 0 });
  engine.store(p);
  engine.dispose();
  return { params: flat(p), costs, threads, byWorker: stats?.byWorker ?? 0, offered: stats?.offered ?? 0 };
}

test('the engine picks two threads from the work size: at PARALLEL_WORK and above (where there are two cores), one below', () => {
  const { X, Y } = syntheticData(DIMS[0]!, M, 1);
  const big = new FastEngine(initParameters(DIMS, 1), X, Y);
  assert.equal(big.threads, availableParallelism() >= 2 ? 2 : 1);
  big.dispose();
  const few = syntheticData(DIMS[0]!, Math.floor((PARALLEL_WORK - 1) / MACS), 1);
  assert.equal(new FastEngine(initParameters(DIMS, 1), few.X, few.Y).threads, 1);
  assert.equal(new FastEngine(initParameters(DIMS, 1), X, Y, { threads: 1 }).threads, 1);
});

test('two threads, three runs, and one thread: the same parameters and costs bit for bit (both kernels, both number types)', () => {
  for (const kernels of ['relaxed-simd', 'simd'] as const) {
    for (const dtype of ['float64', 'float32'] as const) {
      const what = `${kernels} ${dtype}`;
      const always = { kernels, dtype, threads: 2, secondThread: 'always' } as const;
      const runs = [trained(always, 30), trained(always, 30), trained({ kernels, dtype, threads: 2 }, 30)];
      for (const r of runs) assert.equal(r.threads, 2, what);
      const one = trained({ kernels, dtype, threads: 1 }, 30);
      assert.equal(one.threads, 1);
      for (const r of runs) {
        assert.deepEqual(r.params, runs[0]!.params, `${what}: repeated runs on two threads`);
        assert.deepEqual(r.costs, runs[0]!.costs, what);
      }
      assert.deepEqual(one.params, runs[0]!.params, `${what}: one thread against two`);
      assert.deepEqual(one.costs, runs[0]!.costs, what);
    }
  }
});

test('mini-batches large enough for two lanes, in a new order every epoch: the same bits on one thread and on two', () => {
  const batch = Math.ceil(M / 2) + 5; // a large batch in two lanes, then a small one in one
  const two = trained({ threads: 2, secondThread: 'always', parallelWork: (batch - 1) * MACS }, 12, batch);
  const again = trained({ threads: 2, parallelWork: (batch - 1) * MACS }, 12, batch);
  const one = trained({ threads: 1, parallelWork: (batch - 1) * MACS }, 12, batch);
  assert.equal(two.threads, 2);
  assert.equal(two.byWorker, 12, 'one large batch per epoch on the worker');
  assert.deepEqual(again.params, two.params);
  assert.deepEqual(one.params, two.params);
});

test('dispose() ends the worker; the engine goes on training on one thread with the same numbers', () => {
  const { X, Y } = syntheticData(DIMS[0]!, M, 4);
  const p = initParameters(DIMS, 4);
  const a = new FastEngine(cloneParameters(p), X, Y, { threads: 2, secondThread: 'always' });
  const b = new FastEngine(cloneParameters(p), X, Y, { threads: 2, secondThread: 'always' });
  for (let e = 0; e < 3; e++) {
    a.epoch(0.1);
    b.epoch(0.1);
  }
  b.dispose();
  assert.equal(b.threads, 1);
  for (let e = 0; e < 3; e++) assert.equal(b.epoch(0.1).costSum, a.epoch(0.1).costSum);
  const pa = cloneParameters(p), pb = cloneParameters(p);
  a.store(pa);
  b.store(pb);
  a.dispose();
  assert.deepEqual(flat(pb), flat(pa));
});

test('adaptive (the default): nothing is offered before the second thread is ready; from then on every batch in two lanes is offered to it or, while offers pause, run here, and the first offers are always made', { timeout: 120_000 }, async () => {
  const { X, Y } = syntheticData(DIMS[0]!, M, 4);
  const engine = new FastEngine(initParameters(DIMS, 4), X, Y, { threads: 2 });
  let before = 0;
  for (;;) {
    engine.epoch(0.1);
    before++;
    if (engine.laneStats!.offered > 0) break;
    await new Promise((r) => setTimeout(r, 1)); // the worker starts meanwhile
  }
  for (let e = 0; e < 40; e++) engine.epoch(0.1);
  const s = engine.laneStats!;
  engine.dispose();
  assert.equal(s.offered + s.paused, before + 40);
  assert.ok(s.byWorker <= s.offered);
  assert.equal(s.offered, 41, 'every batch from the first offer on was offered');
});
