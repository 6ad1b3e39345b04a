import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, shuffledIndices } from '../../src/core/rng';

const draw = (seed: number, n: number, stream = 0): number[] => {
  const rng = createRng(seed, stream);
  return Array.from({ length: n }, () => rng.uniform());
};

test('the same seed gives the same numbers, different seeds and streams different ones', () => {
  assert.deepEqual(draw(42, 100), draw(42, 100));
  assert.notDeepEqual(draw(42, 100), draw(43, 100));
  assert.notDeepEqual(draw(42, 100), draw(-42, 100));
  assert.notDeepEqual(draw(42, 100), draw(42, 100, 1));
  assert.notDeepEqual(draw(2 ** 40, 100), draw(2 ** 40 + 1, 100));
});

test('uniform numbers lie in [0, 1) with mean ½ and variance 1/12', () => {
  const xs = draw(7, 200_000);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  // Standard error of the mean: sqrt(1/12 / 200000) ≈ 0.00065.
  assert.ok(Math.abs(mean - 0.5) < 0.004, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
});

test('normal numbers have mean 0, variance 1 and the normal tail (|z| > 1.96 about 5%)', () => {
  const rng = createRng(3);
  const n = 200_000;
  const zs = Array.from({ length: n }, () => rng.normal());
  const mean = zs.reduce((s, z) => s + z, 0) / n;
  const variance = zs.reduce((s, z) => s + (z - mean) ** 2, 0) / n;
  const tail = zs.filter((z) => Math.abs(z) > 1.96).length / n;
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.015, `variance ${variance}`);
  assert.ok(Math.abs(tail - 0.05) < 0.003, `tail ${tail}`);
  assert.ok(zs.every(Number.isFinite));
});

test('int(n) covers 0 … n−1 evenly and rejects a bad n', () => {
  const rng = createRng(11);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60_000; i++) counts[rng.int(6)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 400, `counts ${counts}`);
  assert.throws(() => rng.int(0), RangeError);
  assert.throws(() => rng.int(2.5), RangeError);
  assert.throws(() => createRng(NaN), RangeError);
});

test('shuffledIndices is a permutation, seeded, and every position is reached', () => {
  const p = shuffledIndices(50, createRng(5));
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(p, shuffledIndices(50, createRng(5)));
  assert.notDeepEqual(p, shuffledIndices(50, createRng(6)));
  // Element 0 must be able to land anywhere (a classic off-by-one in Fisher–Yates prevents that).
  const seen = new Set<number>();
  const rng = createRng(9);
  for (let k = 0; k < 2000; k++) seen.add(shuffledIndices(5, rng).indexOf(0));
  assert.equal(seen.size, 5);
  assert.deepEqual(shuffledIndices(0, rng), new Uint32Array(0));
});
