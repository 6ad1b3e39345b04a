// Where the math of a Markdown text is: $…$, $$…$$ (over lines), \[…\], \(…\), a bare
// \begin{align}; not in code spans, fenced code or HTML comments; escaped dollars are text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineIndex, mathSpans } from '../../src/derivations/markdown';
import { check, where } from './mathSupport';

test('every delimiter, and nothing in code, comments or escaped dollars', () => {
  const text = [
    'Inline $a = 1$ and \\(b = 2\\), a price of \\$5 and \\$6.',
    '$$',
    'c = 3',
    '$$',
    '\\[ d = 4 \\]',
    '\\begin{align} e &= 5 \\end{align}',
    '`$f = 6$` and ``$g$``',
    '```',
    '$$h = 8$$',
    '```',
    '<!-- $i = 9$ -->',
    '~~~python',
    'x = "$j$"',
    '~~~',
  ].join('\n');
  const spans = mathSpans(text);
  assert.deepEqual(
    spans.map((s) => [s.src.trim(), s.display]),
    [
      ['a = 1', false],
      ['b = 2', false],
      ['c = 3', true],
      ['d = 4', true],
      ['\\begin{align} e &= 5 \\end{align}', true],
    ],
  );
  for (const s of spans) assert.equal(text.slice(s.offset, s.offset + s.src.length), s.src);
});

test('lines and columns are 1-based, in UTF-16 units, across lines of a display', () => {
  const lines = new LineIndex('ab\nü𝓛x\n');
  assert.deepEqual(lines.at(0), { line: 1, column: 1 });
  assert.deepEqual(lines.at(3), { line: 2, column: 1 });
  assert.deepEqual(lines.at(6), { line: 2, column: 4 });
  const text = 'Text\n\n$$\n\\frac{d}{dx} x^2\n= 3x\n$$\n';
  const [f] = check(text).findings;
  assert.deepEqual([f!.line, f!.column, f!.endLine, f!.endColumn], [where(text, '= 3x').line, 1, where(text, '= 3x').line, 2]);
});

test('table cells hold math of their own; a chain in one cell does not go on in the next', () => {
  const text = '| $x$ | $y = 2$ |\n|---|---|\n| $q = x^2$ | $\\frac{dq}{dx} = 2x$ |\n';
  const r = check(text);
  assert.deepEqual(r.equations.map((e) => [e.line, e.tex, e.verdict]), [
    [1, 'y = 2', 'definition'],
    [3, 'q = x^2', 'definition'],
    [3, '\\frac{dq}{dx} = 2x', 'ok'],
  ]);
});
