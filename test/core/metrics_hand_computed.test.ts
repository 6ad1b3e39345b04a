import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows } from '../../src/core/matrix';
import { classify, computeMetrics, confusionOf, predictProbabilities, scoresOf } from '../../src/core/metrics';

// Logistic regression (no hidden layer) with W = [[1]], b = 0: Ŷ = σ(x), so the class is 1 exactly for x > 0.
const params = { W: [fromRows([[1]])], b: [fromRows([[0]])] };

test('predictions are σ(z) and classes come from the 0.5 threshold (0.5 itself is class 0)', () => {
  const X = fromRows([[-2, 0, 3]]);
  const p = predictProbabilities(params, X);
  assert.deepEqual([...p], [1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-3))]);
  assert.deepEqual([...classify(p)], [0, 0, 1]);
  assert.deepEqual([...classify(p, 0.1)], [1, 1, 1]);
});

test('a hand-counted confusion: tp 3, fp 1, tn 2, fn 2', () => {
  //            x:  2  1  5 -1 | 3 | -2 -4 | -3
  //   prediction:  1  1  1  0 | 1 |  0  0 |  0
  //        label:  1  1  1  1 | 0 |  0  0 |  1
  const X = fromRows([[2, 1, 5, -1, 3, -2, -4, -3]]);
  const Y = fromRows([[1, 1, 1, 1, 0, 0, 0, 1]]);
  const m = computeMetrics(params, X, Y);
  assert.deepEqual(m.confusion, { tp: 3, fp: 1, tn: 2, fn: 2 });
  assert.equal(m.accuracy, 5 / 8);
  assert.equal(m.precision, 3 / 4);
  assert.equal(m.recall, 3 / 5);
  // F1 = 2·P·R/(P + R) = 2·0.45/1.35 = 2/3
  assert.ok(Math.abs(m.f1 - 2 / 3) < 1e-15);
  // J = 1/8·Σ log(1 + e^(−z) for y = 1, e^(z) for y = 0)
  const z = [2, 1, 5, -1, 3, -2, -4, -3];
  const y = [1, 1, 1, 1, 0, 0, 0, 1];
  const J = z.reduce((s, zi, i) => s + Math.log1p(Math.exp(y[i] === 1 ? -zi : zi)), 0) / 8;
  assert.ok(Math.abs(m.cost - J) < 1e-15);
});

test('precision, recall and F1 are 0, not NaN, when nothing is predicted or present positive', () => {
  const noPositivePredicted = scoresOf({ tp: 0, fp: 0, tn: 5, fn: 3 });
  assert.deepEqual(noPositivePredicted, { accuracy: 5 / 8, precision: 0, recall: 0, f1: 0 });
  const noPositives = computeMetrics(params, fromRows([[-1, -2, 4]]), fromRows([[0, 0, 0]]));
  assert.deepEqual(noPositives.confusion, { tp: 0, fp: 1, tn: 2, fn: 0 });
  assert.equal(noPositives.recall, 0);
  assert.equal(noPositives.precision, 0);
  assert.equal(noPositives.f1, 0);
  assert.deepEqual(confusionOf([0.9, 0.2], [1, 0]), { tp: 1, fp: 0, tn: 1, fn: 0 });
  assert.deepEqual(scoresOf({ tp: 4, fp: 0, tn: 0, fn: 0 }), { accuracy: 1, precision: 1, recall: 1, f1: 1 });
});
