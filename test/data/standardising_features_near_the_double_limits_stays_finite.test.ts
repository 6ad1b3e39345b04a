import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDataset } from '../../src/data/csv';
import { DataError } from '../../src/data/errors';
import { fitScaling, prepareData } from '../../src/data/prepare';

const options = { validationSplit: 0, seed: 1, standardize: true };

function allFinite(values: ArrayLike<number>): boolean {
  return Array.from(values).every(Number.isFinite);
}

test('features near ±1e308 get a finite mean and std, which survive JSON, and standardise to finite values', () => {
  const ds = parseDataset('a,b,y\n1e308,1,0\n-1e308,2,1\n1.5e308,3,0\n-1.7e308,4,1\n', { fileName: 'big.csv' });
  const { scaling, train } = prepareData(ds, options);
  assert.ok(allFinite(scaling!.mean) && allFinite(scaling!.std), JSON.stringify(scaling));
  assert.deepEqual(JSON.parse(JSON.stringify(scaling)), scaling);
  assert.ok(allFinite(train.X.data));
  // Standardised: mean 0, std 1.
  const a = Array.from(train.X.data.subarray(0, 4));
  assert.ok(Math.abs(a.reduce((s, v) => s + v, 0) / 4) < 1e-12);
  assert.ok(Math.abs(Math.sqrt(a.reduce((s, v) => s + v * v, 0) / 4) - 1) < 1e-12);
});

test('subnormal features (1e-320) get a non-zero std and standardise to finite values', () => {
  const ds = parseDataset('a,y\n1e-320,0\n2e-320,1\n3e-320,0\n4e-320,1\n', { fileName: 'tiny.csv' });
  const { scaling, train } = prepareData(ds, options);
  assert.ok(scaling!.std[0]! > 0);
  assert.ok(allFinite(train.X.data));
  assert.ok(Math.abs(train.X.data[0]! + 1.3416) < 1e-3, String(train.X.data[0]));
});

test('fitScaling of ordinary numbers is still the population mean and std', () => {
  const s = fitScaling({ rows: 1, cols: 4, data: Float64Array.from([1, 2, 3, 6]) });
  assert.ok(Math.abs(s.mean[0]! - 3) < 1e-15);
  assert.ok(Math.abs(s.std[0]! - Math.sqrt(3.5)) < 1e-15);
});

test('huge raw features (--no-standardize) are refused naming the column, its range and what helps, not the learning rate', () => {
  const ds = parseDataset('a,big,y\n1,1e200,0\n2,-3e200,1\n3,2e200,0\n', { fileName: 'raw.csv' });
  assert.throws(
    () => prepareData(ds, { ...options, standardize: false }),
    (e: unknown) =>
      e instanceof DataError &&
      e.message.startsWith('raw.csv: the feature "big" ranges from -3e+200 to 2e+200.') &&
      e.message.includes('leave out --no-standardize') &&
      e.message.includes('rescale the column') &&
      !e.message.includes('learning rate, e.g.'),
  );
  assert.ok(allFinite(prepareData(ds, options).train.X.data));
});
