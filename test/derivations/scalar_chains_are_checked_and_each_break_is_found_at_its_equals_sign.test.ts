// Scalar derivation chains: compared at random points with the document's definitions in force;
// a break is reported at its `=`, with both sides' values and, on evidence, why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, equation, placed, where } from './mathSupport';

const DEFINITIONS = [
  'The loss $\\mathcal{L}(a, y) = -y \\log(a) - (1-y) \\log(1-a)$ and $a = \\sigma(z) = \\frac{1}{1+e^{-z}}$.',
  '',
].join('\n');

test('the notes\' derivation of ∂L/∂z holds step by step: no finding, every step checked', () => {
  const text = [
    DEFINITIONS,
    '$$\\frac{\\partial \\mathcal{L}}{\\partial a} = \\frac{-y}{a} - \\frac{(1-y)}{(1-a)} \\cdot (-1) = \\frac{-y}{a} + \\frac{(1-y)}{(1-a)}$$',
    '$$\\frac{-y(1-a) + a(1-y)}{a(1-a)} = \\frac{-y + ya + a - ay}{a(1-a)} = \\frac{a - y}{a(1-a)}$$',
    '$\\frac{da}{dz} = \\frac{d}{dz} (1+e^{-z})^{-1} = -1 \\cdot (1+e^{-z})^{-2} \\cdot (-e^{-z})$',
    '$$= -1 \\cdot a^2 \\cdot \\left(1 - \\frac{1}{a}\\right) \\quad A * (1-A)$$',
    '$$= -a^2 \\cdot \\left(\\frac{a-1}{a}\\right) = a(1-a)$$',
    '$$\\frac{\\partial \\mathcal{L}}{\\partial z} = \\frac{\\partial \\mathcal{L}}{\\partial a} \\cdot \\frac{\\partial a}{\\partial z} = \\frac{a-y}{a(1-a)} \\cdot a(1-a) = a - y$$',
  ].join('\n');
  const r = check(text);
  assert.deepEqual(placed(r.findings), []);
  assert.equal(r.summary.relations.wrong, 0);
  assert.equal(r.summary.relations.ok, 13);
  // The chain goes on in the next display block from its last side, past the remark after \quad.
  const next = equation(r, '= -a^2');
  assert.equal(next.relations[0]!.verdict, 'ok');
  assert.equal(next.sides[0]!.tex, '-1 \\cdot a^2 \\cdot \\left(1 - \\frac{1}{a}\\right)');
});

test("the notes' own slip (a−y)/(a(1−a)) · (a−1)/a = a−y is found at its = and the wrong factor named", () => {
  const step = '$$\\frac{\\partial \\mathcal{L}}{\\partial z} = \\frac{\\partial \\mathcal{L}}{\\partial a} \\cdot \\frac{\\partial a}{\\partial z} = \\frac{a-y}{a(1-a)} \\cdot \\frac{a-1}{a} = a-y \\quad A^{[2]} - Y$$';
  const text = `${DEFINITIONS}\n${step}\n`;
  const r = check(text);
  assert.equal(r.findings.length, 1, placed(r.findings).join(', '));
  const f = r.findings[0]!;
  const at = where(text, '= \\frac{a-y}');
  assert.deepEqual([f.line, f.column, f.code], [at.line, at.column, 'math-wrong']);
  // Both sides' values at one point, and the factor that changed: ∂a/∂z = a(1 − a) became (a − 1)/a.
  assert.match(f.message, /^The chain breaks here: -?[\d.]+ ≠ −[\d.]+ at a = [\d.]+, y = [\d.]+, z = [\d.]+\./);
  assert.match(f.message, /The factor \\frac\{a-1\}\{a\} is not \\frac\{\\partial a\}\{\\partial z\}/);
  assert.match(f.message, /the side \\frac\{a-y\}\{a\(1-a\)\} \\cdot \\frac\{a-1\}\{a\} is the wrong one/);
  // The step after it returns to a − y: marked wrong too, pointing at this one, not a second finding.
  const e = equation(r, '\\frac{\\partial \\mathcal{L}}{\\partial z}');
  assert.deepEqual(e.relations.map((x) => x.verdict), ['ok', 'wrong', 'wrong']);
  // What follows \quad is a remark, not a side.
  assert.equal(e.sides.length, 4);
});

test('a flipped sign, a constant factor and a reciprocal are said; a break without such evidence only gives the values', () => {
  const lines = [
    '$$\\frac{\\partial \\mathcal{L}}{\\partial a} = \\frac{y}{a} - \\frac{1-y}{1-a}$$',
    '$$\\frac{da}{dz} = a(1-a) = 2a(1-a)$$',
    '$$\\frac{\\partial \\mathcal{L}}{\\partial a} = \\frac{a(1-a)}{a-y}$$',
    '$$\\frac{da}{dz} = a(1-a) = a^2 + y$$',
  ];
  const text = `${DEFINITIONS}\n${lines.join('\n\n')}\n`;
  const r = check(text);
  assert.deepEqual(
    r.findings.map((f) => [f.line, f.column, f.code]),
    [
      [where(text, '= \\frac{y}{a}').line, where(text, '= \\frac{y}{a}').column, 'sign-flipped'],
      [where(text, '= 2a').line, where(text, '= 2a').column, 'constant-factor'],
      [where(text, '= \\frac{a(1-a)}').line, where(text, '= \\frac{a(1-a)}').column, 'reciprocal'],
      [where(text, '= a^2 + y').line, where(text, '= a^2 + y').column, 'math-wrong'],
    ],
  );
  assert.match(r.findings[0]!.message, /off by a sign/);
  assert.match(r.findings[1]!.message, /the side after is 2 times the side before/i);
  assert.match(r.findings[2]!.message, /reciprocal/);
  assert.doesNotMatch(r.findings[3]!.message, /sign|times the side|reciprocal|factor/);
});

test('derivatives are taken from the definitions: ∂/∂a holds z, d/dz goes through a = σ(z), and f′ of a defined f', () => {
  const text = [
    DEFINITIONS,
    '$$\\frac{\\partial \\mathcal{L}}{\\partial z} = a - y$$',
    '$$\\frac{d}{dz} \\log(1+e^{-z}) = a - 1$$',
    '$$\\frac{d\\mathcal{L}}{da} = \\frac{a-y}{a(1-a)}$$',
    '$$\\begin{aligned} f(x) &= x^3 - 2x \\\\ f\'(x) &= 3x^2 - 2 \\end{aligned}$$',
    '$$\\frac{d}{dx} f(x) = 3x^2 - 2$$',
    '$$\\sigma\'(z) = \\sigma(z)(1 - \\sigma(z))$$',
    '$$\\frac{d}{dz}\\tanh(z) = 1 - \\tanh^2(z)$$',
  ].join('\n');
  const r = check(text);
  assert.deepEqual(placed(r.findings), []);
  for (const start of ['\\frac{\\partial \\mathcal{L}}{\\partial z}', '\\frac{d}{dz} \\log', '\\frac{d\\mathcal{L}}{da}', "f'(x)", '\\frac{d}{dx} f(x)', "\\sigma'(z)", '\\frac{d}{dz}\\tanh']) {
    assert.equal(equation(r, start).verdict, 'ok', start);
  }
});

test('\\log is the natural logarithm, as in the notes and numpy: d/dx log(x) = 1/x holds, log base 10 would not', () => {
  const ok = check('$$\\frac{d}{dx} \\log(x) = \\frac{1}{x}$$\n$$\\log_e(x) = \\ln(x)$$');
  assert.deepEqual(placed(ok.findings), []);
  assert.equal(ok.summary.checked, 2);
  const ten = check('$$\\frac{d}{dx} \\log_{10}(x) = \\frac{1}{x}$$');
  assert.equal(ten.findings.length, 1);
  assert.equal(ten.findings[0]!.code, 'constant-factor');
});

test('a letter defined again means the new thing from there on, never a break: a = σ(z), then a = relu(z)', () => {
  const r = check('$a = \\sigma(z)$\n\n$$\\frac{da}{dz} = a(1-a)$$\n\nThen the hidden layer: $a = \\text{relu}(z)$\n\n$$\\frac{da}{dz} = [z > 0]$$\n');
  assert.deepEqual(placed(r.findings), []);
  assert.deepEqual(r.equations.map((e) => e.verdict), ['definition', 'ok', 'definition', 'ok']);
});

test('a definition in an earlier line is in force later; one made later is not', () => {
  const later = check('$$\\frac{dq}{dz} = 2z$$\n\n$$q = z^2$$');
  assert.equal(later.findings.length, 0);
  assert.equal(later.equations[0]!.relations[0]!.skipped?.kind, 'not-a-function-of');
  const earlier = check('$$q = z^2$$\n\n$$\\frac{dq}{dz} = 2z = 3z$$');
  assert.deepEqual(earlier.findings.map((f) => f.code), ['constant-factor']);
  assert.match(earlier.findings[0]!.message, /3\/2 times/);
});

test('a chain goes on in an align environment (&=) and after \\\\; each break at its own =', () => {
  const text = [
    DEFINITIONS,
    '\\begin{align}',
    "\\sigma'(z) &= \\sigma(z)(1-\\sigma(z)) \\\\",
    '&= \\frac{e^{-z}}{(1+e^{-z})^2} \\\\',
    '&= \\frac{e^{z}}{(1+e^{-z})^2}',
    '\\end{align}',
  ].join('\n');
  const r = check(text);
  assert.equal(r.findings.length, 1);
  const at = where(text, '&= \\frac{e^{z}}');
  assert.deepEqual([r.findings[0]!.line, r.findings[0]!.column], [at.line, at.column + 1]);
});

test('German: the same findings in the notes\' words, numbers with a decimal comma', () => {
  const text = `${DEFINITIONS}\n$$\\frac{da}{dz} = a(1-a) = 2a(1-a)$$\n`;
  const [f] = check(text, 'de').findings;
  assert.match(f!.message, /^Hier bricht die Kette: 0,\d+ ≠ 0,\d+ bei a = 0,\d+, z = 0,\d+\. Die Seite danach ist das 2-fache der Seite davor\.$/);
});

test('names in a row before a formula are each defined by it: ŷ = a = σ(z) is no claim that a is σ(z)', () => {
  const r = check('$\\hat{y} = a = \\sigma(z)$\n\n$$\\frac{da}{dz} = \\hat{y}(1 - \\hat{y})$$\n');
  assert.deepEqual(placed(r.findings), []);
  assert.deepEqual(r.equations[0]!.relations.map((x) => x.verdict), ['definition', 'definition']);
  assert.equal(r.equations[1]!.verdict, 'ok');
});
