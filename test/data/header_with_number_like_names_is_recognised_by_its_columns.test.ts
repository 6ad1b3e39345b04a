import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDataset } from '../../src/data/csv';
import { sniffTable } from '../../src/data/sniff';
import { DataError } from '../../src/data/errors';

test('a header with a number-like name above numeric columns is a header, and the name selects its column', () => {
  // Columns "age" and "y" are names above numbers, "2019" is a number above numbers: 2 votes to 1.
  const text = 'age,2019,y\n30,1.5,0\n40,2.5,1\n50,0.5,0\n';
  const sniff = sniffTable(text, 'h.csv');
  assert.equal(sniff.hasHeader, true);
  assert.deepEqual(sniff.columns, ['age', '2019', 'y']);
  const ds = parseDataset(text, { fileName: 'h.csv', label: 'y' });
  assert.deepEqual(ds.featureNames, ['age', '2019']);
  // Three data rows, none lost to the header: X is (2 × 3).
  assert.deepEqual([ds.X.rows, ds.X.cols], [2, 3]);
  assert.deepEqual(Array.from(ds.X.data), [30, 40, 50, 1.5, 2.5, 0.5]);
  assert.deepEqual(Array.from(ds.Y.data), [0, 1, 0]);
});

test('a German header with a year among its names and decimal commas below is a header', () => {
  const sniff = sniffTable('Größe;2020;Kredit\n1,5;3;ja\n2,5;4;nein\n', 'g.csv');
  assert.equal(sniff.hasHeader, true);
  assert.deepEqual(sniff.columns, ['Größe', '2020', 'Kredit']);
});

test('a first data row with one non-numeric typo stays data and is reported at line 1', () => {
  // Only column 2 starts with a non-number; columns 1 and 3 start with numbers: 1 vote to 2.
  const text = '1,x,0\n2,3,1\n4,5,0\n';
  assert.equal(sniffTable(text, 't.csv').hasHeader, false);
  assert.throws(
    () => parseDataset(text, { fileName: 't.csv' }),
    (e: unknown) => e instanceof DataError && e.message.startsWith('t.csv, line 1, column 2 ("col2"): "x" is not a number.'),
  );
});

test('a file without header whose label column holds words still has no header', () => {
  // The label column is words all the way down: it is no evidence; the features start with numbers.
  const sniff = sniffTable('1,2,M\n3,4,B\n5,6,M\n', 'n.csv');
  assert.equal(sniff.hasHeader, false);
  assert.deepEqual(sniff.columns, ['col1', 'col2', 'col3']);
});
