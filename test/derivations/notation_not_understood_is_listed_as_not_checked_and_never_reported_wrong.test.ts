// No false alarms: pictures, sentences, index notation, matrices without a layer index, an
// ambiguous d, updates and conditions are listed as not checked (with why), never reported wrong.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../checker/checkerTestSupport';
import { check, equation, placed } from './mathSupport';

const kindOf = (text: string): string[] => {
  const r = check(text);
  assert.deepEqual(placed(r.findings), [], text);
  return r.equations.flatMap((e) => e.relations.map((x) => (x.verdict === 'skipped' ? x.skipped!.kind : x.verdict)));
};

test('each kind of notation not read is skipped with its reason', () => {
  assert.deepEqual(kindOf('$$\\begin{bmatrix} \\text{blue} \\\\ \\text{red} \\end{bmatrix} \\cdot [\\text{grey}] = [\\text{●●●}]$$'), ['picture']);
  assert.deepEqual(kindOf('$\\text{LOSS} = \\text{DISTANCE}(\\hat{y}, y)$'), ['text']);
  assert.deepEqual(kindOf('$$\\frac{\\partial z_i^{[l]}}{\\partial a_j^{[l-1]}} = w_{ij}^{[l]}$$'), ['index']);
  assert.deepEqual(kindOf('$$dW = \\frac{1}{m} dZ \\cdot A^T$$'), ['no-layer']);
  assert.deepEqual(kindOf('$$z = Wa + b$$'), ['no-layer']);
  assert.deepEqual(kindOf('$$\\frac{dy}{dx} = 2 dx$$'), ['ambiguous-d']);
  assert.deepEqual(kindOf('$$\\theta := \\theta - \\alpha \\cdot \\nabla J$$'), ['update']);
  assert.deepEqual(kindOf('$$W^{[1]} := W^{[1]} - \\alpha \\, dW^{[1]}$$'), ['update']);
  assert.deepEqual(kindOf('$$\\sigma(z) = 0.5$$'), ['condition']);
  assert.deepEqual(kindOf('$$J = \\frac{1}{m}\\text{np.sum}(\\mathcal{L}(\\hat{Y}, Y)) = 0.693$$'), ['ok', 'condition']);
  assert.deepEqual(kindOf('$$\\sigma(z) = a \\approx 0.5$$'), ['relation']);
  assert.deepEqual(kindOf('$$\\frac{\\partial J}{\\partial \\theta} = d\\theta$$'), ['undefined']);
  assert.deepEqual(kindOf('$$loss = \\frac{1}{2}(y - a)^2$$'), ['text']);
  assert.deepEqual(kindOf('$$\\frac{\\partial \\mathcal{L}}{\\partial a} = -\\frac{y}{a}$$'), ['not-a-function-of']);
});

test("the names of code (A1, dW2) and a bare decimal comma (0,5) are not read; TeX's 0{,}5 is 0.5", () => {
  assert.deepEqual(kindOf('$A1 = \\sigma(Z1)$'), ['index']);
  assert.deepEqual(kindOf('$$dW2 = \\frac{1}{m} dZ2 A1^T$$'), ['index']);
  assert.deepEqual(kindOf('$\\sigma(0) = 0,5$'), ['unsupported']);
  assert.deepEqual(kindOf('$\\sigma(0) = 0{,}5$'), ['ok']);
  assert.deepEqual(check('$\\sigma(0) = 0{,}7$').findings.map((f) => f.code), ['constant-factor']);
});

test('a vector of ones (db = 1/m dZ 1) is not read as the number 1; 1(Z > 0) is the indicator [Z > 0]', () => {
  assert.deepEqual(kindOf('$$db^{[2]} = \\frac{1}{m} dZ^{[2]} \\mathbf{1}$$'), ['unsupported']);
  assert.deepEqual(kindOf('$$db^{[2]} = \\frac{1}{m} \\mathbf{1}^T dZ^{[2]T}$$'), ['unsupported']);
  assert.deepEqual(kindOf('$$dZ^{[1]} = W^{[2]T} dZ^{[2]} * \\mathbb{1}(Z^{[1]} > 0)$$'), ['ok']);
  assert.deepEqual(check('$$dZ^{[1]} = W^{[2]T} dZ^{[2]} * \\mathbb{1}(Z^{[1]} < 0)$$').findings.map((f) => f.code), ['map-wrong']);
});

test('a word between formulas separates statements, a remark after \\quad is not a side, code is not math', () => {
  const r = check('$\\frac{\\partial z}{\\partial a} \\text{ für } q = 2 \\quad \\text{IST}$ and `$x = 2x$` and\n\n```\n$$y = 3y$$\n```\n');
  assert.deepEqual(placed(r.findings), []);
  assert.deepEqual(r.equations.map((e) => e.tex), ['q = 2']);
  assert.equal(r.equations[0]!.verdict, 'definition');
});

test('an exercise blank is a term to write only after a quantity of the map; elsewhere … is an ellipsis', () => {
  const r = check('$$dZ^{[2]} = \\dots$$\n\n$$\\text{Slices: } \\dots = \\frac{\\partial z}{\\partial w}$$\n\n$$q = \\ldots$$');
  assert.deepEqual(r.findings.map((f) => [f.code, f.severity, f.term]), [['not-written', 'warning', 'dZ2']]);
  assert.equal(equation(r, 'dZ^{[2]}').verdict, 'not-written');
  // What is written before the blank is checked.
  const begun = check('$$dZ^{[2]} = dA^{[2]} * A^{[2]} = \\dots$$');
  assert.deepEqual(begun.findings.map((f) => f.code), ['not-written', 'map-wrong']);
  assert.deepEqual(equation(begun, 'dZ^{[2]}').relations.map((x) => x.verdict), ['wrong', 'not-written']);
});

test('a German derivation in the notes\' notation: its two slips are found, everything it cannot read is listed, nothing else', () => {
  const text = readFileSync(join(repoRoot(), 'test', 'fixtures', 'derivations', 'herleitung_sigmoid_kreuzentropie.md'), 'utf8');
  const r = check(text, 'de');
  assert.deepEqual(r.findings.map((f) => [f.line, f.code]), [[23, 'math-wrong'], [33, 'missing-1-over-m']]);
  assert.match(r.findings[0]!.message, /Der Faktor \\frac\{1-a\}\{a\} ist nicht \\frac\{\\partial a\}\{\\partial z\}/);
  assert.deepEqual(r.summary.skippedKinds, { picture: 1 });
  assert.equal(r.summary.checked, 15);
});

test('a symbol defined through a side not read (A = RELU(Z) = max(0, Z), as the course writes it) is defined by the side read, not compared as a free symbol', () => {
  const r = check('- **ReLU**: The mathematical formula is $A = RELU(Z) = max(0, Z)$.\n\nThen $A + 1 = \\max(0, Z) + 1$.');
  assert.deepEqual(placed(r.findings), []);
  const e = equation(r, 'A = RELU(Z)');
  assert.equal(e.verdict, 'definition');
  assert.deepEqual(e.relations.map((x) => x.verdict), ['skipped', 'definition']);
  assert.equal(e.relations[0]!.skipped?.kind, 'text');
  assert.equal(equation(r, 'A + 1').verdict, 'ok', 'and A is max(0, Z) afterwards');
});

test('an inline $= …$ after words or code (`dAL` $= ∂L/∂A^{[L]}$) is not the chain before going on; a display starting with = still is', () => {
  const text = 'The output is $A^{[L]} = \\sigma(Z^{[L]})$. Your code computes `dAL` $= \\frac{\\partial \\mathcal{L}}{\\partial A^{[L]}}$.';
  const r = check(text);
  assert.deepEqual(placed(r.findings), []);
  assert.equal(r.equations[1]!.relations[0]!.skipped?.kind, 'incomplete');
  const display = check('$$dZ^{[2]} = A^{[2]} - Y$$\n\n$$= \\sigma(Z^{[2]}) - Y$$');
  assert.deepEqual(placed(display.findings), []);
  assert.deepEqual(display.equations.map((e) => e.verdict), ['ok', 'ok']);
});
