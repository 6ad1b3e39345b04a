// The notes write examples in columns (X is n_x × m, Z = W X + b); CS231n writes them in rows
// (X is m × n_x, Z = X W + b). A document whose forward run is written in rows is read in rows, every
// quantity of the map transposed: its right equations hold, its faults are found in its own
// convention. Without such a forward run the notes' convention holds, and the notes' transposed
// product X^T dZ^{[1]} stays a shape error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mathLines } from '../../src/cli/checkMath';
import { check, equation, placed, where } from './mathSupport';

const FORWARD_IN_ROWS = ['$$Z^{[1]} = X W^{[1]} + b^{[1]}$$', '$$A^{[1]} = \\text{relu}(Z^{[1]})$$', '$$Z^{[2]} = A^{[1]} W^{[2]} + b^{[2]}$$'];

test('right equations with examples in rows hold, with their shapes in rows', () => {
  const text = [
    ...FORWARD_IN_ROWS,
    '$$dW^{[2]} = \\frac{1}{m} A^{[1]T} dZ^{[2]}$$',
    '$$db^{[2]} = \\frac{1}{m} \\text{np.sum}(dZ^{[2]}, axis=0, keepdims=True)$$',
    '$$dZ^{[1]} = dZ^{[2]} W^{[2]T} * [Z^{[1]} > 0]$$',
    '$$dW^{[1]} = \\frac{1}{m} X^T dZ^{[1]}$$',
  ].join('\n\n');
  const r = check(text);
  assert.deepEqual(placed(r.findings), []);
  assert.deepEqual(r.equations.map((e) => e.verdict), ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  assert.equal(r.summary.examples, 'rows');
  assert.equal(equation(r, 'dW^{[1]}').sides[1]!.shape, '(n_x × n_h) = (4 × 3)');
  assert.match(equation(r, 'dW^{[1]}').testPoint ?? '', /examples in rows/);
});

test('in rows, a missing 1/m and the columns form of a product are found at their places', () => {
  const text = [...FORWARD_IN_ROWS, '$$dW^{[2]} = A^{[1]T} dZ^{[2]}$$', '$$dW^{[1]} = \\frac{1}{m} dZ^{[1]} X^T$$'].join('\n\n');
  const r = check(text);
  assert.deepEqual(placed(r.findings), [
    `${where(text, '$$dW^{[2]}').line}:${where(text, '= A^{[1]T}').column} missing-1-over-m`,
    `${where(text, '$$dW^{[1]}').line}:${where(text, 'dZ^{[1]} X^T').column} map-shape`,
  ]);
  assert.match(r.findings[1]!.message, /\(m × n_h\)·\(n_x × m\)/);
});

test('without a forward run in rows, X^T dZ^[1] is the notes\' shape error, as before', () => {
  const line = '$$dW^{[1]} = \\frac{1}{m} X^T dZ^{[1]}$$';
  const r = check(line);
  assert.deepEqual(placed(r.findings), [`1:${where(line, 'X^T').column} map-shape`]);
  assert.equal(r.summary.examples, undefined);
});

test('a forward run in columns keeps the notes\' convention for a rows-only backward equation', () => {
  const text = ['$$Z^{[1]} = W^{[1]} X + b^{[1]}$$', '$$dW^{[1]} = \\frac{1}{m} X^T dZ^{[1]}$$'].join('\n\n');
  const r = check(text, 'de');
  assert.deepEqual(placed(r.findings), [`3:${where(text, 'X^T').column} map-shape`]);
  assert.equal(r.summary.examples, undefined);
});

test('the summary says the document was read with examples in rows, in English and German', () => {
  const text = [...FORWARD_IN_ROWS, '$$dW^{[2]} = \\frac{1}{m} A^{[1]T} dZ^{[2]}$$'].join('\n\n');
  assert.ok(mathLines(check(text), 'test.md', 'en').some((l) => l.startsWith('Read with examples in rows')));
  assert.ok(mathLines(check(text, 'de'), 'test.md', 'de').some((l) => l.startsWith('Mit Beispielen in Zeilen gelesen')));
});
