// A run in the training worker (the extension's WorkerRun, with the real dist/trainWorker.js) always
// ends with an outcome: finished, its data refused, stopped, or ended at once when the extension is
// disposed, which also ends the worker thread (the progress notification waits for that outcome).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Hyper } from '../../src/core/types';
import type { DataSource } from '../../src/data/types';
import { WorkerRun } from '../../src/extension/workerRun';
import type { FromWorker } from '../../src/protocol';
import { root } from '../webview/harness';

const hyper: Hyper = { hidden: [4], learningRate: 0.5, epochs: 200, batchSize: null, seed: 3, validationSplit: 0.2, standardize: true };
const errors: string[] = [];

function start(source: DataSource, h: Hyper = hyper): { run: WorkerRun; seen: FromWorker[]; ended: () => boolean } {
  const seen: FromWorker[] = [];
  let ended = false;
  const run = new WorkerRun({
    workerPath: join(root, 'dist', 'trainWorker.js'),
    source,
    hyper: h,
    onMessage: (m) => seen.push(m),
    onEnd: () => (ended = true),
    log: { error: (m) => errors.push(m) },
  });
  return { run, seen, ended: () => ended };
}

test('a finished run: its state as reported, its model, the outcome finished; the worker stays for Reset', async () => {
  const { run, seen, ended } = start({ kind: 'sample', name: 'xor' });
  const outcome = await run.outcome;
  assert.equal(outcome.kind, 'finished');
  assert.equal(outcome.kind === 'finished' && outcome.result.epochs, 200);
  assert.equal(run.state?.points.length, 200);
  assert.equal(run.state?.mode, 'finished');
  assert.ok(run.model !== undefined);
  assert.deepEqual(seen.at(-1)?.type, 'finished');
  assert.equal(run.active, true);
  assert.equal(ended(), false);
  await run.close();
  assert.equal(run.active, false);
});

test('data the worker refuses: the outcome names the problem and the worker is ended', async () => {
  const { run, ended } = start({ kind: 'file', path: 'bad.csv', text: 'a,y\n1,0\nx,1\n', label: 'y' });
  const outcome = await run.outcome;
  assert.equal(outcome.kind, 'dataError');
  assert.equal(outcome.kind === 'dataError' && outcome.error.line, 3);
  assert.equal(ended(), true);
  run.dispose();
  await run.exited;
});

test('disposed in the middle of a long run: the outcome is cancelled at once and the worker thread exits', async () => {
  const { run, seen } = start({ kind: 'sample', name: 'flower' }, { ...hyper, epochs: 10_000_000 });
  // Wait until it trains.
  while (!seen.some((m) => m.type === 'epochs')) await new Promise((r) => setTimeout(r, 20));
  run.dispose();
  assert.deepEqual(await run.outcome, { kind: 'cancelled' });
  await run.exited;
  assert.equal(run.active, false);
});

test('stopped from the progress notification: the run ends as a finished run that was cancelled', async () => {
  const { run, seen } = start({ kind: 'sample', name: 'flower' }, { ...hyper, epochs: 10_000_000 });
  while (!seen.some((m) => m.type === 'epochs')) await new Promise((r) => setTimeout(r, 20));
  run.post({ type: 'stop' });
  const outcome = await run.outcome;
  assert.equal(outcome.kind === 'finished' && outcome.result.reason, 'cancelled');
  await run.close();
  assert.deepEqual(errors, []);
});
