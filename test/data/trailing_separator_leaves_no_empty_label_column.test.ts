import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDataset, parseFeatures } from '../../src/data/csv';
import { sniffTable } from '../../src/data/sniff';
import { DataError } from '../../src/data/errors';

test('lines ending in a separator: the empty unnamed last column is dropped and the label is the last real column', () => {
  // The last row lacks the separator at its end, as when a line was added by hand.
  const text = 'a,b,y,\r\n1,2,0,\r\n3,4,1,\r\n5,6,0\r\n';
  const sniff = sniffTable(text, 'trail.csv');
  assert.deepEqual(sniff.columns, ['a', 'b', 'y']);
  assert.equal(sniff.fields, 4);
  assert.equal(sniff.suggestedLabel, 2);
  const ds = parseDataset(text, { fileName: 'trail.csv' });
  assert.equal(ds.labelName, 'y');
  assert.deepEqual(ds.featureNames, ['a', 'b']);
  assert.deepEqual(Array.from(ds.X.data), [1, 3, 5, 2, 4, 6]);
  assert.deepEqual(Array.from(ds.Y.data), [0, 1, 0]);
});

test('German export with a semicolon at the end of every line and no header', () => {
  const ds = parseDataset('1,5;2;ja;\n2,5;1;nein;\n0,5;3;ja;\n', { fileName: 'de.csv' });
  assert.deepEqual(ds.featureNames, ['col1', 'col2']);
  assert.deepEqual(Array.from(ds.X.data), [1.5, 2.5, 0.5, 2, 1, 3]);
  assert.deepEqual(ds.labels, { '0': 'nein', '1': 'ja' });
});

test('prediction reads a file with trailing separators by its header', () => {
  const { X } = parseFeatures('b,a,\n2,1,\n4,3,\n', { fileName: 'p.csv', featureNames: ['a', 'b'] });
  assert.deepEqual(Array.from(X.data), [1, 3, 2, 4]);
});

test('a value further down in the dropped column is an error naming its line and column', () => {
  const rows = Array.from({ length: 60 }, (_, i) => `${i},${i % 2},`);
  rows.push('7,1,surprise');
  assert.throws(
    () => parseDataset(`a,y,\n${rows.join('\n')}\n`, { fileName: 'late.csv' }),
    (e: unknown) =>
      e instanceof DataError &&
      e.message.startsWith('late.csv, line 62, column 3: "surprise" stands in a column without a name') &&
      e.line === 62 && e.column === 3,
  );
});

test('a named last column that is empty is not dropped: its empty label is reported', () => {
  assert.throws(
    () => parseDataset('a,b,y\n1,2,\n3,4,\n', { fileName: 'e.csv' }),
    (e: unknown) => e instanceof DataError && e.message === 'e.csv, line 2, column 3 ("y"): the label is empty. Every row needs a label.',
  );
});
