// One derivation of the names the save dialogs suggest: the dataset's name without `sample:` and
// without .csv/.tsv, made safe for a file name (and, for a script, for a Python module name).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyFileName, modelFileName, scriptFileName } from '../../src/extension/fileNames';

test('a built-in dataset gives its own name: sample:flower → flower.model.json, flower-history.csv, flower_numpy.py', () => {
  assert.equal(modelFileName('sample:flower'), 'flower.model.json');
  assert.equal(historyFileName('sample:flower', 'csv'), 'flower-history.csv');
  assert.equal(scriptFileName('sample:flower', 'numpy'), 'flower_numpy.py');
});

test("a file's name loses .csv/.tsv, and what a file name or a module name cannot hold", () => {
  assert.equal(modelFileName('my data.CSV'), 'my-data.model.json');
  assert.equal(modelFileName('wdbc.v2.tsv'), 'wdbc.v2.model.json');
  assert.equal(historyFileName('my data.csv', 'json'), 'my-data-history.json');
  assert.equal(scriptFileName('my data-v2.csv', 'torch'), 'my_data_v2_torch.py');
  assert.equal(modelFileName('a/b:c.csv'), 'a-b-c.model.json');
});
