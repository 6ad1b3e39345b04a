// The panel's reducer on its own, without a browser: each message changes the state as the views
// expect, and a state once made is never changed by what comes after it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochPoint, GradCheckResult, Metrics, RunInfo } from '../../src/core/types';
import type { ToPanel } from '../../src/protocol';
import { historyOf, initialState, reduce, type PanelAction, type PanelState } from '../../src/webview/state';

const info = (layerDims: number[]): RunInfo => ({
  datasetName: 'sample:flower',
  featureNames: layerDims[0] === 2 ? ['x1', 'x2'] : Array.from({ length: layerDims[0]! }, (_, i) => `f${i + 1}`),
  labelName: 'y',
  labels: { '0': 'red', '1': 'blue' },
  layerDims,
  m: 320,
  mValidation: 80,
  hyper: { hidden: layerDims.slice(1, -1), learningRate: 0.3, epochs: 100, batchSize: null, seed: 1, validationSplit: 0.2, standardize: true },
});
const point = (epoch: number): EpochPoint => ({ epoch, cost: 1 / epoch, validationCost: 2 / epoch, accuracy: 0.5, validationAccuracy: null, gradNorms: [epoch, 10 * epoch] });
const metrics: Metrics = { cost: 0.2, accuracy: 0.9, precision: 0.8, recall: 0.7, f1: 0.75, confusion: { tp: 1, fp: 2, tn: 3, fn: 4 } };
const gradcheck: GradCheckResult = { epsilon: 1e-6, relDifference: 3e-9, perParameter: [], theta: [1], dtheta: [2], dthetaApprox: [2] };

const run = (layerDims = [2, 4, 1], locale: 'en' | 'de' = 'en'): ToPanel => ({ type: 'run', info: info(layerDims), locale });
const reduceAll = (s: PanelState, actions: PanelAction[]): PanelState => actions.reduce(reduce, s);

test("a run's messages: its map's terms, the history in order, the snapshot and the one before, the result", () => {
  let s = reduceAll(initialState('en'), [run(), { type: 'epochs', points: [point(1), point(2)] }, { type: 'epochs', points: [point(3)] }]);
  assert.equal(s.run, 1);
  assert.equal(s.info?.layerDims.join(), '2,4,1');
  assert.ok(s.terms.some((t) => t.id === 'dW2') && s.terms.some((t) => t.id === 'uW1'));
  const h = historyOf(s.history);
  assert.deepEqual(h.epochs, [1, 2, 3]);
  assert.deepEqual(h.cost, [1, 0.5, 1 / 3]);
  assert.deepEqual(h.valAcc, [null, null, null]);
  assert.deepEqual(h.grad, [[1, 2, 3], [10, 20, 30]]);
  assert.deepEqual(h.points.map((p) => p.epoch), [1, 2, 3]);

  const snap = (epoch: number) => ({ epoch, phase: 'forward' as const, cost: 0.5, m: 1, X: { rows: 1, cols: 1, data: [0] }, Y: { rows: 1, cols: 1, data: [1] }, layers: [] });
  s = reduceAll(s, [{ type: 'snapshot', snapshot: snap(3) }, { type: 'snapshot', snapshot: snap(4) }]);
  assert.equal(s.previous?.epoch, 3);
  assert.equal(s.snapshot?.epoch, 4);

  const result = { reason: 'completed' as const, message: null, epochs: 3, train: metrics, validation: null };
  s = reduceAll(s, [{ type: 'mode', mode: 'finished' }, { type: 'finished', result }]);
  assert.equal(s.mode, 'finished');
  assert.equal(s.result, result);
  // Reset or New seed: running again, the last result is gone.
  s = reduce(s, { type: 'mode', mode: 'running' });
  assert.equal(s.result, null);
});

test('the gradient check: asked for, answered; an error ends the waiting and shows a banner until the next run', () => {
  let s = reduceAll(initialState('en'), [run(), { type: 'gradcheckRequested' }]);
  assert.equal(s.gradcheckPending, true);
  s = reduce(s, { type: 'gradcheck', result: gradcheck });
  assert.deepEqual([s.gradcheckPending, s.gradcheck], [false, gradcheck]);
  s = reduceAll(s, [{ type: 'gradcheckRequested' }, { type: 'error', message: 'the worker stopped' }]);
  assert.equal(s.gradcheckPending, false);
  assert.deepEqual(s.banner, { kind: 'error', message: 'the worker stopped' });
  s = reduce(s, run());
  assert.equal(s.banner, null);
  assert.equal(s.gradcheck, null);
  assert.deepEqual(reduce(s, { type: 'notice', message: 'restored' }).banner, { kind: 'notice', message: 'restored' });
});

test('a new run starts a new history and map, and keeps the selection only where the new map has the term', () => {
  let s = reduceAll(initialState('en', 'dW2'), [run([2, 4, 1]), { type: 'epochs', points: [point(1)] }, { type: 'reluLayer', layer: 1 }]);
  assert.equal(s.selected, 'dW2');
  s = reduce(s, { type: 'exercise', file: 'ex.py', marks: [{ term: 'dW2', status: 'wrong', line: 3 }] });
  s = reduce(s, run([2, 4, 3, 1], 'de'));
  assert.equal(s.run, 2);
  assert.equal(s.locale, 'de');
  assert.equal(s.history.length, 0);
  assert.equal(s.history.grad.length, 3);
  assert.equal(s.selected, 'dW2');
  // The exercise's marks belong to the learner's file, not to the run.
  assert.equal(s.exercise?.file, 'ex.py');
  s = reduce(reduce(s, { type: 'select', id: 'dW3' }), run([2, 4, 1]));
  assert.equal(s.selected, null);
  // The ReLU mask is a term of every map with a hidden layer.
  assert.equal(reduce(reduce(s, { type: 'select', id: 'mask1' }), run([2, 5, 1])).selected, 'mask1');
});

test('a state is never changed by reducing it again: two different next messages give two histories', () => {
  const s0 = reduceAll(initialState('en'), [run(), { type: 'epochs', points: [point(1)] }]);
  const before = JSON.stringify(historyOf(s0.history));
  const a = reduce(s0, { type: 'epochs', points: [point(2)] });
  const b = reduce(s0, { type: 'epochs', points: [point(7), point(8)] });
  const a2 = reduce(a, { type: 'epochs', points: [point(3)] });
  assert.deepEqual(historyOf(a.history).epochs, [1, 2]);
  assert.deepEqual(historyOf(b.history).epochs, [1, 7, 8]);
  assert.deepEqual(historyOf(a2.history).epochs, [1, 2, 3]);
  assert.deepEqual(historyOf(b.history).grad, [[1, 7, 8], [10, 70, 80]]);
  assert.equal(JSON.stringify(historyOf(s0.history)), before);
  // Nothing else of the state is touched either.
  const frozen = reduceAll(initialState('en'), [run()]);
  Object.freeze(frozen);
  assert.doesNotThrow(() => reduceAll(frozen, [{ type: 'select', id: 'X' }, { type: 'mode', mode: 'paused' }, { type: 'gradcheckRequested' }]));
  assert.equal(frozen.selected, null);
  assert.equal(frozen.mode, null);
});
