import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../../src/data/csv';
import { applyScaling, prepareData, validationCount } from '../../src/data/prepare';

/** Example j has features j and 7 (a constant), label j mod 2. */
function dataset(m: number): Dataset {
  const data = new Float64Array(2 * m);
  for (let j = 0; j < m; j++) {
    data[j] = j;
    data[m + j] = 7;
  }
  return {
    name: 't.csv',
    X: { rows: 2, cols: m, data },
    Y: { rows: 1, cols: m, data: Float64Array.from({ length: m }, (_, j) => j % 2) },
    featureNames: ['index', 'constant'],
    labelName: 'y',
    labels: { '0': '0', '1': '1' },
    labelMapped: false,
  };
}

test('no split and no standardisation: the training data is exactly the file\'s X and Y', () => {
  const ds = dataset(5);
  const p = prepareData(ds, { validationSplit: 0, seed: 1, standardize: false });
  assert.equal(p.train.X, ds.X);
  assert.equal(p.train.Y, ds.Y);
  assert.equal(p.validation, null);
  assert.equal(p.scaling, null);
});

test('standardising: (x − mean)/std with the population std; a constant feature becomes 0, not NaN', () => {
  const p = prepareData(dataset(5), { validationSplit: 0, seed: 1, standardize: true });
  // Feature 0 is 0…4: mean 2, variance (4+1+0+1+4)/5 = 2.
  assert.deepEqual(p.scaling, { mean: [2, 7], std: [Math.SQRT2, 1] });
  const row0 = Array.from(p.train.X.data.subarray(0, 5));
  [-2, -1, 0, 1, 2].forEach((d, j) => assert.ok(Math.abs(row0[j]! - d / Math.SQRT2) < 1e-15));
  assert.deepEqual(Array.from(p.train.X.data.subarray(5)), [0, 0, 0, 0, 0]);
});

test('the validation split: round(m·split) examples, disjoint, file order kept, the same for the same seed', () => {
  const m = 50;
  const p = prepareData(dataset(m), { validationSplit: 0.2, seed: 3, standardize: false });
  const trainIdx = Array.from(p.train.X.data.subarray(0, p.train.X.cols));
  const valIdx = Array.from(p.validation!.X.data.subarray(0, p.validation!.X.cols));
  assert.equal(valIdx.length, 10);
  assert.equal(trainIdx.length, 40);
  assert.deepEqual([...trainIdx, ...valIdx].sort((a, b) => a - b), Array.from({ length: m }, (_, j) => j));
  assert.deepEqual(trainIdx, [...trainIdx].sort((a, b) => a - b));
  // Labels travel with their examples.
  assert.deepEqual(Array.from(p.validation!.Y.data), valIdx.map((j) => j % 2));
  const again = prepareData(dataset(m), { validationSplit: 0.2, seed: 3, standardize: false });
  assert.deepEqual(Array.from(again.validation!.X.data), Array.from(p.validation!.X.data));
  const splits = new Set([1, 2, 4, 5].map((seed) => Array.from(prepareData(dataset(m), { validationSplit: 0.2, seed, standardize: false }).validation!.X.data.subarray(0, 10)).join()));
  assert.ok(splits.size > 1, 'different seeds should give different splits');
});

test('the scaling comes from the training split only, and is applied to the validation split too', () => {
  const m = 20;
  const raw = prepareData(dataset(m), { validationSplit: 0.25, seed: 9, standardize: false });
  const trainIdx = Array.from(raw.train.X.data.subarray(0, raw.train.X.cols));
  const mean = trainIdx.reduce((s, j) => s + j, 0) / trainIdx.length;
  const std = Math.sqrt(trainIdx.reduce((s, j) => s + (j - mean) ** 2, 0) / trainIdx.length);
  const p = prepareData(dataset(m), { validationSplit: 0.25, seed: 9, standardize: true });
  assert.ok(Math.abs(p.scaling!.mean[0]! - mean) < 1e-12);
  assert.ok(Math.abs(p.scaling!.std[0]! - std) < 1e-12);
  const valIdx = Array.from(raw.validation!.X.data.subarray(0, raw.validation!.X.cols));
  valIdx.forEach((j, k) => assert.ok(Math.abs(p.validation!.X.data[k]! - (j - mean) / std) < 1e-12));
});

test('a given scaling (from a model file) is used instead of computing one', () => {
  const scaling = { mean: [1, 2], std: [2, 4] };
  const p = prepareData(dataset(3), { validationSplit: 0, seed: 1, standardize: true, scaling });
  assert.equal(p.scaling, scaling);
  assert.deepEqual(Array.from(p.train.X.data), [-0.5, 0, 0.5, 1.25, 1.25, 1.25]);
  assert.throws(() => applyScaling(dataset(3).X, { mean: [0], std: [1] }), /the scaling is for 1 features, X has 2/);
});

test('validation counts: rounded, never all of the examples', () => {
  assert.equal(validationCount(400, 0.2), 80);
  assert.equal(validationCount(7, 0.5), 4);
  assert.equal(validationCount(1, 0.5), 0);
  assert.equal(validationCount(10, 0), 0);
  assert.throws(() => validationCount(10, 1), RangeError);
});
