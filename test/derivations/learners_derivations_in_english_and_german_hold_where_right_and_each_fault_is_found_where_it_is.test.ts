// Derivations as learners write them (test/fixtures/derivations/learners/), English and German, right
// and with the usual faults: a right one has no finding and is checked (not merely skipped); each
// fault — checked by hand — is found at its `=` or its operands, and nothing else; what is not read
// is listed with its reason.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkNotebookMath } from '../../src/cli/checkMath';
import { readNotebook } from '../../src/checker/notebook';
import type { SkipKind } from '../../src/derivations/ast';
import type { Lang } from '../../src/derivations/messages';
import { repoRoot } from '../checker/checkerTestSupport';
import { check, equation, placed, where } from './mathSupport';

const dir = join(repoRoot(), 'test', 'fixtures', 'derivations', 'learners');
const read = (file: string): string => readFileSync(join(dir, file), 'utf8');

interface Case {
  file: string;
  lang: Lang;
  /** Each finding: where it starts (the first occurrence of this text) and its code. */
  findings: [at: string, code: string][];
  checked: number;
  skipped: Partial<Record<SkipKind, number>>;
}

const CASES: Case[] = [
  { file: 'en_two_layer_backward_right.md', lang: 'en', findings: [], checked: 14, skipped: {} },
  {
    file: 'en_two_layer_backward_faults.md',
    lang: 'en',
    findings: [
      // −y/a − (1−y)/(1−a): the second term's sign.
      ['= -\\frac{y}{a} - \\frac{1-y}{1-a}', 'math-wrong'],
      // σ′ is σ(1 − σ), not σ(1 + σ).
      ['= \\sigma(z)(1+\\sigma(z))', 'math-wrong'],
      ['= Y - A^{[2]}', 'sign-flipped'],
      ['= dZ^{[2]} A^{[1]T}', 'missing-1-over-m'],
      // W^{[2]T} dZ^{[2]} is dA^{[1]}; dZ^{[1]} needs the mask.
      ['= W^{[2]T} dZ^{[2]}$$', 'missing-mask'],
      // (n_h × m) and (n_x × m): neither a matrix product nor one shape.
      ['dZ^{[1]} X$$', 'map-shape'],
      // (1 × n_h) and (1 × m): likewise.
      ['W^{[2]} dZ^{[2]}$$', 'map-shape'],
      ['= \\frac{1}{m} \\text{np.sum}(dZ^{[1]}, axis=0', 'wrong-axis'],
    ],
    checked: 8,
    skipped: {},
  },
  {
    file: 'de_rueckwaertslauf_fehler.md',
    lang: 'de',
    findings: [
      // \cdot is the matrix product: (1 × m)·(n_h × m).
      ['dZ^{[2]} \\cdot A^{[1]}', 'map-shape'],
      // (1 − A^{[1]}) is not ReLU's derivative [Z^{[1]} > 0].
      ['= W^{[2]T} \\cdot dZ^{[2]} * (1 - A^{[1]})', 'map-wrong'],
      // (m × n_x)·(n_h × m): X^T on the wrong side (dZ^{[1]} X^T is dW^{[1]}).
      ['X^T dZ^{[1]}', 'map-shape'],
      ['= \\text{np.sum}(dZ^{[1]}', 'missing-1-over-m'],
    ],
    checked: 6,
    skipped: {},
  },
  { file: 'de_sigmoid_ableitung.md', lang: 'de', findings: [], checked: 5, skipped: {} },
  { file: 'en_general_layer_l.md', lang: 'en', findings: [], checked: 9, skipped: { undefined: 1, unsupported: 1 } },
  { file: 'de_planar_tanh.md', lang: 'de', findings: [], checked: 8, skipped: { unsupported: 1 } },
  { file: 'en_cost_and_shapes.md', lang: 'en', findings: [], checked: 6, skipped: { 'sum-of-losses': 1, update: 1 } },
  { file: 'de_notebook_schreibweisen.md', lang: 'de', findings: [], checked: 6, skipped: { index: 3, unsupported: 2 } },
  { file: 'en_squared_error_loss.md', lang: 'en', findings: [], checked: 3, skipped: { 'other-loss': 3 } },
  // σ(z)(1 − σ(−z)) is σ(z)², not σ′(z); σ(z)σ(−z) is σ′(z).
  { file: 'en_code_names_and_sigmoid.md', lang: 'en', findings: [['= \\sigma(z)(1 - \\sigma(-z))', 'math-wrong']], checked: 3, skipped: { index: 6 } },
  { file: 'en_naming_chains_and_precedence.md', lang: 'en', findings: [], checked: 7, skipped: {} },
  { file: 'en_logistic_regression.md', lang: 'en', findings: [], checked: 6, skipped: { 'no-layer': 4 } },
  { file: 'de_regularisierung_und_gradientenpruefung.md', lang: 'de', findings: [], checked: 0, skipped: { unsupported: 1, undefined: 1, relation: 1, 'no-layer': 1, update: 1 } },
];

for (const c of CASES) {
  test(`${c.file}: ${c.findings.length === 0 ? 'no finding' : c.findings.map(([, code]) => code).join(', ')}; ${c.checked} checked`, () => {
    const text = read(c.file);
    const r = check(text, c.lang);
    const expected = c.findings.map(([at, code]) => {
      const w = where(text, at);
      return `${w.line}:${w.column} ${code}`;
    });
    assert.deepEqual(placed(r.findings), expected);
    assert.equal(r.summary.checked, c.checked);
    assert.deepEqual(r.summary.skippedKinds, c.skipped);
    assert.equal(r.summary.wrong, new Set(r.findings.map((f) => f.line)).size);
  });
}

test('German messages for a German learner: the shapes in the notes\' symbols, the missing 1/m in words', () => {
  const r = check(read('de_rueckwaertslauf_fehler.md'), 'de');
  assert.equal(r.findings[0]!.message, 'Die Formen passen nicht: dZ^{[2]} \\cdot A^{[1]}: (1 × m)·(n_h × m). Die inneren Größen m und n_h sind verschieden.');
  assert.match(r.findings[3]!.message, /das 1\/m fehlt\.$/);
});

test('a decimal comma: 0,5 is not read (a number or a list?), TeX\'s 0{,}25 is 0.25 and checked', () => {
  const r = check(read('de_planar_tanh.md'), 'de');
  assert.equal(equation(r, '\\sigma(0) = 0,5').relations[0]!.skipped?.kind, 'unsupported');
  assert.equal(equation(r, "\\sigma'(0) = 0{,}25").verdict, 'ok');
});

test('a loss of the document\'s own: steps between gradients are checked, a gradient against a formula is not', () => {
  const r = check(read('en_squared_error_loss.md'));
  assert.equal(equation(r, 'dW^{[2]}').verdict, 'ok');
  assert.equal(equation(r, '\\frac{\\partial \\mathcal{L}}{\\partial z}').verdict, 'ok');
  const dA = equation(r, 'dA^{[2]}').relations[0]!;
  assert.deepEqual(dA.skipped, { kind: 'other-loss', detail: '\\mathcal{L}(a, y) = \\frac{1}{2}(a - y)^2' });
});

test('a German notebook: its Markdown cells are checked in order, the two slips found in cell 5', () => {
  const cells = readNotebook(read('de_uebung_rueckwaertslauf.ipynb'));
  const r = checkNotebookMath(cells, 'de_uebung_rueckwaertslauf.ipynb', 'de');
  assert.deepEqual(r.findings.map((f) => [f.cell, f.line, f.code]), [[5, 3, 'map-shape'], [5, 5, 'map-wrong']]);
  assert.equal(r.summary.checked, 10);
  assert.equal(r.summary.definitions, 2);
  assert.deepEqual(r.summary.skippedKinds, {});
});
