// The metrics at the end of a run (train's evaluateMetrics, on the fast engine with the plain
// kernels, after training with the runtime's) are those of the readable forward run
// (computeMetrics) exactly: cost bit for bit, every cell of the confusion matrix, hence accuracy,
// precision, recall and F1, over shapes that hit the kernels' remainders, trained and untrained
// parameters, and labels of one class only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeros } from '../../src/core/matrix';
import { computeMetrics } from '../../src/core/metrics';
import { initParameters } from '../../src/core/network';
import { evaluateMetrics, train } from '../../src/core/train';
import { syntheticData } from '../core/synthetic';

test('final metrics from the fast engine equal the readable forward run, cell by cell', () => {
  const cases: Array<[number[], number]> = [[[2, 4, 1], 400], [[3, 1], 7], [[5, 7, 3, 1], 33], [[30, 16, 1], 569], [[4, 9, 1], 1]];
  for (const [dims, m] of cases) {
    for (const seed of [1, 2]) {
      const { X, Y } = syntheticData(dims[0]!, m, seed);
      const params = initParameters(dims, seed);
      for (const epochs of [0, 50]) {
        if (epochs > 0) train(params, X, Y, { learningRate: 0.1, epochs, batchSize: null, seed });
        const fast = evaluateMetrics(params, X, Y);
        const readable = computeMetrics(params, X, Y);
        assert.deepEqual(fast, readable, `${dims.join('→')}, m = ${m}, seed ${seed}, after ${epochs} epochs`);
      }
    }
  }
});

test('final metrics count right where every label is one class', () => {
  const { X } = syntheticData(3, 20, 5);
  const params = initParameters([3, 4, 1], 5);
  for (const label of [0, 1]) {
    const Y = zeros(1, 20);
    Y.data.fill(label);
    assert.deepEqual(evaluateMetrics(params, X, Y), computeMetrics(params, X, Y));
  }
});
