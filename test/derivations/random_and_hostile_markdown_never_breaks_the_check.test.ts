// Whatever the text — random TeX, brackets a thousand deep, definitions going round in circles, a
// file over the limit — the check answers: no exception, no hang, every location inside the text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkMarkdown, MAX_MATH_CHARS } from '../../src/derivations/check';
import { createRng } from '../../src/core/rng';

const PIECES = [
  'a', 'y', 'z', 'W^{[1]}', 'dZ^{[l]}', 'A^{[2]T}', 'X', 'Y', '\\hat{y}', '\\mathcal{L}(a, y)', '=', '=', ':=', '+', '-', '*', '\\cdot', '/',
  '\\frac{', '}{', '}', '{', '(', ')', '[', ']', '\\left(', '\\right)', '^{', '_{', '\\sigma(', '\\log(', 'e^{-z}', '\\text{relu}(', '\\text{np.sum}(',
  ', axis=1', '\\partial', 'd', '\\frac{\\partial \\mathcal{L}}{\\partial a}', '\\frac{d}{dz}', '[Z^{[1]} > 0]', '(3 \\times 7)', '\\circ', '\\quad',
  '\\\\', '&', '\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}', '\\begin{aligned}', '\\end{aligned}', '\\text{●}', '①', '\\dots', '$', '`', '\n',
  '2', '0.5', '\\sum_{i=1}^m', 'a^{(i)}', "g'(", '\\sqrt{', '\\Rightarrow', '%', '#', '\\', '\\unknown', 'x_{ij}', '⊙', '−',
];

function locationsInside(text: string, r: ReturnType<typeof checkMarkdown>): void {
  const lines = text.split('\n');
  for (const f of [...r.findings, ...r.equations]) {
    assert.ok(f.line >= 1 && f.line <= lines.length, `line ${f.line} of ${lines.length}`);
    assert.ok(f.column >= 1 && f.column <= lines[f.line - 1]!.length + 1, `column ${f.column} on line ${f.line}`);
  }
}

test('random TeX in random delimiters: an answer for each, its locations in the text', () => {
  const rng = createRng(26);
  for (let n = 0; n < 400; n++) {
    const parts: string[] = [];
    const count = 1 + rng.int(30);
    for (let k = 0; k < count; k++) parts.push(PIECES[rng.int(PIECES.length)]!);
    const open = ['$', '$$', '\\[', '$$\n'][rng.int(4)]!;
    const close = open === '\\[' ? '\\]' : open.trim();
    const text = `Text ${open}${parts.join(rng.int(2) ? ' ' : '')}${close} more\n$$= a$$\n`;
    const r = checkMarkdown(text, { lang: rng.int(2) ? 'en' : 'de' });
    locationsInside(text, r);
    assert.equal(r.summary.equations, r.equations.length);
  }
});

test('brackets a thousand deep, a thousand chained definitions, one circle: not read, never a crash', () => {
  const deep = `$$x = ${'('.repeat(1000)}a${')'.repeat(1000)}$$ $$y = ${'{'.repeat(3000)}a${'}'.repeat(3000)}$$ $$q = ${'\\frac{1}{'.repeat(500)}a${'}'.repeat(500)}$$`;
  const r1 = checkMarkdown(deep);
  assert.deepEqual(r1.findings, []);
  const chain = Array.from({ length: 1000 }, (_, i) => `$q_${i + 1} = 2 q_${i}$`).join('\n') + '\n$$\\frac{d q_1000}{d q_0} = 3$$\n';
  const r2 = checkMarkdown(chain);
  locationsInside(chain, r2);
  // The first definitions are read; past the work one check does, the rest is listed, not checked.
  assert.equal(r2.equations[0]!.verdict, 'definition');
  assert.equal(r2.equations.at(-1)!.relations[0]!.skipped?.kind, 'budget');
  const circle = checkMarkdown('$p = q + 1$ $q = p - 1$ $$p = q + 1 = 2$$');
  assert.ok(circle.findings.every((f) => f.severity !== 'error'));
});

test('arguments of the loss that do not fit one another: a shape error at them, never an exception', () => {
  const text = '$$J = \\mathcal{L}(W^{[1]}, Y)$$';
  const r = checkMarkdown(text);
  assert.deepEqual(r.findings.map((f) => [f.code, f.column]), [['map-shape', text.indexOf('W^{[1]}') + 1]]);
  assert.match(r.findings[0]!.message, /W\^\{\[1\]\}, Y: \(n_h × n_x\) \* \(1 × m\)/);
});

test('a text over the limit is not checked, and says so in one information note', () => {
  const r = checkMarkdown(`$$a = 2a$$ ${'x'.repeat(MAX_MATH_CHARS)}`);
  assert.deepEqual(r.findings.map((f) => [f.severity, f.code]), [['info', 'too-large']]);
  assert.equal(r.equations.length, 0);
});
