// The run controller the worker uses: a 100,000-epoch run posts every epoch exactly once, batched at
// most every 62.5 ms (≤ 16 messages/s), snapshots and boundaries at most every 600 ms, never per
// epoch; reset keeps the seed, "new seed" changes it, stop ends with 'cancelled'.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDataset } from '../../src/data/csv';
import type { FromWorker } from '../../src/protocol';
import { RunController, THROTTLE } from '../../src/worker/runController';
import { makeRun, root } from './harness';

const notes7 = parseDataset(readFileSync(join(root, 'test/fixtures/webview/notes7.csv'), 'utf8'), { fileName: 'notes7.csv', label: 'label' });
const twoFeatures = parseDataset('a,b,y\n0.1,0.2,1\n-0.3,0.5,0\n0.8,-0.1,1\n-0.6,-0.9,0\n0.4,0.7,1\n-0.2,0.3,0\n', { fileName: 'two.csv', label: 'y' });

test('a 100,000-epoch run: every epoch once, in order, in batched messages spaced ≥ 62.5 ms; snapshots ≥ 600 ms apart', async () => {
  const run = makeRun(twoFeatures, { hidden: [3], learningRate: 0.05, epochs: 100_000, batchSize: null, seed: 1, validationSplit: 0, standardize: true });
  // Real time, as in the worker; each message is stamped when posted.
  const stamped: { t: number; m: FromWorker }[] = [];
  const controller = new RunController(
    { post: (m) => stamped.push({ t: performance.now(), m }), now: () => performance.now(), yieldToEvents: () => new Promise((r) => setImmediate(r)) },
    run.setup,
  );
  const t0 = performance.now();
  await controller.start(run.setup(1));
  const seconds = (performance.now() - t0) / 1000;

  const epochs = stamped.filter((s) => s.m.type === 'epochs');
  const numbers = epochs.flatMap((s) => (s.m.type === 'epochs' ? s.m.points.map((p) => p.epoch) : []));
  assert.equal(numbers.length, 100_000);
  numbers.forEach((e, i) => assert.equal(e, i + 1));
  // All but the final flush (at the end of the run) keep the interval.
  for (let i = 1; i < epochs.length - 1; i++) assert.ok(epochs[i]!.t - epochs[i - 1]!.t >= THROTTLE.epochsMs - 0.5, `epochs messages ${i - 1} and ${i}`);
  for (const type of ['snapshot', 'boundary'] as const) {
    const ts = stamped.filter((s) => s.m.type === type).map((s) => s.t);
    // The first is sent at the start and the last at the end, whatever the interval.
    for (let i = 2; i < ts.length - 1; i++) assert.ok(ts[i]! - ts[i - 1]! >= THROTTLE.snapshotMs - 0.5, `${type} ${i}`);
    assert.ok(ts.length <= seconds / 0.6 + 3, `${ts.length} ${type} messages in ${seconds.toFixed(2)} s`);
  }
  assert.ok(epochs.length <= seconds * 16 + 2, `${epochs.length} epochs messages in ${seconds.toFixed(2)} s`);
  const last = stamped[stamped.length - 1]!.m;
  assert.equal(last.type, 'finished');
  assert.equal(last.type === 'finished' && last.result.epochs, 100_000);
  assert.equal(last.type === 'finished' && last.result.reason, 'completed');
  const modes = stamped.filter((s) => s.m.type === 'mode').map((s) => (s.m.type === 'mode' ? s.m.mode : ''));
  assert.deepEqual(modes, ['running', 'finished']);
  console.log(`# 100,000 epochs in ${seconds.toFixed(2)} s: ${stamped.length} messages (${epochs.length} epochs, ${stamped.filter((s) => s.m.type === 'snapshot').length} snapshots)`);
});

test('reset keeps the seed and starts over; "new seed" changes it; stop ends the run as cancelled', async () => {
  const run = makeRun(notes7, { hidden: [3], learningRate: 0.5, epochs: 1_000_000, batchSize: null, seed: 42, validationSplit: 0, standardize: true });
  await run.controller.start(run.setup(42), true);
  await run.controller.control('step');
  await run.controller.control('step');
  await run.controller.control('step');
  const first = run.sent.splice(0);
  const firstPoint = first.flatMap((m) => (m.type === 'epochs' ? m.points : []))[0]!;
  assert.equal(firstPoint.epoch, 1);

  // Reset while paused starts over paused: three steps make epoch 1 again, the same as before.
  await run.controller.control('reset');
  assert.equal(run.controller.currentMode, 'paused');
  for (let i = 0; i < 3; i++) await run.controller.control('step');
  const afterReset = run.sent.splice(0);
  const loaded = afterReset.find((m) => m.type === 'loaded');
  assert.ok(loaded && loaded.type === 'loaded');
  assert.equal(loaded.info.hyper.seed, 42);
  assert.deepEqual(afterReset.flatMap((m) => (m.type === 'epochs' ? m.points : [])), [firstPoint]);

  // While running, reset and "new seed" start a running run; a new seed gives other numbers.
  const playing = run.controller.control('play');
  const newRun = run.controller.control('newSeed');
  await run.controller.control('pause');
  await Promise.all([playing, newRun]);
  const afterNew = run.sent.splice(0);
  const loaded2 = afterNew.filter((m) => m.type === 'loaded').at(-1);
  assert.ok(loaded2 && loaded2.type === 'loaded');
  assert.notEqual(loaded2.info.hyper.seed, 42);
  const newPoints = afterNew.slice(afterNew.indexOf(loaded2)).flatMap((m) => (m.type === 'epochs' ? m.points : []));
  assert.equal(newPoints[0]!.epoch, 1);
  assert.notEqual(newPoints[0]!.cost, firstPoint.cost);

  await run.controller.stop();
  const end = run.sent.splice(0);
  const finished = end.find((m) => m.type === 'finished');
  assert.ok(finished && finished.type === 'finished');
  assert.equal(finished.result.reason, 'cancelled');
  assert.equal(run.controller.currentMode, 'finished');
});

test('the gradient check of the session agrees with the backward run', () => {
  const run = makeRun(notes7);
  const setup = run.setup(3);
  setup.session.runEpochs(5, () => {});
  const g = setup.session.gradcheck();
  // [4, 3, 1]: 12 + 3 + 3 + 1 parameters.
  assert.equal(g.theta.length, 19);
  assert.ok(g.relDifference < 1e-7, `relative difference ${g.relDifference}`);
});
