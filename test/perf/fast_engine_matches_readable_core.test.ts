// The fast engine (src/core/fast) against the readable core's own functions (network.ts), which
// follow the notes line by line: the same costs, accuracy, gradient norms and parameters over
// architectures whose sizes hit every block and remainder of the kernels, full batch and
// mini-batches, tiles of one and of many, several seeds. With the plain SIMD kernels (forced here,
// so that this runs on every machine) in float64 on one lane they are equal bit for bit (every sum
// runs in the same order). With relaxed SIMD's fused multiply-add, and with a batch summed in two
// lanes, they agree to a relative 1e-12 per parameter after 100 epochs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FastEngineOptions, FastEngine, keptEngine } from '../../src/core/fast/engine';
import { kernelChoice } from '../../src/core/fast/kernelChoice';
import { type Matrix, frobeniusNorm, gatherColumns } from '../../src/core/matrix';
import { confusionOf } from '../../src/core/metrics';
import { type Parameters, backward, cloneParameters, computeCostFromLogits, forward, initParameters, updateParameters } from '../../src/core/network';
import { createRng, shuffledIndices } from '../../src/core/rng';
import { syntheticData } from '../core/synthetic';

interface EpochResult { cost: number; accuracy: number; gradNorms: number[] }

/** One epoch written with the readable functions, batch by batch, as the notes describe it. */
function readableEpoch(p: Parameters, X: Matrix, Y: Matrix, lr: number, batchSize: number, order: ArrayLike<number> | null): EpochResult {
  const m = X.cols, L = p.W.length;
  let costSum = 0, correct = 0, batches = 0;
  const norms = new Array<number>(L).fill(0);
  for (let from = 0; from < m; from += batchSize) {
    const to = Math.min(from + batchSize, m);
    const idx = order ?? Array.from({ length: m }, (_, j) => j);
    const Xb = gatherColumns(X, idx, from, to), Yb = gatherColumns(Y, idx, from, to);
    const cache = forward(p, Xb);
    costSum += computeCostFromLogits(cache.Z[L - 1]!, Yb) * (to - from);
    const c = confusionOf(cache.A[L]!.data, Yb.data);
    correct += c.tp + c.tn;
    const g = backward(p, cache, Yb);
    g.dW.forEach((dW, l) => (norms[l]! += frobeniusNorm(dW)));
    updateParameters(p, g, lr);
    batches++;
  }
  return { cost: costSum / m, accuracy: correct / m, gradNorms: norms.map((n) => n / batches) };
}

function maxParamDiff(a: Parameters, b: Parameters): number {
  let d = 0;
  a.W.forEach((W, l) => W.data.forEach((v, i) => (d = Math.max(d, Math.abs(v - b.W[l]!.data[i]!)))));
  a.b.forEach((B, l) => B.data.forEach((v, i) => (d = Math.max(d, Math.abs(v - b.b[l]!.data[i]!)))));
  return d;
}

/** The plain SIMD kernels on one lane: the readable core's sums in its order. */
const PLAIN: FastEngineOptions = { kernels: 'simd', threads: 1, parallelWork: Infinity };

/** Parameters as readable initParameters gives them, with non-zero biases, so that a bias added at the wrong place cannot hide. */
function startingPoint(dims: number[], seed: number): Parameters {
  const p = initParameters(dims, seed);
  const rng = createRng(seed + 100);
  for (const b of p.b) for (let i = 0; i < b.data.length; i++) b.data[i] = 0.1 * rng.normal();
  return p;
}

function compare(dims: number[], m: number, seed: number, batchSize: number | null, tile: number | undefined, epochs = 8, options: FastEngineOptions = PLAIN): void {
  const { X, Y } = syntheticData(dims[0]!, m, seed);
  const readable = startingPoint(dims, seed);
  const fastParams = cloneParameters(readable);
  const bs = batchSize ?? m;
  const engine = new FastEngine(fastParams, X, Y, { batchSize: bs, tile, ...options });
  const what = `dims [${dims}] m=${m} seed=${seed} batch=${batchSize ?? 'full'} tile=${tile ?? 'default'} kernels=${engine.kernels} threads=${engine.threads}`;
  const tolerance = options === PLAIN ? 0 : 1e-9;
  for (let e = 1; e <= epochs; e++) {
    const order = bs < m ? shuffledIndices(m, createRng(seed, e)) : null;
    const want = readableEpoch(readable, X, Y, 0.1, bs, order);
    const got = engine.epoch(0.1, order);
    assert.equal(got.finite, true, what);
    assert.equal(got.batches, Math.ceil(m / bs), what);
    assert.ok(Math.abs(got.costSum / m - want.cost) <= tolerance, `${what} epoch ${e}: cost ${got.costSum / m} vs ${want.cost}`);
    assert.equal(got.correct / m, want.accuracy, `${what} epoch ${e}: accuracy`);
    want.gradNorms.forEach((n, l) => assert.ok(Math.abs(got.gradNormSums[l]! / got.batches - n) <= tolerance, `${what} epoch ${e}: ‖dW${l + 1}‖`));
  }
  engine.store(fastParams);
  engine.dispose();
  const d = maxParamDiff(readable, fastParams);
  assert.ok(d <= tolerance, `${what}: parameters differ by ${d}`);
}

test('float64, full batch: architectures with every remainder of the 4-row and 2-vector blocks', () => {
  const archs = [[4, 3, 1], [2, 4, 1], [30, 16, 1], [1, 1], [3, 1], [5, 7, 6, 1], [8, 9, 2, 1], [13, 4, 5, 3, 1]];
  for (const dims of archs) for (const m of [1, 7, 8, 9, 33]) compare(dims, m, 1, null, undefined);
});

test('float64: one tile and many tiles of one batch give the same sums', () => {
  for (const tile of [8, 16, 24, 1000]) compare([6, 10, 5, 1], 203, 2, null, tile);
});

test('float64, mini-batches in a new order every epoch, several seeds', () => {
  for (const seed of [1, 2, 3]) {
    for (const batch of [1, 5, 32, 99]) compare([3, 6, 4, 1], 100, seed, batch, undefined, 4);
    compare([30, 16, 1], 569, seed, 64, 16, 3);
  }
});

test('float64: a larger network over many tiles, as the benchmark W4 in small', () => {
  compare([64, 128, 64, 1], 700, 4, null, undefined, 3);
});

test('float64 in two lanes, with either kernels: the halves\' gradient sums add up to the readable ones (1e-9 over a few epochs)', () => {
  for (const kernels of ['simd', 'relaxed-simd'] as const) {
    const two: FastEngineOptions = { kernels, threads: 2, parallelWork: 0 };
    compare([5, 7, 6, 1], 203, 7, null, 16, 5, two);
    compare([3, 6, 4, 1], 100, 8, 24, 8, 4, two);
    compare([64, 128, 64, 1], 700, 4, null, undefined, 3, { kernels, threads: 2 });
  }
});

/**
 * Trains `epochs` epochs with the readable functions and with the engine, from the same
 * parameters; the largest relative difference |fast − readable| / |readable| of any parameter.
 */
function relativeAfter(dims: number[], m: number, seed: number, batchSize: number | null, epochs: number, options: FastEngineOptions): { rel: number; engine: FastEngine } {
  const { X, Y } = syntheticData(dims[0]!, m, seed);
  const readable = startingPoint(dims, seed);
  const fastParams = cloneParameters(readable);
  const bs = batchSize ?? m;
  const engine = new FastEngine(fastParams, X, Y, { batchSize: bs, ...options });
  for (let e = 1; e <= epochs; e++) {
    const order = bs < m ? shuffledIndices(m, createRng(seed, e)) : null;
    readableEpoch(readable, X, Y, 0.1, bs, order);
    assert.equal(engine.epoch(0.1, order).finite, true);
  }
  engine.store(fastParams);
  engine.dispose();
  let rel = 0;
  readable.W.forEach((W, l) => W.data.forEach((v, i) => (rel = Math.max(rel, Math.abs(fastParams.W[l]!.data[i]! - v) / Math.abs(v)))));
  readable.b.forEach((B, l) => B.data.forEach((v, i) => (rel = Math.max(rel, Math.abs(fastParams.b[l]!.data[i]! - v) / Math.abs(v)))));
  return { rel, engine };
}

const AGREEMENT_CASES: [number[], number, number | null][] = [
  [[30, 16, 1], 569, null], // the benchmark's W3
  [[2, 4, 1], 400, null], // W2's shape
  [[5, 7, 6, 1], 203, 32], // mini-batches in a new order every epoch
  [[64, 128, 64, 1], 200, null], // W4's network
];

test('relaxed SIMD (fused multiply-add), one lane and two: every parameter within a relative 1e-12 of the readable core after 100 epochs', () => {
  for (const [dims, m, batch] of AGREEMENT_CASES) {
    for (const options of [{ kernels: 'relaxed-simd', threads: 1, parallelWork: Infinity }, { kernels: 'relaxed-simd', threads: 2, parallelWork: 0 }] as const) {
      const { rel, engine } = relativeAfter(dims, m, 3, batch, 100, options);
      const what = `dims [${dims}] m=${m} batch=${batch ?? 'full'} threads=${options.threads}`;
      assert.equal(engine.kernels, 'relaxed-simd');
      assert.ok(rel <= 1e-12, `${what}: relative difference ${rel}`);
      // Where the multiply-add is fused, the results are not the readable ones bit for bit: the
      // fused kernels really ran.
      if (kernelChoice().fused) assert.ok(rel > 0, `${what}: no difference at all`);
    }
  }
});

test('plain SIMD kernels on one lane: every parameter equal to the readable core\'s after 100 epochs, bit for bit', () => {
  for (const [dims, m, batch] of AGREEMENT_CASES) assert.equal(relativeAfter(dims, m, 3, batch, 100, PLAIN).rel, 0, `dims [${dims}]`);
});

test('float32: the same training, its cost within 1e-4 (relative) of float64 after 10 epochs', () => {
  for (const dims of [[4, 3, 1], [2, 4, 1], [30, 16, 1], [64, 128, 64, 1]]) {
    const { X, Y } = syntheticData(dims[0]!, 569, 5);
    const p = initParameters(dims, 5);
    const e64 = new FastEngine(cloneParameters(p), X, Y, { dtype: 'float64' });
    const e32 = new FastEngine(cloneParameters(p), X, Y, { dtype: 'float32' });
    let c64 = 0, c32 = 0;
    for (let e = 0; e < 10; e++) {
      c64 = e64.epoch(0.1).costSum / 569;
      c32 = e32.epoch(0.1).costSum / 569;
    }
    const rel = Math.abs(c32 - c64) / c64;
    assert.ok(rel <= 1e-4, `dims [${dims}]: float32 cost ${c32}, float64 ${c64}, relative difference ${rel}`);
    // …and float32 is really float32: not bit-identical to float64.
    assert.notEqual(c32, c64);
  }
});

test('evaluate(): the forward run alone gives the readable cost and accuracy, and learns nothing', () => {
  for (const dims of [[4, 3, 1], [30, 16, 1], [5, 7, 6, 1]]) {
    const { X, Y } = syntheticData(dims[0]!, 301, 9);
    const p = initParameters(dims, 9);
    const engine = new FastEngine(cloneParameters(p), X, Y, { ...PLAIN, tile: 64 });
    const cache = forward(p, X);
    const want = computeCostFromLogits(cache.Z[dims.length - 2]!, Y);
    const c = confusionOf(cache.A[dims.length - 1]!.data, Y.data);
    for (let round = 0; round < 2; round++) {
      const got = engine.evaluate();
      assert.equal(got.cost, want, `dims [${dims}]`);
      assert.equal(got.correct, c.tp + c.tn);
    }
    const after = cloneParameters(p);
    engine.store(after);
    assert.equal(maxParamDiff(p, after), 0);
  }
});

test('keptEngine: reused for the same data, with the parameters and example values of each call', () => {
  const { X, Y } = syntheticData(3, 40, 10);
  const p = initParameters([3, 5, 1], 10);
  const first = keptEngine('test', p, X, Y, PLAIN);
  const costOf = (params: typeof p): number => computeCostFromLogits(forward(params, X).Z[1]!, Y);
  assert.equal(first.evaluate().cost, costOf(p));
  const q = initParameters([3, 5, 1], 11);
  const again = keptEngine('test', q, X, Y, PLAIN);
  assert.equal(again, first);
  assert.equal(again.evaluate().cost, costOf(q), 'the new call\'s parameters');
  X.data[0] = 7; // changed in place between calls
  assert.equal(keptEngine('test', q, X, Y, PLAIN).evaluate().cost, costOf(q), 'the new example values');
  const other = syntheticData(3, 40, 12);
  assert.notEqual(keptEngine('test', q, other.X, other.Y, PLAIN), first);
  assert.notEqual(keptEngine('test', q, other.X, other.Y, { ...PLAIN, batchSize: 8 }), keptEngine('test', q, other.X, other.Y, PLAIN));
});

test('a batch whose cost is not finite stops the epoch before its update', () => {
  const { X, Y } = syntheticData(2, 50, 6);
  const p = initParameters([2, 4, 1], 6);
  p.W[1]!.data[0] = Number.NaN; // the output layer: ReLU would turn a NaN in a hidden layer into 0
  const engine = new FastEngine(p, X, Y, { batchSize: 10 });
  const s = engine.epoch(0.1);
  assert.equal(s.finite, false);
  assert.equal(s.batches, 0);
  assert.ok(Number.isNaN(s.lastCost));
});

test('bad shapes are refused with a message', () => {
  const { X, Y } = syntheticData(3, 10, 1);
  assert.throws(() => new FastEngine(initParameters([4, 2, 1], 1), X, Y), /do not fit a network with n_x = 4/);
  assert.throws(() => new FastEngine(initParameters([3, 2, 2], 1), X, Y), /one output unit/);
});
