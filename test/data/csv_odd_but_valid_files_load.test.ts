import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDatasetFile, parseDataset } from '../../src/data/csv';
import { sniffTable } from '../../src/data/sniff';

// Compiled to out/test/data/: the fixtures stay in the source tree.
const fixtures = join(__dirname, '../../../test/fixtures/data');

const rowsOf = (ds: { X: { rows: number; cols: number; data: Float64Array } }): number[][] =>
  Array.from({ length: ds.X.rows }, (_, i) => Array.from(ds.X.data.subarray(i * ds.X.cols, (i + 1) * ds.X.cols)));

test('a German file: BOM, CRLF, semicolons, decimal commas, umlauts, blank lines at the end, ja/nein', async () => {
  const file = join(fixtures, 'german_semicolon_decimal_comma.csv');
  const ds = await loadDatasetFile(file, {});
  assert.equal(ds.name, 'german_semicolon_decimal_comma.csv');
  assert.deepEqual(ds.featureNames, ['Größe', 'Gewicht']);
  assert.equal(ds.labelName, 'Kredit');
  // Examples in columns: X is (n_x × m) = (2 × 3).
  assert.deepEqual([ds.X.rows, ds.X.cols], [2, 3]);
  assert.deepEqual(rowsOf(ds), [
    [1.5, -2.25, 3],
    [70, 80.5, 1200],
  ]);
  // ja is the positive answer: 1.
  assert.deepEqual(Array.from(ds.Y.data), [1, 0, 1]);
  assert.deepEqual(ds.labels, { '0': 'nein', '1': 'ja' });
  assert.equal(ds.labelMapped, true);
  const sniff = sniffTable('Größe;Gewicht;Kredit\n1,5;70;ja\n', 'x.csv');
  assert.deepEqual(sniff, { delimiter: ';', decimalComma: true, hasHeader: true, columns: ['Größe', 'Gewicht', 'Kredit'], fields: 3, suggestedLabel: 2 });
});

test('quoted header with doubled quotes, a quoted number, and M/B chosen by name from the middle', async () => {
  const ds = await loadDatasetFile(join(fixtures, 'quoted_header_string_label.csv'), { label: 'diagnosis' });
  assert.deepEqual(ds.featureNames, ['id', 'radius', 'texture "mean"']);
  assert.deepEqual(rowsOf(ds), [
    [842302, 842517, 84300903],
    [17.99, 20.57, 19.69],
    [10.38, 17.77, 21.25],
  ]);
  // Strings in sort order: B → 0, M → 1 (as in the issue's example).
  assert.deepEqual(ds.labels, { '0': 'B', '1': 'M' });
  assert.deepEqual(Array.from(ds.Y.data), [1, 0, 1]);
});

test('a tab-separated file without header: columns col1…, label 2/4 mapped in numeric order', async () => {
  const ds = await loadDatasetFile(join(fixtures, 'no_header_tab.tsv'), {});
  assert.deepEqual(ds.featureNames, ['col1', 'col2']);
  assert.equal(ds.labelName, 'col3');
  assert.deepEqual(rowsOf(ds), [
    [0.5, -1, 2.5],
    [1, 0, 3],
  ]);
  assert.deepEqual(ds.labels, { '0': '2', '1': '4' });
  assert.deepEqual(Array.from(ds.Y.data), [0, 1, 1]);
});

test('label values 0 and 1 are used as they are; 0.0/1.0 and mixed spellings of one number are one value', () => {
  const plain = parseDataset('a,y\n5,1\n6,0\n7,1\n', { fileName: 'p.csv' });
  assert.deepEqual(Array.from(plain.Y.data), [1, 0, 1]);
  assert.deepEqual(plain.labels, { '0': '0', '1': '1' });
  assert.equal(plain.labelMapped, false);

  const floats = parseDataset('a,y\n5,1.0\n6,0.0\n7,1\n', { fileName: 'f.csv' });
  assert.deepEqual(Array.from(floats.Y.data), [1, 0, 1]);
  assert.deepEqual(floats.labels, { '0': '0.0', '1': '1.0' });
  assert.equal(floats.labelMapped, true);
});

test('label pairs: yes/no and true/false put the positive answer at 1, other strings sort, numbers ascend', () => {
  const labels = (a: string, b: string) => parseDataset(`x,l\n1,${a}\n2,${b}\n`, { fileName: 'l.csv' }).labels;
  assert.deepEqual(labels('yes', 'no'), { '0': 'no', '1': 'yes' });
  assert.deepEqual(labels('FALSE', 'TRUE'), { '0': 'FALSE', '1': 'TRUE' });
  assert.deepEqual(labels('g', 'b'), { '0': 'b', '1': 'g' });
  assert.deepEqual(labels('10', '-3'), { '0': '-3', '1': '10' });
  assert.deepEqual(labels('cat', 'Dog'), { '0': 'Dog', '1': 'cat' }); // code point order: upper case first
});

test('the label column by name (any case), by 0-based index, or by 1-based number in text; default the last', () => {
  const text = 'a,target,b\n1,x,2\n3,y,4\n';
  const byName = parseDataset(text, { fileName: 't.csv', label: 'TARGET' });
  assert.equal(byName.labelName, 'target');
  assert.deepEqual(byName.featureNames, ['a', 'b']);
  assert.deepEqual(rowsOf(byName), [
    [1, 3],
    [2, 4],
  ]);
  assert.equal(parseDataset(text, { fileName: 't.csv', label: 1 }).labelName, 'target');
  assert.equal(parseDataset(text, { fileName: 't.csv', label: '2' }).labelName, 'target');
  assert.equal(parseDataset('a,target,b\n1,5,0\n3,6,1\n', { fileName: 't.csv' }).labelName, 'b');
  // The suggestion for editors prefers a column named like a label.
  assert.equal(sniffTable(text, 't.csv').suggestedLabel, 1);
});

test('spaces around cells, a quoted field with the delimiter and a line break, lone CR line ends', () => {
  const ds = parseDataset('a , "b,\nc" ,y\r 1 , 2 ,  M \r3,4,"B"\r', { fileName: 's.csv' });
  assert.deepEqual(ds.featureNames, ['a', 'b,\nc']);
  assert.deepEqual(rowsOf(ds), [
    [1, 3],
    [2, 4],
  ]);
  assert.deepEqual(Array.from(ds.Y.data), [1, 0]);
});

test('numbers: signs, exponents, leading dots, 17 significant digits — all equal to the decimal value', () => {
  const cells = ['-0.5', '+2', '.25', '1e3', '2.5E-3', '0.1', '0.30000000000000004', '123456789012345678', '5.'];
  const text = `x,y\n${cells.map((c, j) => `${c},${j % 2}`).join('\n')}\n`;
  const ds = parseDataset(text, { fileName: 'n.csv' });
  assert.deepEqual(Array.from(ds.X.data), [-0.5, 2, 0.25, 1000, 0.0025, 0.1, 0.30000000000000004, 123456789012345678, 5]);
});

test('a header is recognised only when none of its cells is a number', () => {
  assert.equal(sniffTable('x1,x2,y\n1,2,0\n', 'h.csv').hasHeader, true);
  assert.equal(sniffTable('1,2,M\n3,4,B\n', 'h.csv').hasHeader, false);
  assert.deepEqual(sniffTable('1,2,M\n3,4,B\n', 'h.csv').columns, ['col1', 'col2', 'col3']);
});
