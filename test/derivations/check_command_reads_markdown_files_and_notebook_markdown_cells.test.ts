// `backprop-map check FILE.md` (no Python) and FILE.ipynb's Markdown cells beside its code in one
// run: FILE:LINE:COL lines or "cell N, line L", a summary, --json with each equation, --lang, exit codes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli } from '../cli/cliRun';
import { fixture, repoRoot, runCheckCommand as run } from '../checker/checkerTestSupport';

const dir = mkdtempSync(join(tmpdir(), 'bpm-math-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const notes = join(repoRoot(), 'test', 'fixtures', 'derivations', 'herleitung_sigmoid_kreuzentropie.md');

function notebook(name: string, cells: { type: 'markdown' | 'code'; text: string }[]): string {
  const path = join(dir, name);
  const nb = {
    cells: cells.map((c, i) => ({ id: `c${i}`, cell_type: c.type, metadata: {}, source: c.text, ...(c.type === 'code' ? { outputs: [], execution_count: null } : {}) })),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(path, JSON.stringify(nb));
  return path;
}

test('a Markdown file: its findings as FILE:LINE:COL lines and a summary of what was not checked; exit 1', async () => {
  const { code, stdout, stderr } = await run([notes, '--lang', 'en']);
  assert.equal(code, 1, stderr);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /herleitung_sigmoid_kreuzentropie\.md:23:\d+: error: The chain breaks here: .* \[math-wrong\]$/);
  assert.match(lines[1]!, /herleitung_sigmoid_kreuzentropie\.md:33:\d+: error: .*the 1\/m is missing\. \[missing-1-over-m\]$/);
  assert.equal(lines[2], 'Math: 17 equation(s): 15 checked (2 wrong), 1 definition(s), 1 not checked (steps not checked: 1 × a picture (colours, dots)).');
});

test('--json gives each equation with its verdict, line and column, each step and each side', async () => {
  const { code, stdout } = await run([notes, '--json', '--lang', 'en']);
  assert.equal(code, 1);
  const r = JSON.parse(stdout);
  assert.equal(r.equations.length, 17);
  const chain = r.equations.find((e: { line: number; world: string }) => e.line === 23);
  assert.equal(chain.verdict, 'wrong');
  assert.equal(chain.world, 'scalar');
  assert.deepEqual(chain.relations.map((x: { verdict: string }) => x.verdict), ['ok', 'wrong', 'wrong']);
  assert.ok(chain.relations.every((x: { line: number; column: number }) => x.line === 23 && x.column > 1));
  assert.match(chain.testPoint, /^a = 0\.\d+, y = 0\.\d+, z = 0\.\d+$/);
  const picture = r.equations.find((e: { verdict: string }) => e.verdict === 'skipped');
  assert.equal(picture.relations[0].skipped.kind, 'picture');
  assert.equal(r.summary.checked, 15);
});

test('German from --lang de or from the locale; a file without a checkable equation exits 2, a right one 0', () => {
  const de = cli(['check', notes], { env: { LANG: 'de_DE.UTF-8', LC_ALL: '', LC_MESSAGES: '' } });
  assert.equal(de.code, 1);
  assert.match(de.stdout, /Hier bricht die Kette/);
  assert.match(de.stdout, /^Mathematik: 17 Gleichung\(en\)/m);
  const right = join(dir, 'right.md');
  writeFileSync(right, '$$\\frac{d}{dx} x^3 = 3x^2$$\n');
  const ok = cli(['check', right, '--lang', 'en']);
  assert.deepEqual([ok.code, ok.stdout], [0, 'Math: 1 equation(s): 1 checked (0 wrong), 0 definition(s), 0 not checked.\n']);
  const prose = join(dir, 'prose.md');
  writeFileSync(prose, '# Only words\n\nand a picture $[\\text{blue}] = [\\text{red}]$\n');
  const none = cli(['check', prose, '--lang', 'en']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /No equation in .*prose\.md could be checked/);
});

test("a notebook: the code's gradients and the Markdown cells' math in one run, located by cell", async () => {
  const path = notebook('two_layer.ipynb', [
    { type: 'markdown', text: 'The loss: $\\mathcal{L}(a, y) = -y\\log(a) - (1-y)\\log(1-a)$, with $a = \\sigma(z)$.' },
    { type: 'code', text: fixture('two_layer_correct.py') },
    { type: 'markdown', text: '## Backward\n\n$$\\frac{\\partial \\mathcal{L}}{\\partial z} = a - y$$\n\n$$dW^{[1]} = dZ^{[1]} X^T$$\n' },
  ]);
  const { code, stdout } = await run([path, '--lang', 'en']);
  assert.equal(code, 1);
  assert.match(stdout, /^dW1 ok \(rel\. difference/m);
  assert.match(stdout, /two_layer\.ipynb, cell 3, line 5: error: .*the 1\/m is missing\. \[missing-1-over-m\]$/m);
  assert.match(stdout, /^Math: 4 equation\(s\): 2 checked \(1 wrong\), 2 definition\(s\), 0 not checked\.$/m);
  const json = JSON.parse((await run([path, '--json', '--lang', 'en'])).stdout);
  assert.equal(json.gradients.length, 4);
  assert.deepEqual(json.math.equations.map((e: { cell: number; line: number; verdict: string }) => [e.cell, e.line, e.verdict]), [[1, 1, 'definition'], [1, 1, 'definition'], [3, 3, 'ok'], [3, 5, 'wrong']]);
});

test('a notebook whose code has no backward pass but whose math is right: checked, exit 0, no "nothing to check"', async () => {
  const path = notebook('math_only.ipynb', [
    { type: 'code', text: 'import numpy as np\nx = np.ones(3)\n' },
    { type: 'markdown', text: '$$dZ^{[2]} = A^{[2]} - Y$$' },
  ]);
  const { code, stdout } = await run([path, '--lang', 'en']);
  assert.equal(code, 0, stdout);
  assert.doesNotMatch(stdout, /nothing-to-check/);
  assert.match(stdout, /Math: 1 equation\(s\): 1 checked/);
});


test('a notebook without a usable Python: its math is still checked and printed, the Python problem said, exit 2', () => {
  const path = notebook('no_python.ipynb', [
    { type: 'code', text: 'def backward_propagation(parameters, cache, X, Y):\n    return {}\n' },
    { type: 'markdown', text: '$$dW^{[1]} = dZ^{[1]} X^T$$' },
  ]);
  const r = cli(['check', path, '--python', join(dir, 'no-such-python'), '--lang', 'en']);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /no_python\.ipynb, cell 2, line 1: error: .*\[missing-1-over-m\]/);
  assert.match(r.stderr, /^backprop-map check: .*no-such-python/m);
});
