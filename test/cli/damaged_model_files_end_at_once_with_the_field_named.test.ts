// A model file edited by hand or damaged: `--init` and `predict` end at once with one paragraph
// naming the file and the field, exit 2 — never a run numbered on from 1e308 epochs, which hung.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli } from './cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-damaged-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const data = join(dir, 'small.csv');
writeFileSync(data, 'a,b,y\n1,2,0\n2,1,1\n3,4,0\n4,3,1\n5,6,0\n6,5,1\n');
const modelPath = join(dir, 'model.json');
const made = cli(['train', data, '--epochs', '3', '--hidden', '3', '--save', modelPath]);
assert.equal(made.code, 0, made.stderr);
const good = JSON.parse(readFileSync(modelPath, 'utf8')) as Record<string, any>;

function damaged(change: (m: Record<string, any>) => void, text?: (json: string) => string): string {
  const m = structuredClone(good);
  change(m);
  const path = join(dir, 'damaged.json');
  const json = JSON.stringify(m);
  writeFileSync(path, text ? text(json) : json);
  return path;
}

test('training.epochs 1e308 with --init: the error at once, exit 2 (it ran on for minutes)', () => {
  const path = damaged((m) => (m.training.epochs = 1e308));
  const r = cli(['train', data, '--init', path, '--epochs', '2']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `backprop-map: "${path}" is not a usable Backprop Map model file: "training.epochs" must be a whole number of epochs from 0 up to 2^53 − 1, not 1e+308.\n`);
});

test('predict refuses the same damage, and a model whose two labels are equal, naming the field', () => {
  for (const [change, field] of [
    [(m: Record<string, any>) => (m.training.epochs = 1e308), '"training.epochs"'],
    [(m: Record<string, any>) => (m.labels = { 0: '1', 1: '1' }), '"labels" maps both 0 and 1 to "1"'],
    [(m: Record<string, any>) => (m.featureNames = ['a', 'a']), '"featureNames" names "a" twice'],
    [(m: Record<string, any>) => (m.layerDims = [2, 5000, 1]), '"layerDims" is [2,5000,1]; hidden layer 1 has 5000 units'],
  ] as const) {
    const path = damaged(change);
    const r = cli(['predict', path, data]);
    assert.equal(r.code, 2, field);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith(`backprop-map: "${path}" is not a usable Backprop Map model file: ${field}`), r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
});

test('--init weights that overflow on the data: the parameter is named, not the learning rate', () => {
  const path = damaged((m) => {
    m.parameters.W1[0][0] = 1.7e308;
    m.parameters.W1[1][1] = -1.7e308;
  });
  const r = cli(['train', data, '--init', path, '--epochs', '2']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Z\[1\] = W1·A\[0\] \+ b1 is not finite \(W1 holds values as large as 1\.70e\+308\), so no learning rate helps/);
  assert.doesNotMatch(r.stderr, /smaller learning rate/);
});

test('a continued run may not number its epochs beyond 2^53 − 1; up to there it runs, with mini-batches too', () => {
  const path = damaged((m) => (m.training.epochs = 2 ** 53 - 4));
  const over = cli(['train', data, '--init', path, '--epochs', '5']);
  assert.equal(over.code, 2);
  assert.match(over.stderr, /has been trained for 9007199254740988 epochs; 5 more would count beyond 2\^53 − 1.* Give --epochs 3 or fewer/);
  const fits = cli(['train', data, '--init', path, '--epochs', '3', '--batch-size', '2', '--json']);
  assert.equal(fits.code, 0, fits.stderr);
  assert.equal(JSON.parse(fits.stdout.trimEnd().split('\n').at(-1)!).epochs, 2 ** 53 - 1);
});

test('a data file with two feature columns of one name is refused before training: a model could never find them', () => {
  const dup = join(dir, 'dup.csv');
  writeFileSync(dup, 'a,a,y\n1,2,0\n2,1,1\n3,4,0\n4,3,1\n');
  const r = cli(['train', dup, '--epochs', '2', '--save', join(dir, 'dup.json')]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'backprop-map: dup.csv: two feature columns are named "a"; a model finds its columns by name, so each needs a name of its own. Rename one in the header row, or leave one out with --ignore.\n');
});
