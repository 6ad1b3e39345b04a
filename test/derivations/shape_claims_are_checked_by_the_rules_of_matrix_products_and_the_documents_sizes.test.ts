// Shape claims: `(1 \times 3) = (1 \times 7) \circ (7 \times 3)` (∘ and · the matrix product, *
// element by element), a claim after a quantity or an equation on its line, subscripts under a
// quantity; the sizes one claim gives a symbol hold for the others.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, equation, placed, where } from './mathSupport';

test("the notes' claims of the map hold: products, element-wise products, a sum over axis 1", () => {
  const text = [
    '$A^{[2]}$ $(1 \\times 7)$',
    '$(1 \\times 7) = (1 \\times 7) * (1 \\times 7)$',
    '$A^{[1]}$ $(3 \\times 7) = (3 \\times 1) \\cdot (1 \\times 7)$',
    '$dW^{[2]} = \\frac{1}{m} \\cdot dZ^{[2]} \\cdot A^{[1]T}$ $(1 \\times 3) = (1 \\times 7) \\circ (7 \\times 3)$',
    '$X$ $(4 \\times 7) = (4 \\times 3) \\cdot (3 \\times 7)$',
    '$(3 \\times 1) = \\sum_{\\text{axis}=1} (3 \\times 7)$',
    '$$Z^{[1]}_{(3 \\times 7)} = W^{[1]}_{(3 \\times 4)} X_{(4 \\times 7)} + b^{[1]}_{(3 \\times 1)}$$',
  ].join('\n\n');
  const r = check(text);
  assert.deepEqual(placed(r.findings), []);
  const shapes = r.equations.filter((e) => e.world === 'shape');
  assert.equal(shapes.length, 6);
  assert.ok(shapes.every((e) => e.verdict === 'ok'), shapes.map((e) => `${e.tex}: ${e.verdict}`).join('\n'));
});

test('a product whose inner sizes differ, and a claim whose sides differ, are found where they are', () => {
  const text = '$(1 \\times 3) = (1 \\times 7) \\cdot (3 \\times 7)$\n\n$(3 \\times 4) = (3 \\times 7) \\circ (7 \\times 5)$';
  const r = check(text);
  assert.deepEqual(r.findings.map((f) => f.code), ['claim-shape', 'claim-shape']);
  assert.equal(r.findings[0]!.message, 'The shapes do not fit: (1 × 7) · (3 × 7): the inner sizes 7 and 3 differ.');
  assert.deepEqual([r.findings[0]!.line, r.findings[0]!.column], [1, where(text, '\\cdot').column - 1]);
  assert.equal(r.findings[1]!.message, 'The shape claim does not hold: (3 × 4) ≠ (3 × 5).');
  assert.deepEqual([r.findings[1]!.line, r.findings[1]!.column], [3, where(text, '=', 1).column]);
});

test("a claim against the sizes the document's other claims give: n_h = 3 from A^[1], so Z^[1] is not (4 × 7)", () => {
  const text = '| $A^{[1]}$ | $(3 \\times 7)$ |\n| $Z^{[1]}$ | $(4 \\times 7)$ |\n';
  const r = check(text);
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(f.code, 'claim-size');
  assert.equal(f.message, 'Z^{[1]} is (n_h × m); (4 × 7) here gives n_h = 4, but n_h = 3 at line 1.');
  assert.deepEqual([f.line, f.column], [2, where(text, '(4').column]);
  assert.equal(equation(r, '(4 \\times 7)').verdict, 'wrong');
});

test("the operands of a claim after an equation are the equation's: X^T is (m × n_x), not (7 × 5)", () => {
  const text = '$X$ $(4 \\times 7)$\n\n$dW^{[1]} = \\frac{1}{m} dZ^{[1]} X^T$ $(3 \\times 4) = (3 \\times 7) \\circ (7 \\times 4)$\n\n$dW^{[1]} = \\frac{1}{m} dZ^{[1]} X^T$ $(3 \\times 5) = (3 \\times 7) \\circ (7 \\times 5)$';
  const r = check(text);
  assert.deepEqual(r.findings.map((f) => [f.line, f.code]), [[5, 'claim-size'], [5, 'claim-size']]);
  assert.match(r.findings[0]!.message, /^dW\^\{\[1\]\} is \(n_h × n_x\); \(3 × 5\) here gives n_x = 5, but n_x = 4 at line 1\.$/);
  assert.match(r.findings[1]!.message, /^X\^T is \(m × n_x\); \(7 × 5\) here gives n_x = 5/);
});

test('a shape written far from its quantity speaks of nothing: not checked, never wrong', () => {
  // The (1 × 7) after "axis=1" is the shape of dZ^[2] in the notes' drawing, not of db^[2].
  const r = check('$db^{[2]} = \\frac{1}{m} \\cdot \\text{np.sum}(dZ^{[2]})$ $\\downarrow$ $\\text{axis}=1 \\quad (1 \\times 7)$');
  assert.deepEqual(placed(r.findings), []);
  assert.equal(equation(r, '(1 \\times 7)').verdict, 'skipped');
});

test('German claims', () => {
  const [f] = check('$(1 \\times 3) = (1 \\times 7) \\cdot (3 \\times 7)$', 'de').findings;
  assert.equal(f!.message, 'Die Formen passen nicht: (1 × 7) · (3 × 7): die inneren Größen 7 und 3 sind verschieden.');
});
