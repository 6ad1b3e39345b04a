import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli, jsonLines } from './cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-ignore-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The same 30 patients twice: once with an id column in front, once without it.
const rows = Array.from({ length: 30 }, (_, k) => {
  const a = ((k * 7) % 11) - 5;
  const b = ((k * 5) % 13) - 6;
  return { id: 1001 + k, a, b, y: a + b > 0 ? 'ja' : 'nein' };
});
const withId = join(dir, 'patients.csv');
const withoutId = join(dir, 'patients_plain.csv');
writeFileSync(withId, `id,a,b,y\n${rows.map((r) => `${r.id},${r.a},${r.b},${r.y}`).join('\n')}\n`);
writeFileSync(withoutId, `a,b,y\n${rows.map((r) => `${r.a},${r.b},${r.y}`).join('\n')}\n`);

const common = ['--epochs', '40', '--hidden', '4', '--json'];
const done = (stdout: string) => jsonLines(stdout).at(-1)!;

test('an id column is used as a feature unless left out, and the printed summary says how to leave it out', () => {
  const r = cli(['train', withId, '--epochs', '5', '--hidden', '4']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Data {5}patients\.csv: 30 examples, 3 features, label "y"\n/);
  assert.match(r.stdout, /\nNote {5}"id" looks like an identifier and is used as a feature; leave it out with --ignore id\n/);
});

test('--ignore by name or by number gives exactly the run on the file without that column', () => {
  const reference = done(cli(['train', withoutId, ...common]).stdout);
  for (const ignore of ['id', 'ID', '1']) {
    const r = cli(['train', withId, '--ignore', ignore, ...common]);
    assert.equal(r.code, 0, r.stderr);
    const d = done(r.stdout);
    assert.deepEqual(d['featureNames'], ['a', 'b']);
    assert.deepEqual(d['train'], reference['train'], `--ignore ${ignore}`);
    assert.deepEqual(d['validation'], reference['validation'], `--ignore ${ignore}`);
  }
  const text = cli(['train', withId, '--ignore', 'id', '--epochs', '5', '--hidden', '4']).stdout;
  assert.match(text, /^Data {5}patients\.csv: 30 examples, 2 features, label "y"; left out "id"\n/);
  assert.doesNotMatch(text, /Note/);
});

test('gradcheck takes --ignore too', () => {
  const r = cli(['gradcheck', withId, '--ignore', 'id', '--hidden', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout)['layerDims'], [2, 3, 1]);
});

test('--ignore errors: the label, every feature, an unknown column, an empty name, a built-in dataset — exit 2', () => {
  const cases: [string[], string][] = [
    [['--ignore', 'y'], `backprop-map: ${withId}: "y" (column 4) is the label column; it cannot also be left out.\n`],
    [['--ignore', 'id,a,b'], `backprop-map: ${withId}: leaving out "id", "a" and "b" leaves no feature column besides the label.\n`],
    [['--ignore', 'name'], `backprop-map: ${withId} has no column "name". Its columns are "id", "a", "b" and "y" (choose one by name, or by its number 1 … 4).\n`],
    [['--ignore', 'id,'], 'backprop-map: --ignore must list column names or numbers separated by commas, e.g. --ignore id or --ignore 1,3; got "id,".\nSee backprop-map train --help.\n'],
  ];
  for (const [args, message] of cases) {
    const r = cli(['train', withId, ...args, '--epochs', '1']);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr, message);
    assert.equal(r.stdout, '');
  }
  const s = cli(['train', 'sample:xor', '--ignore', 'x1']);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /^backprop-map: --ignore applies to CSV files; the built-in dataset sample:xor has its features already\./);
});

test('continuing a model trained without the id on the file with it says which column to leave out', () => {
  const model = join(dir, 'model.json');
  assert.equal(cli(['train', withId, '--ignore', 'id', '--epochs', '3', '--save', model]).code, 0);
  const r = cli(['train', withId, '--init', model, '--epochs', '1']);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    `backprop-map: ${model} was trained on 2 features ("a" and "b"), but patients.csv has 3 ("id", "a" and "b"). Leave out the other column with --ignore id.\n`,
  );
  assert.equal(cli(['train', withId, '--init', model, '--ignore', 'id', '--epochs', '1']).code, 0);
});
