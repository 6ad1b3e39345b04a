import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_HYPER } from '../../src/core/hyper';
import { computeMetrics } from '../../src/core/metrics';
import { initParameters, layerDimsOf } from '../../src/core/network';
import { train } from '../../src/core/train';
import { DataError } from '../../src/data/errors';
import { prepareData } from '../../src/data/prepare';
import { SAMPLE_NAMES, loadSample } from '../../src/data/samples';

test('every built-in dataset: two balanced-enough classes, finite numbers, the same on every load', () => {
  for (const name of SAMPLE_NAMES) {
    const a = loadSample(name);
    const b = loadSample(name);
    assert.equal(a.name, `sample:${name}`);
    assert.deepEqual(Array.from(a.X.data), Array.from(b.X.data), name);
    assert.ok(a.X.data.every(Number.isFinite), name);
    const ones = a.Y.data.reduce((s, y) => s + y, 0);
    assert.ok(a.Y.data.every((y) => y === 0 || y === 1), name);
    assert.ok(ones > 0.3 * a.Y.cols && ones < 0.7 * a.Y.cols, `${name}: ${ones} of ${a.Y.cols}`);
  }
});

test('flower: 400 points, 2 features, 200 per class, on the petals r = 4·sin(4t) (|r| ≤ 4 plus noise)', () => {
  const ds = loadSample('flower');
  assert.deepEqual([ds.X.rows, ds.X.cols, ds.Y.cols], [2, 400, 400]);
  assert.equal(ds.Y.data.reduce((s, y) => s + y, 0), 200);
  for (let j = 0; j < 400; j++) {
    const r = Math.hypot(ds.X.data[j]!, ds.X.data[400 + j]!);
    assert.ok(r < 5.5, `point ${j} is ${r} from the centre`);
  }
});

test('banknote is the shipped UCI file: 1372 rows, its first and last rows', () => {
  const ds = loadSample('banknote');
  const original = readFileSync(join(__dirname, '../../../src/data/banknote_authentication.csv'), 'utf8').trim().split(/\r?\n/);
  assert.equal(original.length, 1372);
  assert.equal(original[0], '3.6216,8.6661,-2.8073,-0.44699,0');
  assert.deepEqual([ds.X.rows, ds.X.cols], [4, original.length]);
  assert.deepEqual(ds.featureNames, ['variance', 'skewness', 'curtosis', 'entropy']);
  const column = (j: number) => [0, 1, 2, 3].map((i) => ds.X.data[i * ds.X.cols + j]);
  assert.deepEqual(column(0), original[0]!.split(',').slice(0, 4).map(Number));
  assert.deepEqual(column(ds.X.cols - 1), original[original.length - 1]!.split(',').slice(0, 4).map(Number));
  assert.equal(ds.Y.data.reduce((s, y) => s + y, 0), original.filter((l) => l.endsWith(',1')).length);
});

test('an unknown sample lists the built-in ones', () => {
  assert.throws(
    () => loadSample('flowers'),
    (e: unknown) =>
      e instanceof DataError &&
      e.message ===
        'There is no built-in dataset "flowers". The built-in datasets are "flower", "moons", "circles", "xor", "spiral" and "banknote"; write one as sample:NAME, e.g. sample:moons.',
  );
});

test('flower with the default settings (ReLU, full-batch gradient descent) reaches ≥ 85% training accuracy', (t) => {
  const ds = loadSample('flower');
  const h = DEFAULT_HYPER;
  assert.equal(h.batchSize, null);
  const p = prepareData(ds, { validationSplit: h.validationSplit, seed: h.seed, standardize: h.standardize });
  const params = initParameters(layerDimsOf(ds.X.rows, h.hidden), h.seed);
  const out = train(params, p.train.X, p.train.Y, { learningRate: h.learningRate, epochs: h.epochs, batchSize: h.batchSize, seed: h.seed });
  assert.equal(out.reason, 'completed');
  const metrics = computeMetrics(params, p.train.X, p.train.Y);
  t.diagnostic(`flower, defaults ${JSON.stringify(h)}: training accuracy ${metrics.accuracy.toFixed(4)}, cost ${metrics.cost.toFixed(4)}`);
  assert.ok(metrics.accuracy >= 0.85, `training accuracy ${metrics.accuracy}`);
});
