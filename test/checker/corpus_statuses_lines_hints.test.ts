// Every fixture of the corpus (correct and broken implementations) checks to the statuses, lines,
// hints, report codes and quick fixes written down for it in expectations.json.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { CheckerRunner } from '../../src/checker/runner';
import type { CheckResult } from '../../src/checker/types';
import expectations from '../fixtures/checker/expectations.json';
import { fixture, fixturesDir, testPython } from './checkerTestSupport';

type GradExp = [string, number?, string?];
interface ReportExp {
  line: number;
  code: string;
  severity: string;
  message?: string;
  related?: number[];
  fix?: string;
}
interface FileExp {
  convention: string | null;
  gradients: Record<string, GradExp>;
  reports: ReportExp[];
}

const table = Object.fromEntries(Object.entries(expectations).filter(([k]) => k.endsWith('.py'))) as unknown as Record<string, FileExp>;

describe('the derivation checker on the corpus', () => {
  const runner = new CheckerRunner({ python: testPython() });
  after(() => runner.dispose());

  test('has at least 25 fixtures, each with expectations', () => {
    const files = readdirSync(fixturesDir()).filter((f) => f.endsWith('.py'));
    assert.ok(files.length >= 25, `${files.length} fixtures`);
    for (const f of files) assert.ok(table[f], `no expectations for ${f}`);
  });

  for (const [file, exp] of Object.entries(table)) {
    test(file, async () => {
      const r: CheckResult = await runner.check(fixture(file), file);
      assert.equal(r.convention, exp.convention, 'convention');
      const got = Object.fromEntries(r.gradients.map((g) => [g.name, g]));
      assert.deepEqual(Object.keys(got).sort(), Object.keys(exp.gradients).sort(), 'gradients checked');
      for (const [name, [status, line, hint]] of Object.entries(exp.gradients)) {
        const g = got[name];
        assert.equal(g.status, status, `${name} status (hint: ${g.hint})`);
        if (line !== undefined) assert.equal(g.line, line, `${name} line`);
        if (hint !== undefined) assert.ok(g.hint?.includes(hint), `${name} hint ${JSON.stringify(g.hint)} should contain ${JSON.stringify(hint)}`);
        if (status === 'ok') {
          assert.ok(g.relDifference !== null && g.relDifference < r.tolerance, `${name} rel. difference ${g.relDifference}`);
          assert.equal(g.hint, null, `${name}: no hint on a right gradient`);
        }
      }
      const summary = r.reports.map((x) => `${x.line} ${x.code} ${x.severity}: ${x.message}`).join('\n');
      assert.equal(r.reports.length, exp.reports.length, `reports:\n${summary}`);
      for (const want of exp.reports) {
        const rep = r.reports.find((x) => x.line === want.line && x.code === want.code);
        assert.ok(rep, `expected ${want.code} at line ${want.line}; got:\n${summary}`);
        assert.equal(rep.severity, want.severity);
        assert.ok(rep.column >= 1 && rep.endColumn > rep.column, 'a column range');
        if (want.message) assert.ok(rep.message.includes(want.message), `message ${JSON.stringify(rep.message)} should contain ${JSON.stringify(want.message)}`);
        if (want.related) assert.deepEqual(rep.related.map((x) => x.line), want.related);
        if (want.fix !== undefined) assert.deepEqual(rep.fix?.edits.map((e) => e.newText), [want.fix], 'quick fix');
        else assert.equal(rep.fix, undefined, 'no quick fix where it is not certain');
      }
    });
  }
});
