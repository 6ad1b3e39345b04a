// The code lens above each checked unit says its verdict in a few words, from a real check's result:
// the gradients it checked when right, the first wrong one's shape or difference (leading to its
// report) when wrong, and why when it is not written or not checked.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CheckerRunner } from '../../src/checker/runner';
import { unitLens } from '../../src/checker/unitLens';
import { fixturesDir, testPython } from './checkerTestSupport';

const units = (name: string) => readFileSync(join(fixturesDir(), 'units', name), 'utf8');

describe('code lens titles', () => {
  const runner = new CheckerRunner({ python: testPython() });
  after(() => runner.dispose());

  test('right, wrong by shape, not written, not checked', async () => {
    const right = await runner.check(units('linear_only_correct.py'), 'a.py');
    assert.equal(unitLens(right.units[0]!, right.reports).title, '✓ linear_backward: dA, dW, db');
    const keepdims = await runner.check(units('linear_only_missing_keepdims.py'), 'b.py');
    const lens = unitLens(keepdims.units[0]!, keepdims.reports);
    assert.equal(lens.title, '✗ db: shape (3,)');
    assert.deepEqual(lens.target, { line: keepdims.reports[0]!.line });
    const stubs = await runner.check(units('not_written_yet.py'), 'c.py');
    assert.deepEqual(stubs.units.map((u) => unitLens(u, stubs.reports).title), ['not written yet', 'not written yet', 'not written yet']);
    const keys = await runner.check(units('weight1_keys.py'), 'd.py');
    assert.match(unitLens(keys.units[0]!, keys.reports).title, /^not checked: `forward_propagation` reads parameters\["weight1"\]/);
    assert.ok(unitLens(keys.units[0]!, keys.reports).title.length <= 110);
  });

  test('a unit wrong through a unit it calls says so', async () => {
    const r = await runner.check(units('rows_relu_mask_from_dout.py'), 'e.py');
    const composite = r.units.find((u) => u.function === 'affine_relu_backward')!;
    assert.match(unitLens(composite, r.reports).title, /^✗ it calls `relu_backward`, which is wrong on its own \(line \d+\)$/);
    assert.match(unitLens(r.units.find((u) => u.function === 'relu_backward')!, r.reports).title, /^✗ dx: rel\. difference \d\.\de-1$/);
  });
});
