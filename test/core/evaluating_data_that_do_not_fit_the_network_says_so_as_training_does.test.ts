// evaluateMetrics falls back to the readable steps only where train() does, for data too large for
// the fast engine (EngineCapacityError); any other refusal of the engine, such as data that do not
// fit the network, reaches the caller with the engine's own message, as it does from train().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows } from '../../src/core/matrix';
import { initParameters } from '../../src/core/network';
import { evaluateMetrics, train } from '../../src/core/train';

test('X with three features for a network of two: evaluateMetrics and train() refuse it alike', () => {
  const params = initParameters([2, 3, 1], 1);
  const X = fromRows([[1, 2], [3, 4], [5, 6]]);
  const Y = fromRows([[1, 0]]);
  const message = /X \(3 × 2\) and Y \(1 × 2\) do not fit a network with n_x = 2$/;
  assert.throws(() => evaluateMetrics(params, X, Y), message);
  assert.throws(() => train(params, X, Y, { learningRate: 0.1, epochs: 1, batchSize: null, seed: 1 }), /X has 3 features per example, the network expects n_x = 2/);
});
