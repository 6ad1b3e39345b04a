import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows } from '../../src/core/matrix';
import { computeCost, computeCostFromLogits, sigmoid } from '../../src/core/network';

test('BCE is finite where Ŷ is exactly 0 or 1, right or wrong', () => {
  const Y = fromRows([[1, 0, 1, 0]]);
  // Right and certain: loss 0.
  assert.equal(computeCost(fromRows([[1, 0, 1, 0]]), Y), 0);
  // Wrong and certain: large but finite.
  const wrong = computeCost(fromRows([[0, 1, 0, 1]]), Y);
  assert.ok(Number.isFinite(wrong) && wrong > 700, `${wrong}`);
  const mixed = computeCost(fromRows([[1, 1, 0.5, 0.5]]), Y);
  assert.ok(Number.isFinite(mixed) && mixed > 100);
});

test('the logits form is exact for huge logits and agrees with the notes\' formula elsewhere', () => {
  const Y = fromRows([[1, 0, 1, 0]]);
  // Loss of a wrong answer with logit z is |z| (+ e^−|z|, negligible here).
  const Z = fromRows([[-1000, 1000, 1e300, -1e300]]);
  assert.equal(computeCostFromLogits(Z, Y), (1000 + 1000 + 0 + 0) / 4);
  const A = sigmoid(Z); // exactly 0, 1, 1, 0
  assert.deepEqual([...A.data], [0, 1, 1, 0]);
  assert.ok(Number.isFinite(computeCost(A, Y)));

  const z = [-3, -0.5, 0, 0.7, 4];
  const y = [0, 1, 1, 0, 1];
  const expected = z.reduce((s, zi, i) => s - (y[i]! * Math.log(1 / (1 + Math.exp(-zi))) + (1 - y[i]!) * Math.log(1 - 1 / (1 + Math.exp(-zi)))), 0) / 5;
  assert.ok(Math.abs(computeCostFromLogits(fromRows([z]), fromRows([y])) - expected) < 1e-15);
  assert.ok(Math.abs(computeCost(sigmoid(fromRows([z])), fromRows([y])) - expected) < 1e-15);
});

test('J of Ŷ = ½ everywhere is log 2, and m = 0 or a shape mismatch is refused', () => {
  assert.ok(Math.abs(computeCost(fromRows([[0.5, 0.5, 0.5]]), fromRows([[1, 0, 1]])) - Math.LN2) < 1e-16);
  assert.ok(Math.abs(computeCostFromLogits(fromRows([[0, 0]]), fromRows([[1, 0]])) - Math.LN2) < 1e-16);
  assert.throws(() => computeCost(fromRows([[0.5, 0.5]]), fromRows([[1, 0, 1]])), RangeError);
  assert.throws(() => computeCost({ rows: 1, cols: 0, data: new Float64Array(0) }, { rows: 1, cols: 0, data: new Float64Array(0) }), RangeError);
});
