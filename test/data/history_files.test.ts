import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochPoint, RunInfo } from '../../src/core/types';
import { historyCsv, historyJson } from '../../src/data/history';

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
