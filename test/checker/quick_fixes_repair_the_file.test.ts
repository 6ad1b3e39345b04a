// Applying a report's quick fix to the fixture gives a file whose gradients all check right:
// the fixes are offered only where they are certain, and their ranges are exact.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CheckerRunner } from '../../src/checker/runner';
import type { CheckFix } from '../../src/checker/types';
import { fixture, testPython } from './checkerTestSupport';

function apply(text: string, fixes: CheckFix[]): string {
  const lines = text.split('\n');
  // The edits never overlap; apply from the end so earlier columns stay valid.
  const edits = fixes.flatMap((f) => f.edits).sort((a, b) => b.line - a.line || b.column - a.column);
  for (const e of edits) {
    assert.equal(e.line, e.endLine, 'single-line edits');
    const l = lines[e.line - 1]!;
    lines[e.line - 1] = l.slice(0, e.column - 1) + e.newText + l.slice(e.endColumn - 1);
  }
  return lines.join('\n');
}

const FIXABLE = [
  'two_faults_one_layer.py',
  'missing_1_over_m.py',
  'missing_keepdims.py',
  'wrong_axis.py',
  'transposed_product.py',
  'L_missing_1_over_m.py',
  'L_missing_keepdims.py',
  'L_wrong_axis.py',
  'L_transposed_product.py',
];

describe('quick fixes', () => {
  const runner = new CheckerRunner({ python: testPython() });
  after(() => runner.dispose());

  for (const file of FIXABLE) {
    test(`${file}: the fixes repair every gradient`, async () => {
      const before = await runner.check(fixture(file), file);
      const fixes = before.reports.filter((r) => r.fix).map((r) => r.fix!);
      assert.equal(fixes.length, before.reports.filter((r) => r.severity === 'error').length, 'a fix for each error');
      const after = await runner.check(apply(fixture(file), fixes), file);
      assert.deepEqual(after.gradients.map((g) => `${g.name} ${g.status}`), after.gradients.map((g) => `${g.name} ok`));
      assert.deepEqual(after.reports.filter((r) => r.severity === 'error'), []);
    });
  }

  test('the 1/m fix takes the file\'s own way of writing it', async () => {
    const text = fixture('missing_1_over_m.py').replaceAll('1 / m * ', '(1./m) * ');
    const r = await runner.check(text, 'style.py');
    assert.equal(r.reports[0]?.fix?.edits[0]?.newText, '(1./m) * np.dot(dZ2, A1.T)');
  });
});
