// A missing Python or a Python without numpy is a PythonSetupError whose message says what to do.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PythonSetupError, findPython } from '../../src/checker/python';
import { CheckerRunner } from '../../src/checker/runner';
import { testPython } from './checkerTestSupport';

test('a Python path that does not exist', async () => {
  await assert.rejects(findPython('/nonexistent/bin/python3'), (e: unknown) => {
    assert.ok(e instanceof PythonSetupError);
    assert.equal(e.kind, 'bad-python');
    assert.match(e.message, /does not exist/);
    assert.match(e.message, /setting/);
    return true;
  });
});

test('the runner with a Python path that does not exist', async () => {
  const runner = new CheckerRunner({ python: '/nonexistent/bin/python3' });
  await assert.rejects(runner.check('x = 1\n', 'f.py'), (e: unknown) => e instanceof PythonSetupError && e.kind === 'bad-python');
  runner.dispose();
});

test('the configured Python has numpy and is found', async () => {
  const found = await findPython(testPython());
  assert.match(found.version, /^3\.\d+/);
});

test('a Python without numpy gets the install advice', async (t) => {
  // A virtual environment without system packages: a real Python 3 that cannot import numpy.
  const dir = mkdtempSync(join(tmpdir(), 'bpm-no-numpy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const made = spawnSync(testPython(), ['-m', 'venv', '--without-pip', join(dir, 'env')], { encoding: 'utf8' });
  assert.equal(made.status, 0, `could not make a virtual environment: ${made.stderr}`);
  const plain = join(dir, 'env', 'bin', 'python');
  assert.notEqual(spawnSync(plain, ['-c', 'import numpy']).status, 0, 'the virtual environment should not see numpy');
  await assert.rejects(findPython(plain), (e: unknown) => {
    assert.ok(e instanceof PythonSetupError);
    assert.equal(e.kind, 'no-numpy');
    assert.match(e.message, /pip install numpy/);
    assert.match(e.message, /apt install python3-numpy/);
    return true;
  });
  const runner = new CheckerRunner({ python: plain });
  await assert.rejects(runner.check('x = 1\n', 'f.py'), (e: unknown) => e instanceof PythonSetupError && e.kind === 'no-numpy');
  runner.dispose();
});
