// A guard, not a benchmark (that is `npm run bench`): the fast engine must stay far ahead of the
// readable path on the benchmark's W3 size (about 30× ahead when this was written). It compares the
// two in the same process, alternating, and takes the best of several tries, so that a loaded
// machine slows both alike; it fails only on a regression of about 10×.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FastEngine } from '../../src/core/fast/engine';
import { backward, cloneParameters, forward, initParameters, updateParameters } from '../../src/core/network';
import { syntheticData } from '../core/synthetic';

test('one fast epoch on 30→16→1, m = 569 takes less than a third of a readable one', () => {
  const dims = [30, 16, 1];
  const { X, Y } = syntheticData(30, 569, 3);
  const p = initParameters(dims, 3);
  const readable = cloneParameters(p);
  const engine = new FastEngine(cloneParameters(p), X, Y, { threads: 1 });
  const readableEpoch = (): void => updateParameters(readable, backward(readable, forward(readable, X), Y), 0.01);
  const time = (f: () => void, k: number): number => {
    const t = performance.now();
    for (let i = 0; i < k; i++) f();
    return (performance.now() - t) / k;
  };
  let bestFast = Infinity, bestReadable = Infinity;
  for (let round = 0; round < 7; round++) {
    bestReadable = Math.min(bestReadable, time(readableEpoch, 3));
    bestFast = Math.min(bestFast, time(() => engine.epoch(0.01), 20));
  }
  assert.ok(bestFast * 3 < bestReadable, `fast ${bestFast.toFixed(3)} ms per epoch, readable ${bestReadable.toFixed(3)} ms`);
});
