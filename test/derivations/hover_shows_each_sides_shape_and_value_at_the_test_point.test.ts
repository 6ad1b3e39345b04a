// The hover over an equation: where it was evaluated, each side's shape and value there, the
// steps' verdicts, and why a side is not checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { equationAt, hoverLines } from '../../src/derivations/hover';
import { check, where } from './mathSupport';

test('a map equation: the network, then each side with its shape in symbols and numbers and its first entries', () => {
  const text = 'Text\n\n$$dW^{[2]} = \\frac{1}{m} \\cdot dZ^{[2]} \\cdot A^{[1]T}$$\n';
  const r = check(text);
  const at = where(text, 'dZ^{[2]}');
  const e = equationAt(r.equations, at.line, at.column)!;
  const lines = hoverLines(e, 'en');
  assert.equal(lines[0], 'Checked at n_x = 4, n_h = 3, m = 7');
  assert.match(lines[1]!, /^dW\^\{\[2\]\}: \(1 × n_h\) = \(1 × 3\) \[-?\d\.\d+, -?\d\.\d+, -?\d\.\d+\]$/);
  assert.match(lines[2]!, /^\\frac\{1\}\{m\} \\cdot dZ\^\{\[2\]\} \\cdot A\^\{\[1\]T\}: \(1 × n_h\) = \(1 × 3\) \[/);
  assert.equal(lines[3], '✓ 1 step(s) hold');
  assert.equal(equationAt(r.equations, 1, 2), undefined);
});

test('a scalar chain with a break, and a side not read, in German', () => {
  const text = '$a = \\sigma(z)$\n\n$$\\frac{da}{dz} = 2a(1-a) = [\\text{blue}]$$\n';
  const r = check(text, 'de');
  const at = where(text, '\\frac{da}');
  const lines = hoverLines(equationAt(r.equations, at.line, at.column + 3)!, 'de');
  assert.match(lines[0]!, /^Geprüft bei a = 0,\d+, z = 0,\d+$/);
  assert.match(lines[1]!, /^\\frac\{da\}\{dz\}: 0,\d+$/);
  assert.match(lines.join('\n'), /✗ Hier bricht die Kette: .*das 2-fache/);
  assert.match(lines.join('\n'), /\[\\text\{blue\}\]: nicht geprüft: ein Bild \(Farben, Punkte\)/);
});
