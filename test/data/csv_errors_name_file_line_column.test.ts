import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDatasetFile, parseDataset, parseFeatures } from '../../src/data/csv';
import { DataError } from '../../src/data/errors';

function errorOf(text: string, label?: string | number): DataError {
  try {
    parseDataset(text, { fileName: 'data.csv', label });
  } catch (e) {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the text to be rejected');
}

test('an empty file, a file of blank lines, and a header without data rows', () => {
  assert.equal(errorOf('').message, 'data.csv is empty: it has no rows of data.');
  assert.equal(errorOf('\uFEFF\r\n  \r\n\n').message, 'data.csv is empty: it has no rows of data.');
  const e = errorOf('x1,x2,y\n\n');
  assert.equal(e.message, 'data.csv has a header row (line 1) but no rows of data below it.');
  assert.deepEqual(e.toInfo(), { message: e.message, file: 'data.csv', line: 1, column: null });
});

test('a ragged row, with too few and with too many fields', () => {
  const few = errorOf('a,b,y\n1,2,0\n\n3,4\n');
  assert.equal(
    few.message,
    'data.csv, line 4: this row has 2 fields, but the header on line 1 has 3. Every row needs one value per column, ' +
      'separated by commas; look for a missing or extra comma, or for a value with a comma in it that needs quotes.',
  );
  assert.equal(few.line, 4);
  const many = errorOf('1;2;0\n3;4;1;5\n');
  assert.equal(
    many.message,
    'data.csv, line 2: this row has 4 fields, but the first row has 3. Every row needs one value per column, ' +
      'separated by semicolons; look for a missing or extra semicolon, or for a value with a semicolon in it that needs quotes.',
  );
});

test('an empty feature cell names line, column and column name', () => {
  const e = errorOf('a,b,y\n1,2,0\n3,,1\n');
  assert.equal(
    e.message,
    'data.csv, line 3, column 2 ("b"): the cell is empty. Every feature column needs a number in every row; fill in the value or remove the row.',
  );
  assert.deepEqual(e.toInfo(), { message: e.message, file: 'data.csv', line: 3, column: 2 });
});

test('a non-numeric feature cell suggests that column as the label', () => {
  const e = errorOf('diagnosis,radius,area\nM,17.99,1001\nB,20.57,1326\n');
  assert.equal(
    e.message,
    'data.csv, line 2, column 1 ("diagnosis"): "M" is not a number. Every column except the label ("area") must hold plain numbers ' +
      'such as -1.5 or 2e-3, written with a decimal point and without thousands separators. ' +
      'If "diagnosis" is meant to be the label, choose it as the label column.',
  );
  assert.equal(e.column, 1);
});

test('a decimal comma in a comma-separated file, and thousands separators, are not numbers', () => {
  assert.match(errorOf('a;b;y\n1.234,5;2;0\n').message, /^data\.csv, line 2, column 1 \("a"\): "1\.234,5" is not a number\. .*decimal point or a decimal comma/);
  assert.match(errorOf('a,b,y\n"1,5",2,0\n').message, /^data\.csv, line 2, column 1 \("a"\): "1,5" is not a number\. .*written with a decimal point and/);
});

test('NaN, Infinity and numbers too large for a double are not finite', () => {
  for (const [cell, shown] of [['NaN', 'NaN'], ['-inf', '-inf'], ['Infinity', 'Infinity'], ['1e400', '1e400'], ['#N/A', '#N/A']]) {
    const e = errorOf(`a,b,y\n1,2,0\n3,${cell},1\n`);
    assert.equal(
      e.message,
      `data.csv, line 3, column 2 ("b"): "${shown}" is not a finite number. Missing, NaN and infinite values are not supported; fill in the value or remove the row.`,
    );
  }
});

test('a label column with one value, with three, and with very many', () => {
  assert.equal(
    errorOf('a,y\n1,spam\n2,spam\n3,spam\n').message,
    'data.csv: the label column "y" (column 2) has the same value, "spam", in all 3 rows. A binary classifier needs examples of two classes.',
  );
  assert.equal(
    errorOf('a,y\n1,1\n2,2\n3,3\n4,1.0\n').message,
    'data.csv: the label column "y" (column 2) must have exactly two distinct values, but it has 3: "1", "2" and "3". ' +
      'Choose the column that holds the two classes as the label column.',
  );
  const rows = Array.from({ length: 50 }, (_, k) => `${k % 2},${k * 0.5}`).join('\n');
  assert.equal(
    errorOf(`class,size\n${rows}\n`).message,
    'data.csv: the label column "size" (column 2) must have exactly two distinct values, but it has 50: ' +
      '"0", "0.5", "1", "1.5", "2", "2.5", "3", "3.5" and 42 more. Is "class" (column 1) the label? Then choose it as the label column.',
  );
});

test('an empty label cell', () => {
  assert.equal(errorOf('a,y\n1,M\n2,\n').message, 'data.csv, line 3, column 2 ("y"): the label is empty. Every row needs a label.');
});

test('an unknown label column lists the columns there are', () => {
  assert.equal(
    errorOf('a,b,label\n1,2,0\n', 'lable').message,
    'data.csv has no column "lable". Its columns are "a", "b" and "label" (choose one by name, or by its number 1 … 3).',
  );
  assert.equal(errorOf('a,b,label\n1,2,0\n', 7).message, 'data.csv has no column number 8; it has 3 columns: "a", "b" and "label".');
  assert.equal(
    errorOf('a,b,label\n1,2,0\n', '0').message,
    'data.csv has no column "0". Its columns are "a", "b" and "label" (choose one by name, or by its number 1 … 3).',
  );
});

test('one column only, and an unterminated quote', () => {
  assert.equal(
    errorOf('x\n1\n2\n').message,
    'data.csv has only one column. A dataset needs at least one feature column and a label column, separated by commas, semicolons or tabs.',
  );
  const e = errorOf('a,b,y\n1,2,0\n3,"4,1\n5,6,0\n');
  assert.equal(
    e.message,
    'data.csv, line 3: a quoted field opens here but its closing quote (") never comes. Close the quote, or write a quote inside a quoted field as two quotes ("").',
  );
  assert.equal(e.line, 3);
});

test('unreadable files: missing, a folder, binary, UTF-16', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpm-data-'));
  const rejects = async (path: string, message: string) => {
    await assert.rejects(loadDatasetFile(path, {}), (e: unknown) => e instanceof DataError && e.message === message);
  };
  await rejects(join(dir, 'nope.csv'), `Cannot read ${join(dir, 'nope.csv')}: there is no such file.`);
  mkdirSync(join(dir, 'folder.csv'));
  await rejects(join(dir, 'folder.csv'), `${join(dir, 'folder.csv')} is a folder, not a file.`);
  writeFileSync(join(dir, 'book.xlsx'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]));
  await rejects(
    join(dir, 'book.xlsx'),
    `${join(dir, 'book.xlsx')} is not a text file (it contains binary data, as a spreadsheet or archive does). Export the data as CSV.`,
  );
  writeFileSync(join(dir, 'u16.csv'), Buffer.from('\uFEFFa,y\n1,0\n', 'utf16le'));
  await rejects(join(dir, 'u16.csv'), `${join(dir, 'u16.csv')} is encoded as UTF-16; save it as UTF-8 (or plain ASCII) text and try again.`);
});

test('prediction data: feature columns found by name, missing ones listed', () => {
  const table = parseFeatures('id,b,a,label\n7,2,1,M\n8,4,3,B\n', { fileName: 'new.csv', featureNames: ['a', 'b'] });
  assert.deepEqual(Array.from(table.X.data), [1, 3, 2, 4]);
  assert.deepEqual(table.ignoredColumns, ['id', 'label']);
  assert.throws(
    () => parseFeatures('a,c\n1,2\n', { fileName: 'new.csv', featureNames: ['a', 'b', 'd'] }),
    (e: unknown) =>
      e instanceof DataError &&
      e.message === 'new.csv lacks the feature columns "b" and "d" that the model was trained on. Its columns are "a" and "c".',
  );
  assert.throws(
    () => parseFeatures('1,2,3,4\n', { fileName: 'new.csv', featureNames: ['a', 'b'] }),
    (e: unknown) =>
      e instanceof DataError &&
      e.message ===
        'new.csv has 4 columns and no header row, but the model expects 2 features ("a" and "b"), optionally followed by a label column. ' +
          "Add a header row naming the columns, or keep only the feature columns, in the model's order.",
  );
});
