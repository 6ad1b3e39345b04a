// The map's marks for an exercise file, from a real check: gradients right or wrong as checked, the
// terms left as `...` missing, an intermediate right only once what is computed from it is right.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exercisePython } from '../../src/exercise/exercise';
import { exerciseMarks } from '../../src/exercise/marks';
import { checkText, fillIn } from './exerciseSupport';

const dims = [4, 5, 3, 1];
const text = exercisePython({ layerDims: dims, lang: 'en' }, 'exercise.py');

/** term → status of the marks. */
const byTerm = (marks: ReturnType<typeof exerciseMarks>) => Object.fromEntries(marks.map((m) => [m.term, m.status]));

test('half written, dW2 without its 1/m: right, wrong and missing where they are, nothing guessed', async () => {
  const written = new Set(['dZ3', 'dW3', 'db3', 'dA2', 'dZ2', 'dW2', 'db2']);
  const filled = fillIn(text, 3, (t) => written.has(t)).replace('dW2 = 1 / m * np.dot', 'dW2 = np.dot');
  const marks = exerciseMarks((await checkText(filled)).result);
  assert.deepEqual(byTerm(marks), {
    dA1: 'missing', dZ1: 'missing', dW1: 'missing', db1: 'missing',
    dW2: 'wrong', db2: 'right',
    dW3: 'right', db3: 'right', dZ3: 'right',
  });
  // Each mark points at its line of the file.
  const lines = text.split('\n');
  for (const m of marks) assert.match(lines[m.line! - 1]!, new RegExp(`^\\s*${m.term} = `), m.term);
});

test('all written as the notes say: every term of the backward run right, but dA3, which is no line of it', async () => {
  const marks = exerciseMarks((await checkText(fillIn(text, 3))).result);
  assert.deepEqual(marks.map((m) => m.term).sort(), ['dA1', 'dA2', 'dW1', 'dW2', 'dW3', 'dZ1', 'dZ2', 'dZ3', 'db1', 'db2', 'db3']);
  assert.ok(marks.every((m) => m.status === 'right'));
});
