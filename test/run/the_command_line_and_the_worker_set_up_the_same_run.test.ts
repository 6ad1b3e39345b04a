// One run setup (data → split → scaling → initial parameters): `backprop-map train` and the editor's
// training worker, given the same data, seed and model to continue from, start from the same
// parameters bit for bit, on the same split with the same scaling, and describe the run alike.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { parseArgs } from '../../src/cli/args';
import { TRAIN_SPEC, runTraining, trainRequestOf } from '../../src/cli/train';
import type { RunInfo } from '../../src/core/types';
import type { DataSource } from '../../src/data/types';
import type { FromWorker } from '../../src/protocol';
import { root } from '../webview/harness';

const dir = mkdtempSync(join(tmpdir(), 'bpm-setup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Two features of different scales and a label in words, 60 examples.
const dataFile = join(dir, 'parts.csv');
writeFileSync(dataFile, `width,weight,kind\n${Array.from({ length: 60 }, (_, k) => `${(k * 7) % 23},${100 + ((k * 37) % 91)},${(k * 7) % 23 > 11 ? 'bolt' : 'nut'}`).join('\n')}\n`);

/** The command line's run after `epochs` epochs: its description and its model file (parsed as a worker's would be). */
async function cliRun(argv: string[]): Promise<{ info: RunInfo; model: unknown }> {
  const req = trainRequestOf(parseArgs(argv, TRAIN_SPEC), {});
  const run = await runTraining(req, { stdout: process.stdout, stderr: process.stderr, interrupt: new AbortController().signal });
  return { info: run.info, model: JSON.parse(JSON.stringify(run.model)) };
}

/** The worker's run of the same request: what it says when loaded, and the model file it finishes with. */
async function workerRun(argv: string[], initModel?: unknown): Promise<{ info: RunInfo; model: unknown }> {
  const req = trainRequestOf(parseArgs(argv, TRAIN_SPEC), {});
  const worker = new Worker(join(root, 'dist', 'trainWorker.js'));
  try {
    const messages: FromWorker[] = [];
    const finished = new Promise<Extract<FromWorker, { type: 'finished' }>>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        messages.push(m);
        if (m.type === 'finished') resolve(m);
        if (m.type === 'error' || m.type === 'dataError') reject(new Error(JSON.stringify(m)));
      });
      worker.on('error', reject);
    });
    const source: DataSource = req.source;
    worker.postMessage({ type: 'start', source, hyper: req.hyper, ...(initModel !== undefined ? { initModel } : {}) });
    const done = await finished;
    const loaded = messages.find((m): m is Extract<FromWorker, { type: 'loaded' }> => m.type === 'loaded')!;
    return { info: loaded.info, model: done.model };
  } finally {
    await worker.terminate();
  }
}

async function same(argv: string[], initModel?: unknown): Promise<void> {
  const a = await cliRun(argv);
  const b = await workerRun(argv.filter((x, i) => x !== '--init' && argv[i - 1] !== '--init'), initModel);
  assert.deepEqual(b.info, a.info, 'the run as the panel describes it');
  // The model file after 0 epochs holds the starting parameters and the training split's scaling, exactly.
  assert.deepEqual(b.model, a.model, 'the model file of the starting point');
}

test('a fresh run: the same seed gives the same split, scaling and initial weights', async () => {
  await same([dataFile, '--label', 'kind', '--hidden', '5,3', '--seed', '11', '--val', '0.25', '--epochs', '0']);
  await same(['sample:flower', '--hidden', '4', '--seed', '3', '--epochs', '0', '--no-standardize']);
});

test("continuing from a model file: its parameters, its scaling and its layers, numbered on from its epochs", async () => {
  const first = await cliRun([dataFile, '--label', 'kind', '--hidden', '4', '--seed', '2', '--val', '0.2', '--epochs', '25', '--no-standardize']);
  const modelPath = join(dir, 'parts.model.json');
  writeFileSync(modelPath, JSON.stringify(first.model));
  // The editor asks with its settings (standardising, other layers); the model file's own win, as with --init.
  await same([dataFile, '--label', 'kind', '--seed', '2', '--val', '0.2', '--epochs', '0', '--init', modelPath], first.model);
});
