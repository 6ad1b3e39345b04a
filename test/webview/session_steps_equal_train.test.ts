// The training session behind the panel: stepping phase by phase, or running in slices, gives
// exactly the numbers of one `train` call (full batch, mini-batches, with validation).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows, type Matrix } from '../../src/core/matrix';
import { cloneParameters, initParameters, layerDimsOf } from '../../src/core/network';
import { TrainingSession, type SessionHyper } from '../../src/core/session';
import { train } from '../../src/core/train';
import type { EpochPoint } from '../../src/core/types';
import { usePlainKernels } from '../perf/plainKernels';

// Bit for bit with the readable core: the plain SIMD kernels.
usePlainKernels();

// A small two-feature problem: class 1 where x1·x2 > 0 (XOR-like), 24 examples, and 6 for validation.
function data(n: number, offset: number): { X: Matrix; Y: Matrix } {
  const x1: number[] = [];
  const x2: number[] = [];
  const y: number[] = [];
  for (let j = 0; j < n; j++) {
    const a = Math.sin(1.7 * (j + offset)) * 2;
    const b = Math.cos(2.3 * (j + offset)) * 2;
    x1.push(a);
    x2.push(b);
    y.push(a * b > 0 ? 1 : 0);
  }
  return { X: fromRows([x1, x2]), Y: fromRows([y]) };
}
const trainSet = data(24, 0);
const validation = data(6, 100);

function reference(hyper: SessionHyper, hidden: number[]): { points: EpochPoint[]; W: number[][] } {
  const params = initParameters(layerDimsOf(2, hidden), hyper.seed);
  const points: EpochPoint[] = [];
  train(params, trainSet.X, trainSet.Y, { ...hyper, validation, onEpoch: (p) => points.push(p) });
  return { points, W: [...params.W, ...params.b].map((m) => Array.from(m.data)) };
}

function session(hyper: SessionHyper, hidden: number[]): TrainingSession {
  return new TrainingSession({ X: trainSet.X, Y: trainSet.Y, validation }, hyper, cloneParameters(initParameters(layerDimsOf(2, hidden), hyper.seed)));
}

for (const batchSize of [null, 5]) {
  test(`stepping forward → backward → update gives train's numbers (batch size ${batchSize ?? 'full'})`, () => {
    const hyper: SessionHyper = { learningRate: 0.3, epochs: 12, batchSize, seed: 11, };
    const ref = reference(hyper, [4, 3]);
    const s = session(hyper, [4, 3]);
    const points: EpochPoint[] = [];
    const phases: string[] = [];
    while (!s.finished) {
      const out = s.step();
      assert.equal(out.diverged, null);
      phases.push(out.phase);
      if (out.point) points.push(out.point);
    }
    assert.deepEqual(points, ref.points);
    assert.deepEqual([...s.params.W, ...s.params.b].map((m) => Array.from(m.data)), ref.W);
    const batches = batchSize === null ? 1 : Math.ceil(24 / batchSize);
    assert.equal(phases.length, 12 * batches * 3);
    assert.deepEqual(phases.slice(0, 6), ['forward', 'backward', 'update', 'forward', 'backward', 'update']);
  });
}

test('running in slices of different sizes, and mixing slices with steps, gives train\'s numbers', () => {
  const hyper: SessionHyper = { learningRate: 0.3, epochs: 30, batchSize: 7, seed: 5 };
  const ref = reference(hyper, [3]);
  const s = session(hyper, [3]);
  const points: EpochPoint[] = [];
  for (const n of [1, 4, 2, 7]) s.runEpochs(n, (p) => points.push(p));
  // Two phases by hand, then slices again: the half-done epoch is finished first.
  s.step();
  s.step();
  assert.equal(s.phase, 'backward');
  s.runEpochs(5, (p) => points.push(p));
  while (!s.finished) s.runEpochs(100, (p) => points.push(p));
  assert.deepEqual(points.map((p) => p.epoch), Array.from({ length: 30 }, (_, i) => i + 1));
  assert.deepEqual(points, ref.points);
  assert.deepEqual([...s.params.W, ...s.params.b].map((m) => Array.from(m.data)), ref.W);
});

test('the snapshot after each phase holds that phase\'s matrices, labelled with epoch and phase', () => {
  const hyper: SessionHyper = { learningRate: 0.5, epochs: 3, batchSize: null, seed: 2 };
  const s = session(hyper, [3]);
  s.runEpochs(1, () => {});
  const atEpoch1 = s.snapshot();
  assert.equal(atEpoch1.epoch, 1);
  assert.equal(atEpoch1.phase, 'update');
  s.step();
  const fwd = s.snapshot();
  assert.deepEqual([fwd.epoch, fwd.phase], [2, 'forward']);
  // Z[1] = W[1]·X + b[1] at the parameters after epoch 1's update, for every example.
  const W1 = atEpoch1.layers[0]!.W;
  const b1 = atEpoch1.layers[0]!.b;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 24; j++) {
      const z = W1.data[i * 2]! * trainSet.X.data[j]! + W1.data[i * 2 + 1]! * trainSet.X.data[24 + j]! + b1.data[i]!;
      assert.ok(Math.abs(fwd.layers[0]!.Z.data[i * 24 + j]! - z) < 1e-12);
    }
  }
  // The gradients shown are still epoch 1's until the backward run.
  assert.deepEqual(fwd.layers[0]!.dW, atEpoch1.layers[0]!.dW);
  s.step();
  const bwd = s.snapshot();
  assert.deepEqual([bwd.epoch, bwd.phase], [2, 'backward']);
  assert.notDeepEqual(bwd.layers[0]!.dW, atEpoch1.layers[0]!.dW);
  s.step();
  const upd = s.snapshot();
  assert.deepEqual([upd.epoch, upd.phase], [2, 'update']);
  // W := W − α·dW with the gradients of the backward run.
  upd.layers[0]!.W.data.forEach((w, k) => assert.ok(Math.abs(w - (W1.data[k]! - 0.5 * bwd.layers[0]!.dW.data[k]!)) < 1e-15));
});

test('large m: snapshots send the first columns only, with statistics over all', () => {
  const big = data(500, 0);
  const s = new TrainingSession({ ...big, validation: null }, { learningRate: 0.1, epochs: 1, batchSize: null, seed: 1 }, initParameters([2, 3, 1], 1));
  const snap = s.snapshot(48);
  assert.equal(snap.X.cols, 48);
  assert.equal(snap.X.totalCols, 500);
  const all = Array.from(big.X.data);
  assert.equal(snap.X.stats!.min, Math.min(...all));
  assert.equal(snap.X.stats!.max, Math.max(...all));
  assert.equal(snap.X.data[47], big.X.data[47]);
  assert.equal(snap.X.data[48], big.X.data[500]); // row 2 starts after the 48 columns sent of row 1
});

test('a session continuing after epoch 7 numbers on and draws the mini-batch orders of train with startEpoch 7', () => {
  const hyper: SessionHyper = { learningRate: 0.3, epochs: 6, batchSize: 5, seed: 8 };
  const params = initParameters(layerDimsOf(2, [4]), 8);
  const ref: EpochPoint[] = [];
  const refParams = cloneParameters(params);
  train(refParams, trainSet.X, trainSet.Y, { ...hyper, validation, startEpoch: 7, onEpoch: (p) => ref.push(p) });
  const s = new TrainingSession({ X: trainSet.X, Y: trainSet.Y, validation }, hyper, cloneParameters(params), 7);
  const points: EpochPoint[] = [];
  while (!s.finished) {
    const out = s.step();
    if (out.point) points.push(out.point);
  }
  assert.deepEqual(points.map((p) => p.epoch), [8, 9, 10, 11, 12, 13]);
  assert.deepEqual(points, ref);
  assert.deepEqual(s.params, refParams);
});
