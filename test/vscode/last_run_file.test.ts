// The file that carries the last run across a window reload: a real finished run comes back whole
// (its history thinned when long), and anything that is not such a file is ignored, never half-shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModelFile } from '../../src/core/model';
import { initParameters } from '../../src/core/network';
import { loadSample } from '../../src/data/samples';
import { parseSavedRun, SAVED_MAX_POINTS, savedRunJson, type RunState } from '../../src/extension/lastRun';
import type { FromWorker } from '../../src/protocol';
import { makeRun } from '../webview/harness';

async function finishedRun(epochs: number): Promise<RunState> {
  const run = makeRun(loadSample('xor'), { hidden: [4], learningRate: 0.5, epochs, batchSize: null, seed: 2, validationSplit: 0.2, standardize: true });
  const setup = run.setup(2);
  await run.controller.start(setup);
  const of = <K extends FromWorker['type']>(type: K) => run.sent.filter((m): m is Extract<FromWorker, { type: K }> => m.type === type);
  return {
    info: setup.info,
    points: of('epochs').flatMap((m) => m.points),
    snapshot: of('snapshot').at(-1)!.snapshot,
    boundary: of('boundary').at(-1)!.boundary,
    mode: 'finished',
    result: of('finished')[0]!.result,
    gradcheck: setup.session.gradcheck(),
  };
}

test('a finished run and its model come back as they were saved', async () => {
  const state = await finishedRun(300);
  assert.equal(state.points.length, 300);
  const json = createModelFile({ params: initParameters([2, 4, 1], 2), featureNames: ['x1', 'x2'], labelName: 'y', labels: { '0': '0', '1': '1' }, scaling: null });
  const model = { json, datasetName: 'sample:xor' };
  const origin = { source: { kind: 'sample' as const, name: 'xor' }, dataName: 'sample:xor', fileUri: null };
  const back = parseSavedRun(savedRunJson({ kind: 'finished', state, model, origin }));
  assert.deepEqual(back, JSON.parse(JSON.stringify({ kind: 'finished', state, model, origin })));
});

test('a long history is thinned for the file, keeping the first and the last epoch', async () => {
  const state = await finishedRun(SAVED_MAX_POINTS * 2 + 500);
  const back = parseSavedRun(savedRunJson({ kind: 'finished', state, model: null, origin: null }));
  assert.equal(back?.kind, 'finished');
  const points = back.kind === 'finished' ? back.state.points : [];
  assert.ok(points.length <= SAVED_MAX_POINTS + 1 && points.length > SAVED_MAX_POINTS / 2, `${points.length} points`);
  assert.deepEqual(points[0], state.points[0]);
  assert.deepEqual(points.at(-1), state.points.at(-1));
});

test("a file's run is kept to be trained again without the file's text (it is read afresh)", async () => {
  const state = await finishedRun(5);
  const source = { kind: 'file' as const, path: '/data/tumours.csv', text: 'a,b\n1,0\n', label: 2, ignore: ['id'] };
  const back = parseSavedRun(savedRunJson({ kind: 'finished', state, model: null, origin: { source, dataName: 'tumours.csv', fileUri: 'file:///data/tumours.csv' } }));
  assert.equal(back?.kind, 'finished');
  assert.deepEqual(back.kind === 'finished' && back.origin, { source: { kind: 'file', path: '/data/tumours.csv', label: 2, ignore: ['id'] }, dataName: 'tumours.csv', fileUri: 'file:///data/tumours.csv' });
  // An origin that is not one is dropped; the run itself is still shown.
  const bad = JSON.parse(savedRunJson({ kind: 'finished', state, model: null, origin: null }));
  bad.origin = { source: { kind: 'file', path: 7 }, dataName: 'x', fileUri: null };
  const kept = parseSavedRun(JSON.stringify(bad));
  assert.equal(kept?.kind === 'finished' && kept.origin, null);
});

test('a run that was started and never finished is told apart', () => {
  assert.deepEqual(parseSavedRun(savedRunJson({ kind: 'running', datasetName: 'data <b>.csv' })), { kind: 'running', datasetName: 'data <b>.csv' });
});

test('a file cut short, of another version or format, or missing what the panel needs is ignored', async () => {
  const good = savedRunJson({ kind: 'finished', state: await finishedRun(20), model: null, origin: null });
  const edit = (f: (v: Record<string, any>) => void): string => {
    const v = JSON.parse(good);
    f(v);
    return JSON.stringify(v);
  };
  assert.notEqual(parseSavedRun(good), null);
  for (const [why, text] of [
    ['cut short', good.slice(0, good.length / 2)],
    ['empty', ''],
    ['another version', edit((v) => (v.version = 2))],
    ['another format', edit((v) => (v.format = 'backprop-map-history'))],
    ['no run info', edit((v) => delete v.state.info)],
    ['layer sizes not numbers', edit((v) => (v.state.info.layerDims = ['2', '4', '1']))],
    ['a broken epoch', edit((v) => (v.state.points[3] = { epoch: 4 }))],
    ['no result', edit((v) => delete v.state.result)],
    ['not finished', edit((v) => (v.state.mode = 'running'))],
    ['an array', '[]'],
  ] as const) {
    assert.equal(parseSavedRun(text), null, why);
  }
});

test('a kept model that fails the model file checks is dropped with the reason; the run is still shown', async () => {
  const state = await finishedRun(5);
  const json = createModelFile({ params: initParameters([2, 4, 1], 2), featureNames: ['x1', 'x2'], labelName: 'y', labels: { '0': '0', '1': '1' }, scaling: null });
  const text = savedRunJson({ kind: 'finished', state, model: { json: { ...json, training: { epochs: 1e308 } }, datasetName: 'sample:xor' }, origin: null });
  const back = parseSavedRun(text, '/store/last-run.json');
  assert.equal(back?.kind, 'finished');
  assert.equal(back.kind === 'finished' && back.model, null);
  assert.equal(
    back.kind === 'finished' && back.modelProblem,
    '"/store/last-run.json (the last run\'s model)" is not a usable Backprop Map model file: "training.epochs" must be a whole number of epochs from 0 up to 2^53 − 1, not 1e+308.',
  );
});
