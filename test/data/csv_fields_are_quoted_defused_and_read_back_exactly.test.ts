import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, csvRecord } from '../../src/data/csvWrite';
import { historyCsv } from '../../src/data/history';
import type { EpochPoint } from '../../src/core/types';
import { HOSTILE, readRfc4180, undefused } from './rfc4180';

test('every hostile string, alone and all in one record, reads back exactly with an RFC 4180 reader', () => {
  for (const s of HOSTILE) {
    const records = readRfc4180(csvRecord([s]));
    assert.equal(records.length, 1, JSON.stringify(s));
    assert.equal(undefused(records[0]![0]!), s, JSON.stringify(s));
  }
  const text = csvRecord(['first', ...HOSTILE]) + csvRecord([...HOSTILE, 'last']);
  const [a, b] = readRfc4180(text) as [string[], string[]];
  assert.deepEqual(a.slice(1).map(undefused), [...HOSTILE]);
  assert.deepEqual(b.slice(0, -1).map(undefused), [...HOSTILE]);
});

test('text a spreadsheet would run as a formula gets an apostrophe in front; plain numbers stay as they are', () => {
  assert.equal(csvField("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
  assert.equal(csvField('+1+2'), "'+1+2");
  assert.equal(csvField('-x'), "'-x");
  assert.equal(csvField('-'), "'-");
  assert.equal(csvField('@SUM(A1:A2)'), "'@SUM(A1:A2)");
  assert.equal(csvField('\t=1'), "'\t=1");
  assert.equal(csvField('\r=1'), '"\'\r=1"');
  assert.equal(csvField('=HYPERLINK("http://x", "y")'), '"\'=HYPERLINK(""http://x"", ""y"")"');
  // The marker itself is escaped, so that one leading apostrophe is always the one to remove.
  assert.equal(csvField("'quoted"), "''quoted");
  // Labels that are numbers written as text, and computed numbers, are never changed.
  assert.equal(csvField('-0.5'), '-0.5');
  assert.equal(csvField('+1'), '+1');
  assert.equal(csvField('-2e-3'), '-2e-3');
  assert.equal(csvField('-1,5'), '"-1,5"');
  assert.equal(csvField(-0.5), '-0.5');
  assert.equal(csvField(-1e-7), '-1e-7');
  assert.equal(csvField(null), '');
  // Harmless text is written as it is.
  assert.equal(csvField('Größe 🌸'), 'Größe 🌸');
  assert.equal(csvField('a=b'), 'a=b');
  assert.equal(csvField(''), '');
});

test('fields are quoted when they hold the separator, a quote, CR or LF, or edge spaces; records end in LF', () => {
  assert.equal(csvRecord(['a,b', 'say "hi"', 'x\ry', 'x\ny', ' p ', 'plain', 1, null]), '"a,b","say ""hi""","x\ry","x\ny"," p ",plain,1,\n');
});

test('history CSV is well-formed: a header and one record of numbers per epoch, empty where a value is missing', () => {
  const points: EpochPoint[] = [
    { epoch: 1, cost: 0.69, validationCost: 0.7, accuracy: 0.5, validationAccuracy: 0.25, gradNorms: [0.1, -0] },
    { epoch: 2, cost: -1e-9, validationCost: null, accuracy: 0.75, validationAccuracy: null, gradNorms: [0.05] },
  ];
  const records = readRfc4180(historyCsv(points, 2));
  assert.deepEqual(records, [
    ['epoch', 'cost', 'validation_cost', 'accuracy', 'validation_accuracy', 'norm_dW1', 'norm_dW2'],
    ['1', '0.69', '0.7', '0.5', '0.25', '0.1', '0'],
    ['2', '-1e-9', '', '0.75', '', '0.05', ''],
  ]);
});
