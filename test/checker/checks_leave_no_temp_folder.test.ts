// The checker's working folder (the checked code's current directory, in the temp folder) goes
// however its server ends: a finished CLI run, a timeout, a killed server, a host that exits
// without disposing of the checker, a host that is killed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CheckerRunner } from '../../src/checker/runner';
import { cli } from '../cli/cliRun';
import { fixture, fixturesDir, testPython } from './checkerTestSupport';

// A temp folder of this test's own, so that other programs' folders do not change the count.
const privateTmp = mkdtempSync(join(tmpdir(), 'bpm-private-tmp-'));
process.env.TMPDIR = privateTmp;
const env = { TMPDIR: privateTmp, BACKPROP_MAP_PYTHON: testPython() };
const checkFolders = () => readdirSync(privateTmp).filter((n) => n.startsWith('backprop-map-check-'));
const loop = fixture('two_layer_correct.py').replace(
  'def backward_propagation(parameters, cache, X, Y):\n',
  'def backward_propagation(parameters, cache, X, Y):\n    while True:\n        pass\n',
);

/** Runs checkerHost.js until it is ready, then lets `act` end it; resolves when it has ended. */
function host(mode: 'exit' | 'wait', act: (child: ReturnType<typeof spawn>) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'checkerHost.js'), mode], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      if (s.includes('ready')) act(child);
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The folders left once every server has had time to notice that its host is gone. */
async function foldersLeftAfterServersEnd(): Promise<string[]> {
  for (let i = 0; i < 200 && checkFolders().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  return checkFolders();
}

describe('checks leave no folder in the temp folder', () => {
  after(() => rmSync(privateTmp, { recursive: true, force: true }));

  test('a runner through a timeout, a killed server and a restart: one folder at a time, none after dispose', async () => {
    const runner = new CheckerRunner({ python: testPython(), timeoutMs: 1000 });
    try {
      await runner.warmUp();
      assert.equal(checkFolders().length, 1);
      const timedOut = await runner.check(loop, 'loop.py');
      assert.equal(timedOut.reports[0]?.code, 'timeout');
      const proc = (runner as unknown as { proc: { kill(sig: string): void; once(e: string, f: () => void): void } }).proc;
      const ended = new Promise<void>((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await ended;
      assert.deepEqual(checkFolders(), []);
      const after = await runner.check(fixture('two_layer_correct.py'), 'after.py');
      assert.deepEqual(after.reports, []);
      assert.equal(checkFolders().length, 1);
    } finally {
      runner.dispose();
    }
    assert.deepEqual(checkFolders(), []);
  });

  test('`backprop-map check` leaves none, also when the check times out', () => {
    const dir = mkdtempSync(join(privateTmp, 'files-'));
    writeFileSync(join(dir, 'loop.py'), loop);
    const timedOut = cli(['check', join(dir, 'loop.py'), '--timeout', '1'], { env });
    assert.equal(timedOut.code, 1, timedOut.stderr);
    assert.match(timedOut.stdout, /\[timeout\]/);
    const ok = cli(['check', join(fixturesDir(), 'two_layer_correct.py')], { env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(checkFolders(), []);
    rmSync(dir, { recursive: true });
  });

  test('a host that exits without disposing of its checker leaves none', async () => {
    await host('exit', () => {});
    assert.deepEqual(await foldersLeftAfterServersEnd(), []);
  });

  test('a host killed outright leaves none: its server removes the folder when its input closes', async () => {
    await host('wait', (child) => {
      assert.equal(checkFolders().length, 1);
      child.kill('SIGKILL');
    });
    assert.deepEqual(await foldersLeftAfterServersEnd(), []);
  });
});
