// A fault in a backward pass is reported where it enters — the dZ2, dA1, dZ1, dW or db line of the
// two-layer function, or of L_model_backward and its helpers — with the evidence, and an intermediate
// that agrees with the notes' map is never blamed (root-line/expectations.json).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CheckerRunner } from '../../src/checker/runner';
import { fixturesDir, testPython } from './checkerTestSupport';

interface RootExp {
  line: number;
  code: string;
  message: string;
  spoiled: Record<string, string>;
  right: number[];
}

const dir = join(fixturesDir(), 'root-line');
const table = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(join(dir, 'expectations.json'), 'utf8'))).filter(([k]) => k.endsWith('.py')),
) as Record<string, RootExp>;

describe('a fault is reported at the line where it enters', () => {
  const runner = new CheckerRunner({ python: testPython() });
  after(() => runner.dispose());

  test('every fixture has expectations, for the two-layer and the L-layer functions', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.py'));
    for (const f of files) assert.ok(table[f], `no expectations for ${f}`);
    assert.ok(files.some((f) => f.startsWith('two_')) && files.some((f) => f.startsWith('L_')));
  });

  for (const [file, exp] of Object.entries(table)) {
    test(file, async () => {
      const r = await runner.check(readFileSync(join(dir, file), 'utf8'), file);
      const summary = r.reports.map((x) => `${x.line} ${x.code}: ${x.message}`).join('\n');
      assert.equal(r.reports.length, 1, `one report:\n${summary}`);
      const [rep] = r.reports;
      assert.equal(rep.line, exp.line, `line:\n${summary}`);
      assert.equal(rep.code, exp.code);
      assert.equal(rep.severity, 'error');
      assert.ok(rep.message.includes(exp.message), `message ${JSON.stringify(rep.message)} should contain ${JSON.stringify(exp.message)}`);
      for (const g of r.gradients) {
        const hint = exp.spoiled[g.name];
        if (hint === undefined) {
          assert.equal(g.status, 'ok', `${g.name} is right (hint: ${g.hint})`);
          continue;
        }
        assert.equal(g.status, 'value', `${g.name} status`);
        assert.ok(g.hint === null ? hint === '' : g.hint.includes(hint), `${g.name} hint ${JSON.stringify(g.hint)} should contain ${JSON.stringify(hint)}`);
      }
      for (const line of exp.right) {
        assert.ok(!r.reports.some((x) => x.line === line), `line ${line} is right and must not be reported`);
        const blames = new RegExp(`spoiled by \\S+ at line ${line}\\b`);
        for (const g of r.gradients) assert.ok(!blames.test(g.hint ?? ''), `${g.name} blames the right line ${line}: ${g.hint}`);
      }
    });
  }
});
