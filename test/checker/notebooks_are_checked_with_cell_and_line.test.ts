// `backprop-map check FILE.ipynb`: the code cells in order are the program, magics skipped, a
// later definition wins, helper modules beside the notebook load, and every location names the
// cell (1-based, among all cells) and the line in it.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CheckResult } from '../../src/checker/types';
import { fixturesDir, runCheckCommand as run } from './checkerTestSupport';

async function json(file: string): Promise<{ code: number; r: CheckResult }> {
  const { code, stdout } = await run([file, '--json']);
  return { code, r: JSON.parse(stdout) as CheckResult };
}

const nbDir = (folder: string) => join(fixturesDir(), 'notebooks', folder);

interface Cell {
  cell_type: string;
  source: string[];
}
const cellsOf = (file: string): Cell[] => (JSON.parse(readFileSync(file, 'utf8')) as { cells: Cell[] }).cells;

/** Where a text is, as a reader of the notebook counts: the `nth` cell holding it, its line there. */
function locate(file: string, needle: string, nth = 1): { cell: number; line: number } {
  let seen = 0;
  const cells = cellsOf(file);
  for (let c = 0; c < cells.length; c++) {
    const line = cells[c]!.source.join('').split('\n').findIndex((l) => l.includes(needle));
    if (line >= 0 && ++seen === nth) return { cell: c + 1, line: line + 1 };
  }
  throw new Error(`${needle} not in ${file}`);
}

const scratch = mkdtempSync(join(tmpdir(), 'bpm-notebooks-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of a fixture notebook (with its folder's helper modules) with one line changed. */
function variant(folder: string, notebook: string, from: string, to: string): string {
  const dir = mkdtempSync(join(scratch, 'v-'));
  cpSync(nbDir(folder), dir, { recursive: true });
  const file = join(dir, notebook);
  const text = readFileSync(file, 'utf8');
  const a = JSON.stringify(from).slice(1, -1);
  assert.ok(text.includes(a), `${from} not in ${notebook}`);
  writeFileSync(file, text.replace(a, JSON.stringify(to).slice(1, -1)));
  return file;
}

test('the planar notebook (tanh, functions across cells, magics, helper modules, script cells): no report, exit 0', async () => {
  const file = join(nbDir('planar'), 'planar_correct.ipynb');
  const { code, r } = await json(file);
  assert.equal(code, 0, JSON.stringify(r.reports));
  assert.deepEqual(r.reports, []);
  assert.equal(r.convention, 'two-layer');
  assert.deepEqual(r.gradients.map((g) => g.status), ['ok', 'ok', 'ok', 'ok']);
  // Each checked function at its own cell's `def` line.
  for (const f of r.functions) assert.deepEqual({ cell: f.cell, line: f.line }, locate(file, `def ${f.name}(`), f.name);
  const dW1 = r.gradients.find((g) => g.name === 'dW1')!;
  assert.deepEqual({ cell: dW1.cell, line: dW1.line }, locate(file, 'dW1 = (1 / m)'));
  const dZ1 = r.traces.find((t) => t.name === 'dZ1')!;
  assert.deepEqual([dZ1.cell, dZ1.line, dZ1.symbolicShape], [locate(file, 'dZ1 = ').cell, locate(file, 'dZ1 = ').line, '(n_h, m)']);
});

test('the human output names the cell and the line', async () => {
  const file = variant('planar', 'planar_correct.ipynb', 'db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)', 'db1 = (1 / m) * np.sum(dZ1, axis=1)');
  const { code, stdout } = await run([file]);
  assert.equal(code, 1);
  const at = locate(file, 'db1 = (1 / m)');
  assert.match(stdout.split('\n')[0]!, new RegExp(`^.*planar_correct\\.ipynb, cell ${at.cell}, line ${at.line}: error: db1 has shape .*\\[missing-keepdims\\]$`));
  assert.match(stdout, new RegExp(`^db1 WRONG SHAPE \\(.*; cell ${at.cell}, line ${at.line}; `, 'm'));
});

test('the usual faults of the planar assignment are flagged at their cell and line', async () => {
  const faults: { from: string; to: string; code: string; at: string }[] = [
    { from: 'dW2 = (1 / m) * np.dot(dZ2, A1.T)', to: 'dW2 = np.dot(dZ2, A1.T)', code: 'missing-1-over-m', at: 'dW2 = np.dot(dZ2' },
    { from: 'db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)', to: 'db2 = (1 / m) * np.sum(dZ2, axis=0, keepdims=True)', code: 'wrong-axis', at: 'db2 = (1 / m)' },
    { from: '(1 - np.power(A1, 2))', to: '(1 - A1)', code: 'wrong-intermediate', at: 'dZ1 = np.dot' },
    { from: 'dW1 = (1 / m) * np.dot(dZ1, X.T)', to: 'dW1 = (1 / m) * np.dot(X, dZ1.T)', code: 'transposed-product', at: 'dW1 = (1 / m)' },
  ];
  for (const f of faults) {
    const file = variant('planar', 'planar_correct.ipynb', f.from, f.to);
    const { code, r } = await json(file);
    assert.equal(code, 1, f.to);
    const errors = r.reports.filter((x) => x.severity === 'error');
    assert.ok(errors.length > 0, f.to);
    assert.deepEqual({ cell: errors[0]!.cell, line: errors[0]!.line, code: errors[0]!.code }, { ...locate(file, f.at), code: f.code }, `${f.to}: ${JSON.stringify(errors)}`);
  }
});

test('a later cell redefining the backward pass wins, as when the notebook runs top to bottom', async () => {
  const right = await json(join(nbDir('planar'), 'planar_redefined_right.ipynb'));
  assert.equal(right.code, 0, JSON.stringify(right.r.reports));
  assert.deepEqual(right.r.reports, []);
  const file = join(nbDir('planar'), 'planar_redefined_wrong.ipynb');
  const wrong = await json(file);
  assert.equal(wrong.code, 1);
  const second = locate(file, 'dZ1 = ', 2);
  assert.notEqual(second.cell, locate(file, 'dZ1 = ', 1).cell);
  assert.deepEqual(wrong.r.reports.map((x) => [x.code, x.cell, x.line]), [['wrong-intermediate', second.cell, second.line]]);
  assert.equal(wrong.r.functions.find((f) => f.role === 'backward')!.cell, second.cell);
  // Related locations and the gradients' hints point into cells too.
  assert.ok(wrong.r.reports[0]!.related.every((x) => x.cell === second.cell), JSON.stringify(wrong.r.reports[0]!.related));
  assert.match(wrong.r.gradients.find((g) => g.name === 'dW1')!.hint!, new RegExp(`dZ1 at cell ${second.cell}, line ${second.line}`));
});

test('the L-layer notebook with its helpers from dnn_utils.py (a star import too): right; a fault in linear_backward at its line', async () => {
  const file = join(nbDir('deep'), 'deep_correct.ipynb');
  const { code, r } = await json(file);
  assert.equal(code, 0, JSON.stringify(r.reports));
  assert.deepEqual([r.convention, r.reports], ['L-layer', []]);
  assert.equal(r.gradients.length, 6);
  const star = await json(variant('deep', 'deep_correct.ipynb', 'from dnn_utils import sigmoid, sigmoid_backward, relu, relu_backward', 'from dnn_utils import *'));
  assert.equal(star.code, 0, JSON.stringify(star.r.reports));
  const noM = variant('deep', 'deep_correct.ipynb', 'dW = (1 / m) * np.dot(dZ, A_prev.T)', 'dW = np.dot(dZ, A_prev.T)');
  const bad = await json(noM);
  assert.equal(bad.code, 1);
  const at = locate(noM, 'dW = np.dot');
  const report = bad.r.reports.find((x) => x.code === 'missing-1-over-m');
  assert.deepEqual([report?.cell, report?.line], [at.cell, at.line], JSON.stringify(bad.r.reports));
});

test('a wrong dZ made by a helper from dnn_utils.py and passed straight on is blamed at the calling line, not in the right linear_backward', async () => {
  // A fault seen in a public solution notebook: the ReLU layers' loop takes dAL and the sigmoid's derivative.
  const file = variant(
    'deep',
    'deep_correct.ipynb',
    'linear_activation_backward(grads["dA" + str(l + 1)], current_cache, "relu")',
    'linear_backward(sigmoid_backward(dAL, current_cache[1]), current_cache[0])',
  );
  const { code, r } = await json(file);
  assert.equal(code, 1);
  const at = locate(file, 'linear_backward(sigmoid_backward(dAL');
  const errors = r.reports.filter((x) => x.severity === 'error');
  assert.deepEqual(errors.map((x) => [x.code, x.cell, x.line]), [['wrong-intermediate', at.cell, at.line]], JSON.stringify(errors));
  assert.match(errors[0]!.message, /\(dZ2\) differs from the notes' map/);
  assert.deepEqual(r.gradients.filter((g) => g.status !== 'ok').map((g) => g.name).sort(), ['dW1', 'dW2', 'db1', 'db2']);
  for (const g of r.gradients.filter((x) => x.status !== 'ok')) assert.match(g.hint!, new RegExp(`at cell ${at.cell}, line ${at.line}\\b`), g.name);
});

test('a helper module that is not there: reported at its import line, in its cell', async () => {
  const file = join(nbDir('deep'), 'deep_missing_helper.ipynb');
  const { code, r } = await json(file);
  assert.equal(code, 1);
  const at = locate(file, 'from dnn_utils_v2 import');
  assert.deepEqual(r.reports.map((x) => [x.code, x.severity, x.cell, x.line]), [['not-loaded', 'error', at.cell, at.line]]);
  assert.match(r.reports[0]!.message, /there is no file `dnn_utils_v2\.py` in .*deep/);
  assert.deepEqual(r.reports[0]!.related[0], { ...locate(file, 'A, activation_cache = relu(Z)'), message: '`linear_activation_forward` uses it here' });
  // A star import of a missing module binds nothing: a warning at the import; unused, nothing else.
  const starFile = variant('deep', 'deep_correct.ipynb', 'from testCases import *', 'from testCases_v9 import *');
  const star = await json(starFile);
  assert.equal(star.code, 0);
  assert.deepEqual(star.r.reports.map((x) => [x.code, x.severity, x.cell, x.line]), [['load-failed', 'warning', ...Object.values(locate(starFile, 'from testCases_v9'))]]);
});

test('a magic inside a function body keeps the block; a shell cell magic hides its whole cell', async () => {
  const file = variant('planar', 'planar_correct.ipynb', '    m = X.shape[1]\n', '    m = X.shape[1]\n    %time 1 + 1\n');
  const { code, r } = await json(file);
  assert.equal(code, 0, JSON.stringify(r.reports));
  assert.deepEqual(r.reports, []);
});

test('files that are no nbformat 4 notebook exit 2 with one line saying why', async () => {
  const old = join(scratch, 'old.ipynb');
  writeFileSync(old, JSON.stringify({ nbformat: 3, worksheets: [], cells: [] }));
  const a = await run([old]);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /^backprop-map check: cannot read .*old\.ipynb: it is a notebook of nbformat 3, and the checker reads nbformat 4 .*\.\n$/);
  const broken = join(scratch, 'broken.ipynb');
  writeFileSync(broken, '{"cells": [');
  const b = await run([broken]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /^backprop-map check: cannot read .*broken\.ipynb: it is not a Jupyter notebook: its text is not JSON/);
  assert.doesNotMatch(a.stderr + b.stderr, /\n\s+at /);
});

test('notebooks that cannot be read as they are say why in words: their encoding, a broken text, an odd nbformat or cell type', async () => {
  const correctCell = { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: readFileSync(join(fixturesDir(), 'two_layer_correct.py'), 'utf8') };
  const notebook = (cells: unknown[], nbformat = '4') => `{"cells": ${JSON.stringify(cells)}, "metadata": {}, "nbformat": ${nbformat}, "nbformat_minor": 5}`;
  const cases: [string, Buffer, RegExp][] = [
    // A coding line cannot help JSON: the advice is to convert the file.
    ['utf16', Buffer.from(`\ufeff${notebook([correctCell])}`, 'utf16le'), /it is saved as UTF-16, but a Jupyter notebook is UTF-8 JSON: convert it to UTF-8 \(`iconv -f UTF-16 -t UTF-8 OLD\.ipynb > NEW\.ipynb`\)\.$/],
    ['latin1', Buffer.from(notebook([{ ...correctCell, source: '# Grüße\n' }]), 'latin1'), /it is not UTF-8 \(line 1 has a byte that is not\), but a Jupyter notebook is UTF-8 JSON: convert it to UTF-8 \(from Latin-1/],
    ['nul', Buffer.from('{"cells": [\0\0 ]}'), /its text is not JSON \(.*\\x00.*\)\.$/],
    ['infinite', Buffer.from(notebook([correctCell], '4e999')), /its "nbformat" is a number too large to be a version, and the checker reads nbformat 4/],
    ['no-format', Buffer.from('{"cells": []}'), /it is not a valid notebook: it has no "nbformat"/],
    ['no-type', Buffer.from(notebook([correctCell, { source: 'x = 1', metadata: {} }])), /cell 2 has no "cell_type", where nbformat 4 knows "code", "markdown" and "raw"/],
    ['odd-type', Buffer.from(notebook([{ ...correctCell, cell_type: 'heading' }])), /cell 1 has the "cell_type" "heading", where nbformat 4 knows/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const file = join(scratch, `${name}.ipynb`);
    writeFileSync(file, bytes);
    const r = await run([file]);
    assert.equal(r.code, 2, name);
    assert.equal(r.stdout, '');
    assert.match(r.stderr.trimEnd(), pattern, name);
    assert.doesNotMatch(r.stderr, /\0/, 'no raw NUL byte printed');
    assert.equal(r.stderr.split('\n').length, 2, `${name}: one line`);
  }
});

test('a lone surrogate in a cell is reported at its cell and line, before Python sees it', async () => {
  const file = join(scratch, 'surrogate.ipynb');
  const cells = [
    { cell_type: 'markdown', metadata: {}, source: '# The notes' },
    { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: 'import numpy as np\n' },
    { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: 'x = 1\nlabel = "\ud800"\n' },
  ];
  // JSON.stringify escapes a lone surrogate as \ud800, as a notebook file may hold it.
  writeFileSync(file, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  assert.ok(readFileSync(file, 'utf8').includes('\\ud800'));
  const { code, r } = await json(file);
  assert.equal(code, 2);
  assert.deepEqual(r.reports.map((x) => [x.code, x.cell, x.line, x.column]), [['syntax-error', 3, 2, 10]]);
  assert.match(r.reports[0]!.message, /^this line holds a lone surrogate \(\\uD800\), half of a UTF-16 pair and no character, which Python cannot read; delete it — nothing was checked$/);
});
