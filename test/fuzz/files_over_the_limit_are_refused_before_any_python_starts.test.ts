// A file over the checker's limit (a million characters; a notebook's code cells likewise) is
// refused with a file-too-large report and exit 2, from its size where that tells (nothing read), and
// before its text goes anywhere: the Python given does not exist, so a refusal that came any later
// would be a "Python does not exist" error instead. Big files are sparse where they can be (NULs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MAX_CHECK_CHARS } from '../../src/checker/input';
import { PythonSetupError } from '../../src/checker/python';
import { CheckerRunner } from '../../src/checker/runner';
import type { CheckResult } from '../../src/checker/types';
import { cli } from '../cli/cliRun';
import { repoRoot, testPython } from '../checker/checkerTestSupport';

const NO_PYTHON = '/nonexistent/bin/python3';
const MB = 2 ** 20;

describe('files over the limit are refused before any Python starts, whatever their size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpm-huge-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A sparse file of `bytes` NULs (no disk space taken). */
  function sparse(name: string, bytes: number): string {
    const path = join(dir, name);
    const fd = openSync(path, 'w');
    try {
      if (bytes > 0) writeSync(fd, Buffer.alloc(1), 0, 1, bytes - 1);
    } finally {
      closeSync(fd);
    }
    return path;
  }

  function refusedByTheCli(path: string, pattern: RegExp): void {
    const r = cli(['check', path, '--python', NO_PYTHON, '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, '');
    const result = JSON.parse(r.stdout) as CheckResult;
    assert.deepEqual(result.reports.map((x) => x.code), ['file-too-large']);
    assert.match(result.reports[0]!.message, pattern);
    assert.match(result.reports[0]!.message, /more than the checker reads .*nothing was checked/);
  }

  for (const [name, bytes, shown] of [
    ['20mb.py', 20 * MB, '20 MB'],
    ['40mb.py', 40 * MB, '40 MB'],
    ['nul-1.9gb.py', 1900 * MB, '1.9 GB'],
    ['4gb.py', 4 * 2 ** 30, '4 GB'],
  ] as const) {
    test(`a ${shown} .py file, from its size`, () => refusedByTheCli(sparse(name, bytes), new RegExp(`^the file has ${shown.replace('.', '\\.')}, `)));
  }

  test('a 4 GB notebook, from its size', () => refusedByTheCli(sparse('4gb.ipynb', 4 * 2 ** 30), /^the notebook file has 4 GB, more than the checker reads \(notebooks of up to 256 MB\); .*Clear All Outputs/));

  test('a notebook with a 40 MB code cell, from the size of its cells in the file', () => {
    const path = join(dir, 'cell-40mb.ipynb');
    const source = 'x = 1\n'.repeat((40 * MB) / 6);
    writeFileSync(path, JSON.stringify({ cells: [{ cell_type: 'markdown', metadata: {}, source: '# big' }, { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source }], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    refusedByTheCli(path, /^the notebook's code cells have 4\d\.\d MB of text, /);
  });

  test('a notebook whose big cell is markdown, or whose size is outputs, is not refused for it', () => {
    const path = join(dir, 'markdown-40mb.ipynb');
    // Each alone over the 12 MB of JSON that a million characters of code can take at most.
    const big = 'x'.repeat(13 * MB);
    const cells = [
      { cell_type: 'markdown', metadata: {}, source: big },
      { cell_type: 'code', metadata: {}, outputs: [{ output_type: 'stream', name: 'stdout', text: big }], execution_count: 1, source: 'x = 1\n' },
    ];
    writeFileSync(path, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    // It gets as far as looking for Python.
    const r = cli(['check', path, '--python', NO_PYTHON]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /The Python "\/nonexistent\/bin\/python3" does not exist/);
  });

  test('just over the limit in characters (1 MB of ASCII, or 3 MB of 3-byte characters): refused from the text', () => {
    const ascii = join(dir, 'ascii.py');
    writeFileSync(ascii, `x = 1\n${'#'.repeat(MAX_CHECK_CHARS)}\n`);
    refusedByTheCli(ascii, /^the file has 1,000,007 characters, /);
    const wide = join(dir, 'wide.py');
    writeFileSync(wide, `# ${'€'.repeat(MAX_CHECK_CHARS)}\n`);
    refusedByTheCli(wide, /^the file has 1,000,003 characters, /);
  });

  test('characters are counted as Python counts them: a million astral characters (two UTF-16 units each) is within the limit', async () => {
    const runner = new CheckerRunner({ python: NO_PYTHON });
    try {
      const within = `# ${'\u{1F338}'.repeat(MAX_CHECK_CHARS - 3)}\n`;
      await assert.rejects(runner.check(within, 'within.py'), (e: unknown) => e instanceof PythonSetupError, 'within the limit, it goes on to Python');
      const over = await runner.check(`${within}#`, 'over.py');
      assert.deepEqual(over.reports.map((x) => x.code), ['file-too-large']);
      assert.match(over.reports[0]!.message, /^the file has 1,000,001 characters, more than the checker reads/);
      // The editor's notebooks too: the cells' program, as the runner gets it.
      const cells = await runner.check('x'.repeat(3 * MAX_CHECK_CHARS), 'nb.ipynb', { notebook: true });
      assert.match(cells.reports[0]!.message, /^the notebook's code cells have more than 2,000,000 characters, /);
    } finally {
      runner.dispose();
    }
  });

  test("the harness's own guard has the same limit", () => {
    const r = spawnSync(testPython(), ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import bpm_check; print(bpm_check.MAX_CHARS)', join(repoRoot(), 'src', 'checker', 'python')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(Number(r.stdout.trim()), MAX_CHECK_CHARS);
  });
});
