import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsReport } from '../../src/cli/format';
import type { Metrics } from '../../src/core/types';

const metrics = (tp: number, fp: number, tn: number, fn: number, precision: number, recall: number, f1: number): Metrics => ({
  cost: 0.25,
  accuracy: (tp + tn) / (tp + fp + tn + fn),
  precision,
  recall,
  f1,
  confusion: { tp, fp, tn, fn },
});

test('precision, recall and F1 with nothing to count are shown as "–" with a note, not as 0', () => {
  // Training: 3 of 4 right; precision 2/3, recall 2/2, F1 = 2·(2/3)·1 / (2/3 + 1) = 0.8.
  // Validation: one example of class 0, predicted 0: no positive prediction, no positive example.
  const text = metricsReport(metrics(2, 1, 1, 0, 2 / 3, 1, 0.8), metrics(0, 0, 1, 0, 0, 0, 0));
  assert.equal(
    text,
    [
      '              cost  accuracy  precision  recall      F1  TP  FP  TN  FN',
      'training    0.2500    0.7500     0.6667  1.0000  0.8000   2   1   1   0',
      'validation  0.2500    1.0000          –       –       –   0   0   1   0',
      '– : nothing to count (no example predicted as class 1, or none labelled 1)',
      '',
    ].join('\n'),
  );
});

test('a real 0 stays 0: positives predicted, all of them wrong', () => {
  // tp = 0 with fp = 1 and fn = 1: precision 0/1 and recall 0/1 are defined, and F1 is 0.
  const text = metricsReport(metrics(0, 1, 2, 1, 0, 0, 0), null);
  assert.equal(text.split('\n')[1], 'training  0.2500    0.5000     0.0000  0.0000  0.0000   0   1   2   1');
  assert.doesNotMatch(text, /–/);
});
