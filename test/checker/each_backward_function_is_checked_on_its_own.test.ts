// Every unit of a file is checked on its own, in the conventions the courses use: layer and activation
// pairs (examples in columns and in rows, images for conv and pool), losses with their gradient, model
// classes, layer classes, Course 2's networks and the plain tutorials' layers. Each fixture of
// test/fixtures/checker/units is right, or has one fault marked `# fault: CODE` at its line: a right one
// gets no error and no warning, a fault is reported at its line with its code by the unit it is in, and
// every unit has the status written down in units/expectations.json. A helper module's units that a file
// uses are checked too, and reported at the module's lines (its `# fault:` marks).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { checkNotebook, readNotebook } from '../../src/checker/notebook';
import { CheckerRunner } from '../../src/checker/runner';
import type { CheckResult } from '../../src/checker/types';
import { fixturesDir, runCheckCommand, testPython } from './checkerTestSupport';

const dir = join(fixturesDir(), 'units');
interface UnitsExp {
  /** function -> status; a helper module's unit as `module.py:function`. */
  units: Record<string, string>;
  /** [line, code, severity] and the cell (a notebook's) or the helper module (a path) it is in. */
  reports: (number | string)[][];
}
const table = JSON.parse(readFileSync(join(dir, 'expectations.json'), 'utf8')) as Record<string, UnitsExp>;
delete table['_comment'];

function files(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? files(p) : /\.(py|ipynb)$/.test(n) && !n.startsWith('__init__') ? [relative(dir, p)] : [];
  });
}

/** The `# fault: CODE` marks of a file: where each error must be, and which; `helper`: the file is a module the checked one uses. */
function faults(file: string, helper?: string): { line: number; cell?: number; file?: string; code: string }[] {
  const text = readFileSync(join(dir, file), 'utf8');
  const sources = file.endsWith('.ipynb') ? readNotebook(text).map((c) => c.text) : [text];
  return sources.flatMap((src, i) =>
    src.split('\n').flatMap((l, n) => {
      const m = /# fault: ([\w-]+)/.exec(l);
      return m ? [{ line: n + 1, ...(file.endsWith('.ipynb') ? { cell: i + 1 } : {}), ...(helper ? { file: helper } : {}), code: m[1]! }] : [];
    }),
  );
}

/** A unit as units/expectations.json names it. */
const unitKey = (u: { function: string; file?: string }) => (u.file === undefined ? u.function : `${u.file}:${u.function}`);

/** The log of a loss with an ε inside (`np.log(p + 1e-7)`) moves its numerical gradient that much: a right unit's hint says so. */
const LOG_EPSILON = /ε = \S+ added inside a logarithm/;

describe('each backward function is checked on its own', () => {
  const runner = new CheckerRunner({ python: testPython() });
  after(() => runner.dispose());

  test('every fixture has expectations, and there is a right one and a fault for each kind', () => {
    const all = files(dir);
    for (const f of all) assert.ok(table[f], `no expectations for ${f}`);
    const kinds = new Set<string>();
    for (const [f, exp] of Object.entries(table)) for (const s of Object.values(exp.units)) kinds.add(`${faults(f).length ? 'fault' : 'right'}:${s}`);
    for (const k of ['right:ok', 'fault:wrong', 'fault:error', 'right:not-written', 'right:not-checked']) assert.ok(kinds.has(k), k);
  });

  for (const [file, exp] of Object.entries(table)) {
    test(file, async () => {
      const path = join(dir, file);
      const options = { folder: dirname(path) };
      const r: CheckResult = file.endsWith('.ipynb')
        ? await checkNotebook(runner, readNotebook(readFileSync(path, 'utf8')), file, options)
        : await runner.check(readFileSync(path, 'utf8'), file, options);
      const summary = r.reports.map((x) => `${x.cell ?? ''}:${x.line} ${x.severity} ${x.code} [${x.unit}]: ${x.message}`).join('\n');
      assert.deepEqual(Object.fromEntries(r.units.map((u) => [unitKey(u), u.status])), exp.units, `units (${summary})`);
      const helpers = [...new Set(r.units.flatMap((u) => (u.file === undefined ? [] : [u.file])))];
      const marks = [...faults(file), ...helpers.flatMap((h) => faults(join(dirname(file), h), h))];
      const errors = r.reports.filter((x) => x.severity === 'error');
      assert.equal(errors.length, marks.length, `one error per marked fault:\n${summary}`);
      for (const m of marks) {
        const rep = errors.find((x) => x.line === m.line && x.cell === m.cell && x.file === m.file);
        assert.ok(rep, `the fault at ${m.file ?? m.cell ?? ''}:${m.line} is reported there:\n${summary}`);
        assert.equal(rep.code, m.code, `code at line ${m.line}`);
        const unit = r.units.find((u) => u.function === rep.unit && u.file === rep.file);
        assert.ok(unit && (unit.status === 'wrong' || unit.status === 'error'), `the report names its unit: ${rep.unit}`);
        assert.ok(rep.column >= 1 && rep.endColumn > rep.column);
      }
      const others = r.reports.filter((x) => x.severity !== 'error').map((x) => [x.line, x.code, x.severity, ...(x.cell !== undefined ? [x.cell] : []), ...(x.file !== undefined ? [x.file] : [])]);
      assert.deepEqual(others, exp.reports, `the other reports:\n${summary}`);
      for (const u of r.units) {
        assert.ok(u.line >= 1 && u.endLine >= u.line, `${u.function} lines`);
        if (u.status !== 'ok') continue;
        assert.ok(u.gradients.length > 0, `${u.function} checked something`);
        for (const g of u.gradients) {
          assert.equal(g.status, 'ok', `${u.function} ${g.name}`);
          const within = g.relDifference !== null && (g.relDifference < r.tolerance || LOG_EPSILON.test(g.hint ?? ''));
          assert.ok(within, `${u.function} ${g.name}: ${g.relDifference}`);
          assert.ok(g.maxError === undefined || g.maxError === null || g.maxError < 1e-5, `${u.function} ${g.name} max error ${g.maxError}`);
        }
      }
    });
  }

  test('the columns course: dW and db in the 1/m scaling or in none, and the one that matched is named', async () => {
    const mean = await runner.check(readFileSync(join(dir, 'linear_only_correct.py'), 'utf8'), 'a.py');
    const sum = await runner.check(readFileSync(join(dir, 'linear_only_sum_scaling.py'), 'utf8'), 'b.py');
    assert.deepEqual([mean.units[0]!.scaling, sum.units[0]!.scaling], ['1/m', 'sum']);
    assert.deepEqual([mean.units[0]!.convention, mean.units[0]!.kind], ['columns', 'layer']);
  });

  test('reports name shapes in the layout\'s sizes and hints only on evidence', async () => {
    const at = async (file: string) => (await runner.check(readFileSync(join(dir, file), 'utf8'), file)).reports.find((x) => x.severity === 'error')!.message;
    assert.match(await at('linear_only_missing_keepdims.py'), /db has shape \(n,\) = \(3,\) but b is \(n, 1\) = \(3, 1\) — .*keepdims=True/);
    assert.match(await at('rows_affine_dx_not_reshaped.py'), /dx has shape \(N, D\) = \(4, 6\) but x is \(N, d1, d2\) = \(4, 2, 3\) — .*reshape/);
    assert.match(await at('softmax_loss_missing_1_over_N.py'), /relative difference 0\.6 > tolerance 1e-07, largest entry-wise error .*the 1\/N is missing/);
    assert.match(await at('rows_relu_mask_from_dout.py'), /mask comes from the forward's input/);
    assert.doesNotMatch(await at('rows_batchnorm_dx_without_dmu.py'), / — /, 'no hint without evidence');
  });

  test('a unit wrong through another unit it calls points there, and has no report of its own', async () => {
    const r = await runner.check(readFileSync(join(dir, 'rows_relu_mask_from_dout.py'), 'utf8'), 'r.py');
    const composite = r.units.find((u) => u.function === 'affine_relu_backward')!;
    assert.match(composite.reason ?? '', /calls `relu_backward`, which is wrong on its own \(line \d+\)/);
    assert.ok(!r.reports.some((x) => x.unit === 'affine_relu_backward'));
  });

  test('a helper module\'s unit that the file uses is reported at the module\'s line; the unit calling it points there', async () => {
    const path = join(dir, 'helper_module', 'deep_layers.py');
    const r = await runner.check(readFileSync(path, 'utf8'), 'deep_layers.py', { folder: dirname(path) });
    const relu = r.units.find((u) => u.function === 'relu_backward')!;
    assert.deepEqual([relu.file, relu.status, relu.gradients[0]!.line], ['act_utils.py', 'wrong', 25]);
    const rep = r.reports.find((x) => x.unit === 'relu_backward')!;
    assert.deepEqual([rep.file, rep.line, rep.code], ['act_utils.py', 25, 'mask-from-dout']);
    const composite = r.units.find((u) => u.function === 'linear_activation_backward')!;
    assert.match(composite.reason ?? '', /calls `relu_backward`, which is wrong on its own \(act_utils\.py:25\)/);
    assert.ok(!r.reports.some((x) => x.unit === 'linear_activation_backward'));
    assert.ok(!r.functions.some((f) => f.name === 'relu_backward'), 'the module\'s functions are not the file\'s');
    const text = await runCheckCommand([path]);
    assert.match(text.stdout, /helper_module\/act_utils\.py:25:5: error: dZ is wrong/);
    assert.match(text.stdout, /^✗ relu_backward \(activation, columns, act_utils\.py:22\): dZ WRONG \(.*act_utils\.py:25;/m);
  });

  test('--json lists the units; the text output has a verdict per unit; exit 1 when one is wrong, 2 when none could be checked', async () => {
    const json = await runCheckCommand([join(dir, 'rows_relu_mask_from_dout.py'), '--json']);
    assert.equal(json.code, 1);
    const units = (JSON.parse(json.stdout) as CheckResult).units.map((u) => [u.function, u.kind, u.convention, u.status]);
    assert.deepEqual(units.slice(0, 2), [['affine_backward', 'layer', 'rows', 'ok'], ['relu_backward', 'activation', 'rows', 'wrong']]);
    const text = await runCheckCommand([join(dir, 'rows_layers_correct.py')]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^✓ affine_backward: dx, dw, db right \(layer, rows; max rel\. difference/m);
    assert.equal(text.stdout.split('\n').filter((l) => l.startsWith('✓ ')).length, 7);
    const none = await runCheckCommand([join(dir, 'not_written_yet.py')]);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /^nothing was checked: affine_backward is not written yet; relu_backward is not written yet/m);
    assert.doesNotMatch(none.stdout, /: (error|warning): /);
  });
});
