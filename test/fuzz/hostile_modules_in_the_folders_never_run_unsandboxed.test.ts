// A numpy.py, sitecustomize.py or usercustomize.py in the current folder or beside the checked file
// (also reachable through PYTHONPATH=.) must never run outside the sandbox: not when the command line
// looks for a Python with numpy, not when the checker's server starts. Each module appends to a file
// in a marker folder; inside the sandbox that write is refused, so a marker file means it ran
// unsandboxed. The checked file is the notes' correct one, and it must still be checked as such.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cliAsync } from '../cli/cliRun';
import { fixturesDir, testPython } from '../checker/checkerTestSupport';

const MODULES = ['numpy', 'sitecustomize', 'usercustomize'];

/** The test's Python and Debian's, each where it has numpy (they have site-packages of their own). */
const PYTHONS = [...new Set([testPython(), '/usr/bin/python3'])].filter((p) => spawnSync(p, ['-c', 'import numpy']).status === 0);

describe('hostile modules in the current folder or beside the checked file never run outside the sandbox', { concurrency: 2 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'bpm-hostile-modules-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const markers = join(root, 'markers');
  mkdirSync(markers);

  /** A folder holding the three hostile modules, and one holding nothing. */
  function folder(name: string, hostile: boolean): string {
    const dir = join(root, name);
    mkdirSync(dir);
    if (hostile) {
      for (const m of MODULES) writeFileSync(join(dir, `${m}.py`), `open(${JSON.stringify(join(markers, `${name}-${m}`))}, "a").write("ran")\n`);
    }
    return dir;
  }
  const withModules = folder('modules', true);
  const fileOnly = folder('file-only', false);
  const clean = folder('clean', false);
  copyFileSync(join(fixturesDir(), 'two_layer_correct.py'), join(withModules, 'my_backprop.py'));
  copyFileSync(join(fixturesDir(), 'two_layer_correct.py'), join(fileOnly, 'my_backprop.py'));

  const cases: { what: string; cwd: string; file: string; env: NodeJS.ProcessEnv }[] = [
    { what: 'in the current folder, beside the file', cwd: withModules, file: 'my_backprop.py', env: {} },
    { what: 'in the current folder, beside the file, PYTHONPATH=.', cwd: withModules, file: 'my_backprop.py', env: { PYTHONPATH: '.' } },
    { what: 'in the current folder only, PYTHONPATH=.', cwd: withModules, file: join(fileOnly, 'my_backprop.py'), env: { PYTHONPATH: '.' } },
    { what: 'beside the file only, PYTHONPATH=.', cwd: clean, file: join(withModules, 'my_backprop.py'), env: { PYTHONPATH: '.' } },
  ];

  for (const python of PYTHONS) {
    for (const c of cases) {
      test(`${c.what}, ${python}`, async () => {
        const args = ['check', c.file, '--python', python];
        try {
          const r = await cliAsync(args, { cwd: c.cwd, limitMs: 60_000, env: { ...c.env, BACKPROP_MAP_PYTHON: '' } });
          assert.deepEqual(readdirSync(markers), [], `a module ran outside the sandbox; the check said: ${r.stdout}${r.stderr}`);
          assert.equal(r.code, 0, r.stdout + r.stderr);
          assert.match(r.stdout, /^dW1 ok/m);
        } finally {
          for (const name of readdirSync(markers)) rmSync(join(markers, name));
        }
      });
    }
  }
});
