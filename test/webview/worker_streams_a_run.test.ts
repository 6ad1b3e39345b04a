// The built training worker (dist/trainWorker.js) as the extension host uses it: it loads the data,
// streams the run, answers pause/step/stop and the gradient check, and reports bad data with its
// line and column instead of failing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { computeMetrics } from '../../src/core/metrics';
import { parseModelFile } from '../../src/core/model';
import { loadSample } from '../../src/data/samples';
import { prepareData } from '../../src/data/prepare';
import type { FromWorker, Hyper, ToWorker } from '../../src/protocol';
import { root } from './harness';

const hyper: Hyper = { hidden: [4], learningRate: 0.5, epochs: 300, batchSize: null, seed: 9, validationSplit: 0.2, standardize: true };

/** A worker with a queue of its messages; `next(type)` waits for the next message of that type. */
function startWorker(): { post(m: ToWorker): void; next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>>; all: FromWorker[]; end(): Promise<number> } {
  const worker = new Worker(join(root, 'dist', 'trainWorker.js'));
  const all: FromWorker[] = [];
  let seen = 0;
  const waiters: (() => void)[] = [];
  worker.on('message', (m: FromWorker) => {
    all.push(m);
    for (const w of waiters.splice(0)) w();
  });
  return {
    all,
    post: (m) => worker.postMessage(m),
    async next(type) {
      for (;;) {
        while (seen < all.length) {
          const m = all[seen++]!;
          if (m.type === type) return m as never;
        }
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    end: () => worker.terminate(),
  };
}

test('a run on a built-in dataset: loaded, every epoch once, snapshots, boundary, finished with a usable model', async () => {
  const w = startWorker();
  w.post({ type: 'start', source: { kind: 'sample', name: 'xor' }, hyper });
  const loaded = await w.next('loaded');
  assert.deepEqual(loaded.info.layerDims, [2, 4, 1]);
  assert.equal(loaded.info.m + loaded.info.mValidation, 400);
  assert.equal(loaded.info.mValidation, 80);
  const finished = await w.next('finished');
  await w.end();
  const epochs = w.all.flatMap((m) => (m.type === 'epochs' ? m.points.map((p) => p.epoch) : []));
  assert.deepEqual(epochs, Array.from({ length: 300 }, (_, i) => i + 1));
  assert.ok(w.all.some((m) => m.type === 'snapshot'));
  assert.ok(w.all.some((m) => m.type === 'boundary'));
  assert.equal(finished.result.reason, 'completed');
  assert.equal(finished.result.epochs, 300);
  // The model file holds the trained parameters: evaluated on the same split, it scores what the run reported.
  const { params, model } = parseModelFile(JSON.stringify(finished.model), 'model.json');
  assert.deepEqual(model.featureNames, loaded.info.featureNames);
  const prepared = prepareData(loadSample('xor'), { validationSplit: 0.2, seed: 9, standardize: true });
  assert.deepEqual(computeMetrics(params, prepared.train.X, prepared.train.Y), finished.result.train);
  assert.deepEqual(computeMetrics(params, prepared.validation!.X, prepared.validation!.Y), finished.result.validation);
});

test('pause, three steps (forward, backward, update), the gradient check, and stop → cancelled', async () => {
  const w = startWorker();
  w.post({ type: 'start', source: { kind: 'sample', name: 'moons' }, hyper: { ...hyper, epochs: 5_000_000 } });
  await w.next('epochs');
  w.post({ type: 'control', action: 'pause' });
  let mode = await w.next('mode');
  while (mode.mode !== 'paused') mode = await w.next('mode');
  // When the running slice ends it posts the paused state: its snapshot, then its boundary.
  await w.next('boundary');
  const before = w.all.length;
  for (let i = 0; i < 3; i++) w.post({ type: 'control', action: 'step' });
  for (let i = 0; i < 3; i++) await w.next('snapshot');
  const stepped = w.all.slice(before).filter((m): m is Extract<FromWorker, { type: 'snapshot' }> => m.type === 'snapshot').map((m) => m.snapshot);
  assert.deepEqual(stepped.map((s) => s.phase), ['forward', 'backward', 'update']);
  assert.equal(stepped[0]!.epoch, stepped[2]!.epoch);
  w.post({ type: 'gradcheck' });
  const g = await w.next('gradcheck');
  assert.ok(g.result.relDifference < 1e-5, `relative difference ${g.result.relDifference}`);
  w.post({ type: 'stop' });
  const finished = await w.next('finished');
  await w.end();
  assert.equal(finished.result.reason, 'cancelled');
  assert.equal(finished.result.epochs, stepped[2]!.epoch);
});

test('bad data: a dataError with file, line and column, and nothing else', async () => {
  const w = startWorker();
  const text = 'a,b,y\n1,2,0\n3,oops,1\n4,5,0\n';
  w.post({ type: 'start', source: { kind: 'file', path: '/data/broken.csv', text, label: 'y' }, hyper });
  const e = await w.next('dataError');
  await new Promise((r) => setTimeout(r, 100));
  await w.end();
  assert.equal(e.error.line, 3);
  assert.equal(e.error.column, 2);
  assert.match(e.error.message, /oops/);
  assert.deepEqual(w.all.map((m) => m.type), ['dataError']);
});

test('continuing from a model file: its parameters, its epochs numbered on', async () => {
  const first = startWorker();
  first.post({ type: 'start', source: { kind: 'sample', name: 'circles' }, hyper: { ...hyper, epochs: 50 } });
  const done = await first.next('finished');
  await first.end();
  const w = startWorker();
  w.post({ type: 'start', source: { kind: 'sample', name: 'circles' }, hyper: { ...hyper, epochs: 20 }, initModel: done.model });
  const finished = await w.next('finished');
  await w.end();
  const points = w.all.flatMap((m) => (m.type === 'epochs' ? m.points : []));
  assert.deepEqual(points.map((p) => p.epoch), Array.from({ length: 20 }, (_, i) => 51 + i));
  // Epoch 51's cost is J of the parameters the first run ended with (full batch: J before the update).
  assert.equal(points[0]!.cost, done.result.train.cost);
  assert.equal(finished.result.epochs, 70);
});
