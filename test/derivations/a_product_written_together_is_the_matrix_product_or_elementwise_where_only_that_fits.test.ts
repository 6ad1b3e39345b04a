// A product by juxtaposition is the notes' matrix product where that fits (`W^{[1]} X`); where only
// the element-by-element product fits, both operands of one shape, it is that (the learner's
// `A^{[2]}(1 - A^{[2]})`, the notes' scalar a(1 − a) written for the matrices); operands that only
// broadcast are not read; neither fitting, and an explicit `\cdot` that does not fit, are shape errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, equation, placed, where } from './mathSupport';

test('two operands of one shape written together are multiplied element by element: the right formulas hold', () => {
  const text = [
    '$$dZ^{[2]} = dA^{[2]} A^{[2]}(1 - A^{[2]}) = A^{[2]} - Y$$',
    '$$dZ^{[1]} = W^{[2]T} dZ^{[2]} [Z^{[1]} > 0]$$',
    "$$dZ^{[l]} = W^{[l+1]T} dZ^{[l+1]} g'(Z^{[l]})$$",
    '$$\\frac{dA^{[2]}}{dZ^{[2]}} = A^{[2]}(1 - A^{[2]}) = \\sigma(Z^{[2]})(1 - \\sigma(Z^{[2]}))$$',
  ].join('\n\n');
  const r = check(text);
  assert.deepEqual(placed(r.findings), []);
  assert.deepEqual(r.equations.map((e) => e.verdict), ['ok', 'ok', 'ok', 'ok']);
  assert.equal(r.summary.relations.ok, 6);
});

test('read element by element, a wrong formula is still found: A^[2](1 − A^[2]) is not dZ^[2]', () => {
  const line = '$$dZ^{[2]} = A^{[2]}(1 - A^{[2]})$$';
  const r = check(line);
  assert.deepEqual(placed(r.findings), [`1:${where(line, '=').column} map-wrong`]);
  assert.equal(equation(r, 'dZ^{[2]}').sides[1]!.shape, '(1 × m) = (1 × 7)');
});

test('matrix products bind tighter than * and \\odot: g′(Z) * W^T dZ is g′ times the product', () => {
  const r = check(["$$dZ^{[1]} = g'(Z^{[1]}) * W^{[2]T} dZ^{[2]}$$", "$$dZ^{[l]} = g'(Z^{[l]}) \\odot W^{[l+1]T} \\cdot dZ^{[l+1]}$$", '$$dZ^{[1]} = [Z^{[1]} > 0] * W^{[2]T} dZ^{[2]}$$'].join('\n\n'));
  assert.deepEqual(placed(r.findings), []);
  assert.deepEqual(r.equations.map((e) => e.verdict), ['ok', 'ok', 'ok']);
});

test('an explicit \\cdot stays the matrix product: two (n_h × m) joined by it are a shape error', () => {
  const line = '$$dZ^{[1]} = W^{[2]T} dZ^{[2]} \\cdot [Z^{[1]} > 0]$$';
  const r = check(line);
  assert.deepEqual(placed(r.findings), [`1:${where(line, 'W^{[2]T}').column} map-shape`]);
  assert.equal(r.findings[0]!.message, 'The shapes do not fit: W^{[2]T} dZ^{[2]} \\cdot [Z^{[1]} > 0]: (n_h × m)·(n_h × m). The inner sizes m and n_h differ.');
});

test('written together, operands that fit neither way are a shape error at them', () => {
  const line = '$$dW^{[1]} = \\frac{1}{m} dZ^{[1]} X$$';
  const r = check(line);
  assert.deepEqual(placed(r.findings), [`1:${where(line, 'dZ^{[1]} X').column} map-shape`]);
  assert.match(r.findings[0]!.message, /dZ\^\{\[1\]\} X: \(n_h × m\)·\(n_x × m\)\. The inner sizes m and n_x differ\.$/);
});

test('operands of different shapes that only broadcast are not read: a transpose or a * may be missing', () => {
  const r = check('$$dW^{[2]} = \\frac{1}{m} dZ^{[2]} A^{[1]}$$', 'de');
  assert.deepEqual(placed(r.findings), []);
  const e = equation(r, 'dW^{[2]}');
  assert.equal(e.verdict, 'skipped');
  assert.deepEqual(e.relations[0]!.skipped, { kind: 'ambiguous-product', detail: 'dZ^{[2]} A^{[1]}' });
  assert.deepEqual(r.summary.skippedKinds, { 'ambiguous-product': 1 });
});

test('shape claims read juxtaposition the same way', () => {
  const right = check('$(1 \\times m) = (1 \\times m)(1 \\times m)$\n\n$(3 \\times 7) = (3 \\times 1)(1 \\times 7)$');
  assert.deepEqual(placed(right.findings), []);
  assert.deepEqual(right.equations.map((e) => e.verdict), ['ok', 'ok']);
  const broadcast = check('$(1 \\times 3) = (1 \\times 7)(3 \\times 7)$');
  assert.deepEqual(placed(broadcast.findings), []);
  assert.equal(broadcast.equations[0]!.relations[0]!.skipped?.kind, 'ambiguous-product');
  const neither = '$(1 \\times 3) = (1 \\times 7)(4 \\times 3)$';
  assert.deepEqual(check(neither).findings.map((f) => [f.code, f.message]), [['claim-shape', 'The shapes do not fit: (1 × 7) · (4 × 3): the inner sizes 7 and 4 differ.']]);
});
