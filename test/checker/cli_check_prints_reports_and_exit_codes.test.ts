// `backprop-map check`: FILE:LINE:COL lines, one summary line per gradient, --json, exit codes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixturesDir, runCheckCommand as run } from './checkerTestSupport';

const f = (name: string) => join(fixturesDir(), name);

test('a wrong gradient: its line, then one summary per gradient; exit 1', async () => {
  const { code, stdout } = await run([f('missing_1_over_m.py')]);
  assert.equal(code, 1);
  const lines = stdout.trim().split('\n');
  assert.match(lines[0]!, /^.*missing_1_over_m\.py:39:5: error: dW2 is wrong: .* \[missing-1-over-m\]$/);
  assert.match(stdout, /^dW1 ok \(rel\. difference \d\.\de-\d+\)$/m);
  assert.match(stdout, /^dW2 WRONG \(rel\. difference 7\.5e-1; line 39; .*1\/m is missing\)$/m);
});

test('a right implementation: exit 0, no report lines', async () => {
  const { code, stdout } = await run([f('two_layer_correct.py')]);
  assert.equal(code, 0);
  assert.doesNotMatch(stdout, /error|warning/);
  assert.equal(stdout.split('\n').filter((l) => / ok \(/.test(l)).length, 4);
});

test('--json prints one object with 1-based lines', async () => {
  const { code, stdout } = await run([f('wrong_axis.py'), '--json']);
  assert.equal(code, 1);
  const r = JSON.parse(stdout);
  assert.equal(r.convention, 'two-layer');
  assert.deepEqual(r.dims, { n_x: 4, n_h: 3, n_y: 1, m: 7 });
  const db1 = r.gradients.find((g: { name: string }) => g.name === 'db1');
  assert.deepEqual([db1.status, db1.shape, db1.expectedShape, db1.symbolicShape, db1.line], ['shape', [1, 7], [3, 1], '(n_h, 1)', 44]);
  assert.equal(r.reports[0].line, 44);
});

test('nothing to check, a missing file and a bad --timeout exit 2', async () => {
  const none = await run([f('no_network.py')]);
  assert.equal(none.code, 2);
  assert.match(none.stdout, /looked for a forward function/);
  const missing = await run([f('does_not_exist.py')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*no such file/);
  await assert.rejects(run([f('two_layer_correct.py'), '--timeout', '-1']), /--timeout/);
});

test('a syntax error and a file too large to read: nothing was checked, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpm-check-exit-'));
  try {
    const syntax = join(dir, 'syntax.py');
    writeFileSync(syntax, 'import numpy as np\n\ndef backward(X:\n');
    const s = await run([syntax]);
    assert.equal(s.code, 2);
    assert.match(s.stdout, /syntax\.py:3:\d+: error: syntax error: .* \[syntax-error\]/);
    const huge = join(dir, 'huge.py');
    writeFileSync(huge, readFileSync(f('two_layer_correct.py'), 'utf8') + '\n# padding\n'.repeat(120_000));
    const h = await run([huge]);
    assert.equal(h.code, 2);
    assert.match(h.stdout, /\[file-too-large\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
