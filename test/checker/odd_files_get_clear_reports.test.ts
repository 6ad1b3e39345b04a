// Files a checker meets in the wild: Windows line ends, tabs, non-ASCII names, a NUL byte, nothing
// at all, a huge file, a library that is not installed, code that writes files or runs programs.
// Each gets a clear report (or a normal check), never a traceback, a hang or a changed file.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CheckerRunner } from '../../src/checker/runner';
import type { CheckResult } from '../../src/checker/types';
import { fixture, testPython } from './checkerTestSupport';

const correct = fixture('two_layer_correct.py');
const beforeReturn = (code: string) => correct.replace('    return {"dW1": dW1', `${code}\n    return {"dW1": dW1`);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function assertAllOk(r: CheckResult, lines: Record<string, number>) {
  assert.deepEqual(r.reports, []);
  for (const g of r.gradients) {
    assert.equal(g.status, 'ok', g.name);
    assert.equal(g.line, lines[g.name], `${g.name} line`);
  }
}

describe('odd files get clear reports', () => {
  const runner = new CheckerRunner({ python: testPython() });
  const dir = mkdtempSync(join(tmpdir(), 'bpm-odd-'));
  after(() => {
    runner.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  // The lines of two_layer_correct.py, read off the file.
  const lines = { dW1: 43, db1: 44, dW2: 39, db2: 40 };

  test('Windows line ends and tab indentation check like the original, at the same lines', async () => {
    assertAllOk(await runner.check(correct.replace(/\n/g, '\r\n'), 'crlf.py'), lines);
    assertAllOk(await runner.check(correct.replace(/ {4}/g, '\t'), 'tabs.py'), lines);
  });

  test('a UTF-8 byte-order mark (as Windows editors write it) is not a syntax error', async () => {
    assertAllOk(await runner.check('\ufeff' + correct, 'bom.py'), lines);
  });

  test('non-ASCII identifiers and comments are fine', async () => {
    const text = '# Übung: Rückwärtslauf\n' + correct.replace(/dZ1/g, 'δZ1').replace(/dA1/g, 'δA1');
    assertAllOk(await runner.check(text, 'unicode.py'), { dW1: 44, db1: 45, dW2: 40, db2: 41 });
  });

  test('an empty file and a file of imports only: nothing to check, with what was looked for', async () => {
    for (const text of ['', 'import numpy as np\nimport math\n']) {
      const r = await runner.check(text, 'empty.py');
      assert.deepEqual(r.reports.map((x) => x.code), ['nothing-to-check']);
      assert.match(r.reports[0]!.message, /forward_propagation/);
    }
  });

  test('a NUL byte is a one-line report, not a traceback', async () => {
    const r = await runner.check('import numpy as np\x00\n', 'nul.py');
    assert.deepEqual(r.reports.map((x) => x.code), ['syntax-error']);
    assert.match(r.reports[0]!.message, /null bytes/);
  });

  test('a file of several megabytes is refused at once, saying why', async () => {
    const padding = Array.from({ length: 40000 }, (_, i) => `def helper_${i}(x):\n    return x * ${i} + 1  # padding\n`).join('\n');
    const text = correct + '\n' + padding;
    assert.ok(text.length > 1_500_000);
    const r = await runner.check(text, 'huge.py');
    assert.deepEqual(r.reports.map((x) => x.code), ['file-too-large']);
    assert.match(r.reports[0]!.message, /million characters/);
  });

  test('a library that is not installed, used by the forward: reported at its import line, the use related', async () => {
    const text = 'import not_a_real_module_xyz as nn\n' + correct.replace('A1 = np.maximum(0, Z1)', 'A1 = nn.relu(Z1)');
    const r = await runner.check(text, 'lib.py');
    assert.deepEqual(r.reports.map((x) => [x.code, x.line]), [['not-loaded', 1]]);
    assert.deepEqual(r.reports[0]!.related[0], { line: lineOf(text, 'nn.relu(Z1)'), message: '`forward_propagation` uses it here' });
    assert.match(r.reports[0]!.message, /`not_a_real_module_xyz` is not installed for this Python/);
    assert.ok(r.gradients.every((g) => g.status === 'error'));
  });

  test('writing, truncating or deleting a file is blocked and reported at its line; the file is untouched', async () => {
    const victim = join(dir, 'notes.txt');
    for (const code of [`open(${JSON.stringify(victim)}, "w").write("gone")`, `import os; os.remove(${JSON.stringify(victim)})`]) {
      writeFileSync(victim, 'keep me');
      const text = beforeReturn(`    ${code}`);
      const r = await runner.check(text, join(dir, 'writer.py'));
      assert.deepEqual(r.reports.map((x) => [x.code, x.line]), [['forbidden', lineOf(text, code)]], JSON.stringify(r.reports));
      assert.match(r.reports[0]!.message, /`backward_propagation` (writes to the file|deletes) `.*notes\.txt`/);
      assert.equal(readFileSync(victim, 'utf8'), 'keep me');
    }
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
  });

  test('endless recursion: one report at the call that recurses, the repeated calls counted, not listed', async () => {
    const text = correct.replace('    A1 = np.maximum(0, Z1)\n', '    forward_propagation(X, parameters)\n    A1 = np.maximum(0, Z1)\n');
    const r = await runner.check(text, 'recursion.py');
    const call = lineOf(text, '    forward_propagation(X, parameters)');
    assert.deepEqual(r.reports.map((x) => [x.code, x.line]), [['recursion', call]]);
    assert.equal(r.reports[0]!.related.length, 1);
    assert.match(r.reports[0]!.related[0]!.message, /called from `forward_propagation` \(\d+ times\)/);
  });

  test('odd gradient values and odd exceptions are named, never an internal error', async () => {
    const grads = '    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}';
    const cases: [string, string, RegExp][] = [
      [correct.replace(grads, grads.replace('"dW1": dW1,', '"dW1": dW1 * np.nan,')), 'gradient-not-finite', /12 of the 12 entries of dW1 are NaN or infinite/],
      [correct.replace(grads, grads.replace('"dW1": dW1,', '"dW1": dW1 + 0j,')), 'gradient-type', /dW1 is a numpy array of complex128 numbers, not of real ones/],
      [beforeReturn('    class Odd(Exception):\n        def __str__(self):\n            raise RuntimeError("no text")\n    raise Odd()'), 'exception', /^Odd in `backward_propagation`$/],
      [beforeReturn('    raise KeyboardInterrupt'), 'exception', /^KeyboardInterrupt in `backward_propagation`$/],
    ];
    for (const [text, code, message] of cases) {
      const r = await runner.check(text, 'odd.py');
      assert.deepEqual(r.reports.map((x) => x.code), [code], JSON.stringify(r.reports));
      assert.match(r.reports[0]!.message, message);
    }
  });

  test('starting a program is blocked and reported', async () => {
    const marker = join(dir, 'ran');
    const text = beforeReturn(`    import os\n    os.system("touch ${marker}")`);
    const r = await runner.check(text, 'shell.py');
    assert.deepEqual(r.reports.map((x) => [x.code, x.line]), [['forbidden', lineOf(text, 'os.system')]]);
    assert.match(r.reports[0]!.message, /starts a program \(`os\.system`\)/);
    assert.ok(!readdirSync(dir).includes('ran'));
  });
});
