import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli, jsonLines } from './cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// 40 tumours: M where radius + texture > 30, B otherwise; the label column sits in the middle.
const rows = Array.from({ length: 40 }, (_, k) => {
  const radius = 10 + ((k * 7) % 13);
  const texture = 12 + ((k * 11) % 17);
  return { radius, texture, diagnosis: radius + texture > 30 ? 'M' : 'B' };
});
const dataFile = join(dir, 'tumours.csv');
writeFileSync(dataFile, `radius,diagnosis,texture\n${rows.map((r) => `${r.radius},${r.diagnosis},${r.texture}`).join('\n')}\n`);

const metricKeys = ['accuracy', 'confusion', 'cost', 'f1', 'precision', 'recall'];

function checkMetrics(m: Record<string, unknown>, examples: number): void {
  assert.deepEqual(Object.keys(m).sort(), metricKeys);
  for (const k of ['accuracy', 'precision', 'recall', 'f1']) assert.ok((m[k] as number) >= 0 && (m[k] as number) <= 1, k);
  assert.ok(Number.isFinite(m['cost']) && (m['cost'] as number) > 0);
  const c = m['confusion'] as Record<string, number>;
  assert.deepEqual(Object.keys(c).sort(), ['fn', 'fp', 'tn', 'tp']);
  assert.equal(c['tp']! + c['fp']! + c['tn']! + c['fn']!, examples);
  assert.equal(m['accuracy'], (c['tp']! + c['tn']!) / examples);
}

test('--json: one object per epoch with epoch and cost, then the final {"done": true, …}', () => {
  const r = cli(['train', dataFile, '--label', 'diagnosis', '--epochs', '30', '--val', '0.25', '--seed', '2', '--hidden', '5', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = jsonLines(r.stdout);
  assert.equal(lines.length, 31);
  lines.slice(0, 30).forEach((p, k) => {
    assert.equal(p['epoch'], k + 1);
    assert.ok(Number.isFinite(p['cost']));
  });
  const done = lines[30]!;
  assert.equal(done['done'], true);
  assert.equal(done['reason'], 'completed');
  assert.equal(done['epochs'], 30);
  assert.deepEqual(done['labels'], { '0': 'B', '1': 'M' });
  assert.equal(done['labelName'], 'diagnosis');
  assert.deepEqual(done['featureNames'], ['radius', 'texture']);
  assert.deepEqual(done['layerDims'], [2, 5, 1]);
  assert.equal(done['m'], 30); // training examples: 40 in the file, 10 kept apart
  assert.equal(done['mValidation'], 10);
  checkMetrics(done['train'] as Record<string, unknown>, 30);
  checkMetrics(done['validation'] as Record<string, unknown>, 10);

  const noVal = jsonLines(cli(['train', dataFile, '--label', 'diagnosis', '--epochs', '2', '--val', '0', '--json']).stdout);
  assert.equal(noVal[2]!['validation'], null);
  assert.equal(noVal[0]!['validationCost'], null);
});

test('--json on a long run: throttled to about 1000 lines, first and last epoch always present', () => {
  const r = cli(['train', dataFile, '--label', 'diagnosis', '--epochs', '2500', '--hidden', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const epochs = jsonLines(r.stdout).slice(0, -1).map((p) => p['epoch'] as number);
  // Every 3rd epoch (⌈2500/1000⌉), plus epoch 1 and the last epoch, 2500.
  assert.equal(epochs.length, 1 + 833 + 1);
  assert.equal(epochs[0], 1);
  assert.equal(epochs[1], 3);
  assert.equal(epochs[epochs.length - 2], 2499);
  assert.equal(epochs[epochs.length - 1], 2500);
  assert.ok(epochs.every((e, k) => k === 0 || e > epochs[k - 1]!));
});

test('--save, then --init gives exactly the saved parameters, and predict reproduces the training metrics', () => {
  const modelFile = join(dir, 'model.json');
  const trained = cli(['train', dataFile, '--label', 'diagnosis', '--epochs', '300', '--val', '0', '--save', modelFile, '--json']);
  assert.equal(trained.code, 0, trained.stderr);
  const done = jsonLines(trained.stdout).at(-1)!;
  assert.equal(done['saved'], modelFile);
  const model = JSON.parse(readFileSync(modelFile, 'utf8')) as Record<string, unknown>;
  assert.equal(model['format'], 'backprop-map-model');
  assert.deepEqual(model['layerDims'], [2, 16, 8, 1]);
  assert.deepEqual(model['featureNames'], ['radius', 'texture']);
  assert.deepEqual(model['labels'], { '0': 'B', '1': 'M' });
  assert.equal((model['parameters'] as Record<string, number[][]>)['W1']!.length, 16);
  assert.equal((model['parameters'] as Record<string, number[][]>)['W1']![0]!.length, 2);

  // Zero epochs from the model file: the same parameters and scaling on the same data.
  const again = cli(['train', dataFile, '--label', 'diagnosis', '--init', modelFile, '--epochs', '0', '--val', '0', '--json']);
  assert.equal(again.code, 0, again.stderr);
  const evaluated = jsonLines(again.stdout).at(-1)!;
  assert.deepEqual(evaluated['train'], done['train']);
  assert.equal(evaluated['epochs'], 300);

  // Continuing numbers the epochs on from the model file's.
  const more = jsonLines(cli(['train', dataFile, '--label', 'diagnosis', '--init', modelFile, '--epochs', '3', '--val', '0', '--json']).stdout);
  assert.deepEqual(more.slice(0, 3).map((p) => p['epoch']), [301, 302, 303]);
  assert.equal(more[3]!['epochs'], 303);

  // predict: one row per example; its classes agree with the training accuracy and confusion.
  const predicted = cli(['predict', modelFile, dataFile]);
  assert.equal(predicted.code, 0, predicted.stderr);
  const lines = predicted.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'probability,class,label');
  assert.equal(lines.length, 41);
  let correct = 0;
  let tp = 0;
  lines.slice(1).forEach((line, k) => {
    const [p, cls, label] = line.split(',');
    const probability = Number(p);
    assert.ok(probability > 0 && probability < 1);
    assert.equal(cls, probability > 0.5 ? '1' : '0');
    assert.equal(label, cls === '1' ? 'M' : 'B');
    if (label === rows[k]!.diagnosis) correct++;
    if (label === 'M' && rows[k]!.diagnosis === 'M') tp++;
  });
  const trainMetrics = done['train'] as { accuracy: number; confusion: { tp: number } };
  assert.equal(correct / 40, trainMetrics.accuracy);
  assert.equal(tp, trainMetrics.confusion.tp);

  // Columns found by name in any order, without a label column; the model's scaling applies.
  const reordered = join(dir, 'new.csv');
  writeFileSync(reordered, `texture;radius\n${rows.slice(0, 3).map((r) => `${r.texture};${r.radius}`).join('\n')}\n`);
  const some = cli(['predict', modelFile, reordered]);
  assert.equal(some.code, 0, some.stderr);
  assert.deepEqual(some.stdout.trimEnd().split('\n'), lines.slice(0, 4));
});

test('a model file that does not fit the data, and a data file that does not fit the model: exit 2', () => {
  const modelFile = join(dir, 'flower.json');
  assert.equal(cli(['train', '--epochs', '1', '--save', modelFile]).code, 0);
  const wrongInit = cli(['train', dataFile, '--label', 'diagnosis', '--init', modelFile]);
  assert.equal(wrongInit.code, 2);
  assert.equal(
    wrongInit.stderr,
    `backprop-map: ${modelFile} was trained on the features "x1" and "x2", but tumours.csv has "radius" and "texture". The columns must be the same, in the same order.\n`,
  );
  const wrongPredict = cli(['predict', modelFile, dataFile]);
  assert.equal(wrongPredict.code, 2);
  assert.equal(
    wrongPredict.stderr,
    `backprop-map: ${dataFile} lacks the feature columns "x1" and "x2" that the model was trained on. Its columns are "radius", "diagnosis" and "texture".\n`,
  );
  writeFileSync(join(dir, 'broken.json'), '{"format": "backprop-map-model", "version": 1');
  const broken = cli(['predict', join(dir, 'broken.json'), dataFile]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /^backprop-map: ".*broken\.json" is not a usable Backprop Map model file: it is not valid JSON/);
  assert.equal(cli(['train', '--init', modelFile, '--hidden', '4']).code, 2);
});

test('--save into a folder that does not exist: refused before training, nothing written', () => {
  const target = join(dir, 'missing', 'model.json');
  const r = cli(['train', '--save', target]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `backprop-map: --save ${target}: the folder ${join(dir, 'missing')} does not exist. Create it first, or choose another path.\nSee backprop-map train --help.\n`);
  assert.equal(existsSync(target), false);
  const folder = cli(['train', '--save', dir]);
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /that is a folder; give a file name/);
});

test('a bad CSV: the data error on stderr with file, line and column, exit 2', () => {
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'a,b,y\n1,2,0\n3,x,1\n');
  const r = cli(['train', bad]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^backprop-map: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, line 3, column 2 \\("b"\\): "x" is not a number\\. `));
});

test('the human-readable run: description, mapping, metrics table, saved model', () => {
  const modelFile = join(dir, 'human.json');
  const r = cli(['train', dataFile, '--label', 'diagnosis', '--epochs', '20', '--save', modelFile]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Data {5}tumours\.csv: 40 examples, 2 features, label "diagnosis"\nLabels {3}"B" → 0, "M" → 1\n/);
  assert.match(r.stdout, /\n\s+cost\s+accuracy\s+precision\s+recall\s+F1\s+TP\s+FP\s+TN\s+FN\ntraining\s.*\nvalidation\s.*\n/);
  assert.ok(r.stdout.endsWith(`\nSaved the model to ${modelFile}.\n`));
  // Not a terminal: no progress bar.
  assert.equal(r.stderr, '');
});
