import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochPoint, RunInfo, RunResult } from '../../src/protocol';
import { fieldOffset, historyCsv, historyJson, inert, pngFromDataUrl, summary } from '../../src/extension/runFiles';

const points: EpochPoint[] = [
  { epoch: 1, cost: 0.69, validationCost: 0.7, accuracy: 0.5, validationAccuracy: 0.25, gradNorms: [0.1, 0.2] },
  { epoch: 2, cost: 0.5, validationCost: null, accuracy: 0.75, validationAccuracy: null, gradNorms: [0.05, 0.125] },
];

test('history CSV: a header with one gradient-norm column per layer, empty cells for missing values', () => {
  assert.equal(
    historyCsv(points, 2),
    'epoch,cost,validation_cost,accuracy,validation_accuracy,norm_dW1,norm_dW2\n' +
      '1,0.69,0.7,0.5,0.25,0.1,0.2\n' +
      '2,0.5,,0.75,,0.05,0.125\n',
  );
});

test('history JSON keeps the run, the epochs and the result', () => {
  const info = { datasetName: '=cmd|x.csv', featureNames: ['a'], labelName: 'y', labels: { '0': 'no', '1': 'yes' }, layerDims: [1, 2, 1], m: 4, mValidation: 0 } as unknown as RunInfo;
  const back = JSON.parse(historyJson(info, points, null));
  assert.equal(back.format, 'backprop-map-history');
  assert.deepEqual(back.epochs, points);
  assert.equal(back.run.datasetName, '=cmd|x.csv');
  assert.equal(back.result, null);
});

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
