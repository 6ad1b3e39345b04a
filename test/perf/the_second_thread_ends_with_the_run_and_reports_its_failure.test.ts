// The fast engine's worker thread (lane 1) must never outlive or hang what started it: the command
// line ends on its own after a two-thread run and stops on Ctrl-C; the extension's training worker
// stops a two-thread run on request and can be terminated in the middle of one, and the process
// then ends by itself. A failure in the worker reaches the thread that waits for it, with the
// worker's own message, instead of a hang.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PARALLEL_WORK, kernelModule } from '../../src/core/fast/engine';
import { SecondLane } from '../../src/core/fast/lanes';
import { cli, cliInterrupted, jsonLines } from '../cli/cliRun';
import { root } from '../webview/harness';

const dir = mkdtempSync(join(tmpdir(), 'bpm-lanes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A CSV with enough examples for two threads on a 30→16→1 network (W3's). */
const M = Math.ceil(PARALLEL_WORK / (30 * 16 + 16)) + 50;
function w3Csv(): string {
  const lines = [[...Array.from({ length: 30 }, (_, i) => `x${i + 1}`), 'y'].join(',')];
  for (let j = 0; j < M; j++) {
    const x = Array.from({ length: 30 }, (_, i) => Math.sin(1.7 * j + 0.31 * i * i).toFixed(4));
    lines.push([...x, Number(x[0]) + Number(x[1]) > 0 ? 1 : 0].join(','));
  }
  return `${lines.join('\n')}\n`;
}
const csvText = w3Csv();
const csv = join(dir, 'w3.csv');
writeFileSync(csv, csvText);
const TWO = availableParallelism() >= 2 ? 2 : 1;

test('the command line: a two-thread run ends on its own and says so; Ctrl-C stops one', async () => {
  const r = cli(['train', csv, '--hidden', '16', '--val', '0', '--epochs', '30', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const done = jsonLines(r.stdout).at(-1)!;
  assert.equal(done['reason'], 'completed');
  assert.equal((done['engine'] as { threads: number }).threads, TWO);

  const stopped = await cliInterrupted(['train', csv, '--hidden', '16', '--val', '0', '--epochs', '10000000', '--json'], (out) => out.includes('"epoch":'));
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.equal(jsonLines(stopped.stdout).at(-1)!['reason'], 'cancelled');
});

test('the extension\'s training worker: stop ends a two-thread run; terminated in the middle of one, the process still ends by itself', () => {
  // A process of its own, so that a thread left behind would show as a process that does not end.
  const script = join(dir, 'host.cjs');
  writeFileSync(script, `
const { Worker } = require('node:worker_threads');
const text = require('node:fs').readFileSync(${JSON.stringify(csv)}, 'utf8');
const hyper = { hidden: [16], learningRate: 0.1, epochs: 10000000, batchSize: null, seed: 1, validationSplit: 0, standardize: true };
function run(stopFirst) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(${JSON.stringify(join(root, 'dist', 'trainWorker.js'))});
    let asked = false;
    worker.on('error', reject);
    worker.on('message', async (m) => {
      if (m.type === 'error') reject(new Error(m.message));
      if (m.type === 'epochs' && !asked) {
        asked = true;
        if (stopFirst) worker.postMessage({ type: 'stop' });
        else resolve(\`terminated: exit code \${await worker.terminate()}\`);
      }
      if (m.type === 'finished') {
        await worker.terminate();
        resolve(\`stopped: \${m.result.reason} after \${m.result.epochs} epochs\`);
      }
    });
    worker.postMessage({ type: 'start', source: { kind: 'file', path: 'w3.csv', text, label: 'y' }, hyper });
  });
}
(async () => {
  console.log(await run(true));
  console.log(await run(false));
})().catch((e) => { console.error(e); process.exitCode = 1; });
`);
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 90_000 });
  assert.equal(r.error, undefined, 'the process did not end by itself');
  assert.equal(r.status, 0, r.stderr);
  const [stopped, terminated] = r.stdout.trim().split('\n');
  assert.match(stopped!, /^stopped: cancelled after \d+ epochs$/);
  assert.match(terminated!, /^terminated: exit code 1$/);
});

test('a failure in the worker thread is thrown where the main thread waits, with the worker\'s message', async () => {
  // A layout whose matrices lie beyond the end of the memory: the kernels trap in the worker.
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const i32 = new Int32Array(memory.buffer);
  const far = 1 << 30, lay = 64, tiles = 128, results = 64 /* float64 index: byte 512 */, control = 200;
  // L, n_0, n_1, wAt, bAt, aAt, dzAt, gradDelta, laneStride, gradStride, atAt, tiles, results
  i32.set([1, 4, 1, far, far, far, far, far, 0, 0, far, tiles, results], lay);
  i32.set([far, 0, 8, 8, 0], tiles); // x, labels, count, T, no Xᵀ
  const lane = new SecondLane(kernelModule('float64', 'simd'), memory, 'float64', lay, control);
  // Nothing is offered before the worker says it is ready (the sixth control word).
  while (Atomics.load(i32, control + 5) !== 1) await new Promise((r) => setTimeout(r, 5));
  lane.offer(0, 1);
  // Until the worker has taken the command (claim, the fourth control word, becomes 1); else this
  // thread would take it back and run it itself.
  while (Atomics.load(i32, control + 3) !== 1) await new Promise((r) => setTimeout(r, 5));
  const here = (): never => assert.fail('the worker had taken lane 1');
  assert.throws(() => lane.finish(here), /^Error: the fast engine's second thread failed: .*out of bounds/);
  assert.throws(() => lane.finish(here), /second thread failed/, 'and it stays failed');
  lane.dispose();
});

/** A module that imports a shared memory of at least 2 pages (a memory of 1 page cannot be given to it). */
const TOO_BIG = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x02, 0x10, 0x01, // the import section: 16 bytes, one import
  0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, // "env" "memory"
  0x02, 0x03, 0x02, 0x02, // a memory, shared, 2 to 2 pages
]);

test('a worker that fails while starting: no batch is offered to it, and its failure is thrown at the next offer', async () => {
  // Memory of one page for a module that needs more: its instantiation fails in the worker, which
  // never says it is ready.
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const i32 = new Int32Array(memory.buffer);
  const control = 200;
  const lane = new SecondLane(new WebAssembly.Module(TOO_BIG), memory, 'float64', 0, control);
  while (Atomics.load(i32, control + 4) !== -1) await new Promise((r) => setTimeout(r, 5));
  assert.equal(Atomics.load(i32, control + 5), 0, 'never ready');
  assert.throws(() => lane.offer(0, 1), /^Error: the fast engine's second thread failed: /);
  assert.equal(lane.stats.offered, 0);
  assert.throws(() => lane.finish(() => assert.fail('not run after the failure')), /second thread failed/, 'and it stays failed');
  lane.dispose();
});

