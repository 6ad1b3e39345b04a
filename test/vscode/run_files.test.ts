import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunResult } from '../../src/core/types';
import { fieldOffset, inert, pngFromDataUrl, summary } from '../../src/extension/runFiles';

test('PNG export accepts only a PNG data URL with the PNG signature', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
  assert.deepEqual(pngFromDataUrl(`data:image/png;base64,${png.toString('base64')}`), new Uint8Array(png));
  assert.equal(pngFromDataUrl(`data:image/svg+xml;base64,${png.toString('base64')}`), null);
  assert.equal(pngFromDataUrl(`data:image/png;base64,${Buffer.from('<svg onload=alert(1)>').toString('base64')}`), null);
  assert.equal(pngFromDataUrl('data:image/png;base64,@@@'), null);
});

test('field offsets honour quotes and fall back to the end of a short line', () => {
  const line = 'a,"b,c",ddd';
  assert.equal(fieldOffset(line, ',', 1), 0);
  assert.equal(fieldOffset(line, ',', 2), 2);
  assert.equal(fieldOffset(line, ',', 3), 8);
  assert.equal(fieldOffset(line, ',', 9), line.length);
  assert.equal(fieldOffset('1;2,5;3', ';', 3), 6);
});

test('the summary states the accuracies as percentages and the reason', () => {
  const m = { cost: 0.123456, accuracy: 0.9712, precision: 1, recall: 1, f1: 1, confusion: { tp: 1, fp: 0, tn: 1, fn: 0 } };
  const done: RunResult = { reason: 'completed', message: null, epochs: 2000, train: m, validation: { ...m, accuracy: 0.95 } };
  assert.equal(summary('tumours.csv', done), 'Training on tumours.csv finished after 2000 epochs: training accuracy 97.1 %, validation accuracy 95.0 % (cost 0.1235).');
  assert.match(summary('x', { ...done, reason: 'cancelled', epochs: 17, validation: null }), /^Training on x stopped after 17 epochs: training accuracy 97\.1 % \(/);
  assert.match(summary('x', { ...done, reason: 'diverged', message: 'Lower the learning rate.' }), /diverged after 2000 epochs\. Lower the learning rate\.$/);
});

test('text from files cannot become a command link or an icon', () => {
  const header = 'x [run](command:workbench.action.terminal.new) $(alert) y';
  const out = inert(header);
  assert.doesNotMatch(out, /\]\(/);
  assert.doesNotMatch(out, /\$\(/);
  // Only zero-width spaces were added: it reads the same.
  assert.equal(out.replace(/\u200b/g, ''), header);
});
