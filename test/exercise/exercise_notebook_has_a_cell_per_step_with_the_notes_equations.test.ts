// The exercise as a notebook: nbformat 4, a markdown cell with the notes' equations before each
// step's code, and code that is the .py exercise's, so the checker finds the same terms to write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exerciseNotebook, exercisePython } from '../../src/exercise/exercise';
import { checkText, fillIn, todoTerms } from './exerciseSupport';
import type { Locale } from '../../src/shared/locale';

interface Cell {
  id: string;
  cell_type: string;
  source: string[];
  outputs?: unknown[];
}

function parse(dims: number[], lang: Locale = 'en') {
  const nb = JSON.parse(exerciseNotebook({ layerDims: dims, lang }, 'exercise.ipynb')) as { nbformat: number; nbformat_minor: number; cells: Cell[]; metadata: { kernelspec: { language: string } } };
  return { nb, cells: nb.cells.map((c) => ({ ...c, text: c.source.join('') })) };
}

test('nbformat 4.5: unique ids, code cells without outputs, each line but the last ending in a newline', () => {
  const { nb } = parse([2, 16, 8, 1]);
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.nbformat_minor, 5);
  assert.equal(nb.metadata.kernelspec.language, 'python');
  assert.equal(new Set(nb.cells.map((c) => c.id)).size, nb.cells.length);
  for (const c of nb.cells) {
    assert.ok(['markdown', 'code'].includes(c.cell_type));
    if (c.cell_type === 'code') assert.deepEqual(c.outputs, []);
    c.source.slice(0, -1).forEach((l) => assert.ok(l.endsWith('\n'), JSON.stringify(l)));
  }
});

test('every code cell follows a markdown cell; the steps are setup, initialisation, forward, cost, backward', () => {
  const { cells } = parse([2, 16, 8, 1]);
  const code = cells.filter((c) => c.cell_type === 'code');
  assert.deepEqual(
    code.map((c) => /^def (\w+)/m.exec(c.text)?.[1] ?? (c.text.startsWith('import numpy') ? 'setup' : '?')),
    ['sigmoid', 'initialize_parameters_deep', 'L_model_forward', 'compute_cost', 'L_model_backward'],
  );
  for (const c of code) assert.equal(cells[cells.indexOf(c) - 1]!.cell_type, 'markdown');
});

test("the markdown holds the notes' equations of each step, per layer", () => {
  const { cells } = parse([2, 16, 8, 1]);
  const before = (fn: string) => cells[cells.findIndex((c) => c.text.includes(`def ${fn}`)) - 1]!.text;
  const forward = before('L_model_forward');
  for (const l of [1, 2, 3]) assert.ok(forward.includes(`Z^{[${l}]}} = {W^{[${l}]}`), `Z${l} in ${forward}`);
  assert.match(forward, /\\sigma\(Z\^\{\[3\]\}\)/);
  const backward = before('L_model_backward');
  assert.ok(backward.includes('dZ^{[3]}'));
  assert.ok(backward.includes('\\frac{1}{m} \\cdot dZ^{[1]} \\cdot X^{T}'));
  assert.ok(backward.includes('dA^{[1]}} = {W^{[2]T} \\cdot dZ^{[2]}'));
  assert.ok(backward.includes('`dW3 (n_y × n_h2) = (1 × 8)`'));
  assert.doesNotMatch(backward, /allowbreak/);
  assert.match(before('compute_cost'), /\\mathcal\{L\}/);
});

test('German explanations with --lang de; the code is the same', () => {
  const en = parse([2, 4, 1]).cells;
  const de = parse([2, 4, 1], 'de').cells;
  assert.match(de[0]!.text, /Schreib die Rückwärtsrechnung selbst/);
  assert.deepEqual(
    de.filter((c) => c.cell_type === 'code').map((c) => c.text),
    en.filter((c) => c.cell_type === 'code').map((c) => c.text),
  );
});

test("the code cells hold the .py exercise's code: the same terms to write, and written in it passes", async () => {
  const dims = [2, 16, 8, 1];
  const code = parse(dims).cells.filter((c) => c.cell_type === 'code').map((c) => c.text).join('\n\n\n');
  const py = exercisePython({ layerDims: dims, lang: 'en' }, 'exercise.py');
  assert.ok(py.includes(code.split('\n\n\n').at(-1)!));
  assert.deepEqual(todoTerms(code), todoTerms(py));
  const { code: exit, result } = await checkText(fillIn(code, 3));
  assert.deepEqual(result.reports, []);
  assert.equal(exit, 0);
});
