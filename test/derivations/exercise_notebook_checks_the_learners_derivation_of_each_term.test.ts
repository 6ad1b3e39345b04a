// The exercise notebook: its own equations (the map's TeX) pass the math check, and a Markdown cell
// per term of the backward run waits for the learner's derivation: not written yet, then right or wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readNotebook } from '../../src/checker/notebook';
import { checkNotebookMath } from '../../src/cli/checkMath';
import { exerciseNotebook, exerciseTerms } from '../../src/exercise/exercise';

function cellsOf(dims: number[], lang: 'en' | 'de' = 'en') {
  return readNotebook(exerciseNotebook({ layerDims: dims, lang, m: 200 }, 'exercise.ipynb'));
}

test("the map's own equations in the exercise notebook all hold; each term is a cell to write", () => {
  for (const dims of [[2, 4, 1], [2, 16, 8, 1], [3, 5, 4, 3, 1]]) {
    const r = checkNotebookMath(cellsOf(dims), 'exercise.ipynb', 'en');
    assert.deepEqual(r.findings.filter((f) => f.code !== 'not-written').map((f) => f.message), [], `${dims}`);
    assert.deepEqual(r.findings.map((f) => f.term), exerciseTerms(dims).map((t) => t.name), `${dims}`);
    assert.ok(r.findings.every((f) => f.severity === 'warning' && f.cell !== undefined));
    assert.equal(r.summary.wrong, 0);
    assert.ok(r.summary.checked >= 6 * (dims.length - 1), `${dims}: ${r.summary.checked} checked`);
  }
});

test("a derivation written in a term's cell is checked with the definitions of the cell before: right, then a slip", () => {
  const cells = cellsOf([2, 4, 1]);
  const at = cells.findIndex((c) => c.markdown && c.text.includes('$$dZ^{[2]} = \\dots$$'));
  assert.ok(at > 0);
  const write = (text: string) => checkNotebookMath(cells.map((c, i) => (i === at ? { ...c, text } : c)), 'exercise.ipynb', 'de');
  const right = write(
    '### $dZ^{[2]}$\n\n$$dZ^{[2]} = \\frac{\\partial \\mathcal{L}}{\\partial Z^{[2]}} = dA^{[2]} * A^{[2]} * (1 - A^{[2]}) = A^{[2]} - Y$$\n\n' +
      'Für ein Beispiel: $$\\frac{\\partial \\mathcal{L}}{\\partial z} = \\frac{\\partial \\mathcal{L}}{\\partial a} \\cdot \\frac{\\partial a}{\\partial z} = a - y$$',
  );
  assert.deepEqual(right.findings.filter((f) => f.cell === at + 1), []);
  assert.ok(right.equations.filter((e) => e.cell === at + 1).every((e) => e.verdict === 'ok'));
  const slip = write('$$dZ^{[2]} = dA^{[2]} * A^{[2]} * (1 - A^{[2]}) = \\frac{1}{m}(A^{[2]} - Y)$$');
  const [f] = slip.findings.filter((x) => x.cell === at + 1);
  assert.equal(f!.code, 'extra-1-over-m');
  assert.match(f!.message, /ein 1\/m zu viel/);
});
