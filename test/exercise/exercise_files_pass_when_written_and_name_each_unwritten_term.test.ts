// The exercise for 1, 2 and 3 hidden layers, through the derivation checker: unfilled, every `...`
// is reported once as not written (nothing else); written in as the notes say, it passes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exercisePython } from '../../src/exercise/exercise';
import { checkText, fillIn, todoTerms } from './exerciseSupport';

const NETWORKS = [
  [2, 16, 1],
  [2, 16, 8, 1],
  [3, 16, 8, 4, 1],
];

for (const dims of NETWORKS) {
  const L = dims.length - 1;
  const text = exercisePython({ layerDims: dims, lang: 'en' }, 'exercise.py');

  test(`[${dims}]: each term left as ... is reported once as not written, and nothing else`, async () => {
    const terms = todoTerms(text);
    // The map's backward terms: dZ, dW, db for each layer and dA for each hidden one.
    assert.equal(terms.length, 3 * L + (L - 1));
    const { code, result } = await checkText(text);
    assert.equal(code, 1);
    assert.deepEqual(result.reports.map((r) => r.code), terms.map(() => 'not-written'));
    assert.deepEqual(result.reports.map((r) => r.term), terms);
    for (const r of result.reports) assert.match(r.message, new RegExp(`^${r.term} is not written yet`));
    assert.equal(result.gradients.length, 2 * L);
    assert.ok(result.gradients.every((g) => g.status === 'missing'));
  });

  test(`[${dims}]: written in as the notes say, every gradient passes with no report`, async () => {
    const { code, result } = await checkText(fillIn(text, L));
    assert.deepEqual(result.reports, []);
    assert.equal(code, 0);
    assert.equal(result.convention, L === 2 ? 'two-layer' : 'L-layer');
    assert.equal(result.gradients.length, 2 * L);
    for (const g of result.gradients) assert.equal(g.status, 'ok', `${g.name}: ${g.hint}`);
  });
}

test('half written: the written layer is checked, each term still ... is reported once', async () => {
  const dims = [2, 16, 8, 1];
  const text = exercisePython({ layerDims: dims, lang: 'en' }, 'exercise.py');
  const written = new Set(['dZ3', 'dW3', 'db3']);
  const { code, result } = await checkText(fillIn(text, 3, (t) => written.has(t)));
  assert.equal(code, 1);
  assert.deepEqual(result.reports.map((r) => r.term), todoTerms(text).filter((t) => !written.has(t)));
  const status = Object.fromEntries(result.gradients.map((g) => [g.name, g.status]));
  assert.deepEqual(status, { dW1: 'missing', db1: 'missing', dW2: 'missing', db2: 'missing', dW3: 'ok', db3: 'ok' });
});

test('a written line that uses a term still ... is not an exception: that term is the one report', async () => {
  const dims = [2, 16, 1];
  const text = exercisePython({ layerDims: dims, lang: 'en' }, 'exercise.py');
  const { code, result } = await checkText(fillIn(text, 2, (t) => t !== 'dZ2'));
  assert.equal(code, 1);
  assert.deepEqual(result.reports.map((r) => [r.code, r.term]), [['not-written', 'dZ2']]);
  assert.ok(result.gradients.every((g) => g.status === 'missing'));
});

test('a wrong term is reported as wrong, beside the ones not written yet', async () => {
  const dims = [2, 16, 1];
  const text = exercisePython({ layerDims: dims, lang: 'en' }, 'exercise.py');
  // dW2 without the 1/m: the checker's own report for it, and dZ1 … db1 still to write.
  const filled = fillIn(text, 2, (t) => ['dZ2', 'dW2', 'db2'].includes(t)).replace('dW2 = 1 / m * np.dot', 'dW2 = np.dot');
  const { result } = await checkText(filled);
  const status = Object.fromEntries(result.gradients.map((g) => [g.name, g.status]));
  assert.equal(status['dW2'], 'value');
  assert.equal(status['db2'], 'ok');
  assert.deepEqual(result.reports.filter((r) => r.code === 'not-written').map((r) => r.term), ['dA1', 'dZ1', 'dW1', 'db1']);
  assert.ok(result.reports.some((r) => r.code === 'missing-1-over-m'));
});
