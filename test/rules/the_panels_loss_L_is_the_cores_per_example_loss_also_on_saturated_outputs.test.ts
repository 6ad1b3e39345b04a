// One per-example loss: the panel's L of each example is the core's, whose mean is the J the panel
// shows beside it, also where the sigmoid's output has rounded to 0 or 1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows } from '../../src/core/matrix';
import { computeCostFromLogits } from '../../src/core/network';
import { finalSnapshot } from '../../src/core/snapshot';
import { quantity } from '../../src/webview/quantities';

test("the panel's L equals the core's loss of each example and averages to J, on saturated outputs too", () => {
  // One input, no hidden layer to speak of: z = W2·relu(W1·x) with W1 = 1, W2 = 1, so z = x for x ≥ 0.
  const params = { W: [fromRows([[1]]), fromRows([[1]])], b: [fromRows([[0]]), fromRows([[0]])] };
  const z = [0.5, 3, 40, 40, 800, 800, 36.9, 0];
  const y = [1, 0, 1, 0, 1, 0, 0, 1];
  const X = fromRows([z]);
  const Y = fromRows([y]);
  const snap = finalSnapshot(params, X, Y, 1);
  const L = quantity(snap, { key: 'L', layer: 0 })!;
  assert.equal(L.cols, z.length);
  z.forEach((zj, j) => {
    const core = computeCostFromLogits(fromRows([[zj]]), fromRows([[y[j]!]]));
    assert.ok(Math.abs(L.data[j]! - core) <= 1e-12 * Math.max(1, core), `example ${j} (z = ${zj}, y = ${y[j]}): panel ${L.data[j]}, core ${core}`);
  });
  const mean = L.data.reduce((s, l) => s + l, 0) / L.cols;
  assert.ok(Math.abs(mean - snap.cost) <= 1e-12 * snap.cost, `mean of L ${mean}, J ${snap.cost}`);
});
