import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flattenParameters } from '../../src/core/gradcheck';
import { fromRows } from '../../src/core/matrix';
import { predictProbabilities } from '../../src/core/metrics';
import { ModelError, type ModelFile, createModelFile, parseModelFile } from '../../src/core/model';
import { initParameters } from '../../src/core/network';
import { syntheticData } from './synthetic';

const hyper = { hidden: [3], learningRate: 0.1, epochs: 100, batchSize: null, seed: 1, validationSplit: 0.2, standardize: true };

function sample(): ModelFile {
  const params = { W: [fromRows([[1, 2], [3, 4], [5, 6]]), fromRows([[7, 8, 9]])], b: [fromRows([[0.1], [0.2], [0.3]]), fromRows([[-1]])] };
  return createModelFile({
    params,
    featureNames: ['x1', 'x2'],
    labelName: 'diagnosis',
    labels: { '0': 'B', '1': 'M' },
    scaling: { mean: [1.5, -2], std: [0.5, 3] },
    training: { epochs: 100, hyper, cost: 0.25 },
  });
}

test("the file holds the notes' shapes: W1 is n_1 rows of n_x numbers, b1 n_1 rows of one", () => {
  const m = sample();
  assert.equal(m.format, 'backprop-map-model');
  assert.equal(m.version, 1);
  assert.deepEqual(m.layerDims, [2, 3, 1]);
  assert.deepEqual(m.activations, { hidden: 'relu', output: 'sigmoid' });
  assert.deepEqual(m.parameters, { W1: [[1, 2], [3, 4], [5, 6]], b1: [[0.1], [0.2], [0.3]], W2: [[7, 8, 9]], b2: [[-1]] });
});

test('save → load gives the same parameters, bit for bit, and the same predictions', () => {
  const params = initParameters([4, 6, 5, 1], 3);
  params.b[0]!.data[2] = 1 / 3; // a number that needs all 17 digits
  const model = createModelFile({ params, featureNames: ['a', 'b', 'c', 'd'], labelName: 'y', labels: { '0': 'no', '1': 'yes' }, scaling: null });
  const text = JSON.stringify(model, null, 2);
  const back = parseModelFile(text, 'm.json');
  assert.deepEqual(back.model, model);
  assert.deepEqual(flattenParameters(back.params), flattenParameters(params));
  const { X } = syntheticData(4, 30, 1);
  assert.deepEqual(predictProbabilities(back.params, X), predictProbabilities(params, X));
  const full = sample();
  assert.deepEqual(parseModelFile(JSON.stringify(full), 'f.json').model, full);
  // A byte-order mark, as some editors write one, is fine.
  assert.deepEqual(parseModelFile('\uFEFF' + JSON.stringify(full), 'f.json').model, full);
});

/** Applies `change` to a fresh sample file and expects parseModelFile to fail with `message`. */
function rejects(change: (m: Record<string, any>) => void, message: RegExp | string): void {
  const m = structuredClone(sample()) as unknown as Record<string, any>;
  change(m);
  rejectsText(JSON.stringify(m), message);
}

function rejectsText(text: string, message: RegExp | string): void {
  assert.throws(
    () => parseModelFile(text, 'model.json'),
    (e: unknown) => {
      assert.ok(e instanceof ModelError, `a ModelError, got ${String(e)}`);
      assert.ok(e.message.startsWith('"model.json" is not a usable Backprop Map model file: '), e.message);
      if (typeof message === 'string') assert.equal(e.message.slice(e.message.indexOf(': ') + 2), message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

test('malformed files: each problem is named in one sentence', () => {
  rejectsText('{"format": "backprop-map-model", ', /it is not valid JSON \(.+\)\.$/);
  rejectsText('', /not valid JSON/);
  rejectsText('[1, 2]', 'it holds a list where a JSON object was expected.');
  rejectsText('42', 'it holds 42 where a JSON object was expected.');
  rejects((m) => (m.format = 'keras'), '"format" is "keras", expected "backprop-map-model".');
  rejects((m) => delete m.format, '"format" is nothing, expected "backprop-map-model".');
  rejects((m) => (m.version = 2), 'it has version 2, newer than this version of Backprop Map reads (1).');
  rejects((m) => (m.version = '1'), '"version" is "1", but this version of Backprop Map reads version 1 only.');
  rejects((m) => (m.layerDims = [2]), /"layerDims" is \[2\], expected a list of at least two positive whole numbers/);
  rejects((m) => (m.layerDims = [2, 0, 1]), /"layerDims" is \[2,0,1\]/);
  rejects((m) => (m.layerDims = [2, 3.5, 1]), /"layerDims" is \[2,3.5,1\]/);
  rejects((m) => (m.layerDims = [2, 3, 2]), '"layerDims" ends in 2, but a binary classifier has exactly 1 output unit.');
  rejects((m) => (m.activations = { hidden: 'tanh', output: 'sigmoid' }), /"activations" is .*tanh.*; only \{"hidden": "relu", "output": "sigmoid"\} is supported\./);
  rejects((m) => (m.parameters = [[1]]), /"parameters" is \[\[1\]\], expected an object with W1, b1, … W2, b2\./);
  rejects((m) => delete m.parameters.b2, '"parameters" lacks b2.');
  rejects((m) => (m.parameters.W3 = [[1]]), '"parameters" has "W3", which a network with layerDims [2, 3, 1] does not have (it has W1, b1, W2, b2).');
  rejects((m) => m.parameters.W1.pop(), 'W1 must be (3 × 2), a list of 3 rows, but it is a list of 2.');
  rejects((m) => (m.parameters.W1 = 5), 'W1 must be (3 × 2), a list of 3 rows, but it is 5.');
  rejects((m) => m.parameters.W1[1].push(0), 'row 2 of W1 must hold 2 numbers for the shape (3 × 2), but it is a list of 3.');
  rejects((m) => (m.parameters.b1[2] = 0.3), 'row 3 of b1 must hold 1 number for the shape (3 × 1), but it is 0.3.');
  rejects((m) => (m.parameters.W2[0][1] = 'x'), 'W2[1][2] is "x", not a finite number.');
  rejects((m) => (m.parameters.W2[0][2] = null), 'W2[1][3] is null, not a finite number.');
  rejects((m) => (m.layerDims = [2, 4, 1]), 'W1 must be (4 × 2), a list of 4 rows, but it is a list of 3.');
  rejects((m) => (m.featureNames = ['x1']), '"featureNames" lists 1 name, but the network has n_x = 2 inputs.');
  rejects((m) => (m.featureNames = ['x1', 2]), '"featureNames" is ["x1",2], expected a list of 2 names.');
  rejects((m) => delete m.labelName, '"labelName" is nothing, expected the label column\'s name.');
  rejects((m) => (m.labels = { 0: 'B' }), /"labels" is \{"0":"B"\}, expected \{"0": "…", "1": "…"\}/);
  rejects((m) => (m.scaling = { mean: [1], std: [1, 1] }), '"scaling.mean" must list 2 numbers, one per feature, but it is [1].');
  rejects((m) => (m.scaling.std[1] = 0), '"scaling.std"[2] is 0; a standard deviation used for scaling must be above 0.');
  rejects((m) => (m.scaling = 'z'), '"scaling" is "z", expected null or {"mean": […], "std": […]}.');
  rejects((m) => (m.training = { epochs: -1 }), '"training.epochs" must be a whole number of epochs from 0 up to 2^53 − 1, not -1.');
  rejects((m) => (m.training.hyper.learningRate = 0), '"training.hyper.learningRate" is 0, expected a positive number.');
  rejects((m) => (m.training.hyper.batchSize = 0), '"training.hyper.batchSize" is 0, expected null or a positive whole number.');
});

test('NaN and Infinity, which JSON cannot hold, are rejected also when they come as big numbers', () => {
  const text = JSON.stringify(sample()).replace('[[7,8,9]]', '[[7,8,1e999]]');
  rejectsText(text, 'W2[1][3] is Infinity, not a finite number.');
});

test('the loaded parameters do not share storage with the loaded model object', () => {
  const m = sample();
  const back = parseModelFile(JSON.stringify(m), 'a.json');
  back.params.W[0]!.data[0] = 99;
  assert.equal(back.model.parameters['W1']![0]![0], 1);
});

test('counts beyond exact whole numbers, sizes beyond the limits of a run, equal labels and repeated names are refused', () => {
  rejects((m) => (m.training.epochs = 1e308), '"training.epochs" must be a whole number of epochs from 0 up to 2^53 − 1, not 1e+308.');
  rejects((m) => (m.training.epochs = 2 ** 53), '"training.epochs" must be a whole number of epochs from 0 up to 2^53 − 1, not 9007199254740992.');
  rejects((m) => (m.training.epochs = 2.5), /"training.epochs" must be a whole number .* not 2.5\.$/);
  rejects((m) => (m.layerDims = [1e20, 3, 1]), /"layerDims" is \[100000000000000000000,3,1\], expected a list of at least two positive whole numbers/);
  rejects((m) => (m.layerDims = [2, 5000, 1]), '"layerDims" is [2,5000,1]; hidden layer 1 has 5000 units, but at most 4096 are supported.');
  rejects((m) => (m.layerDims = [2, ...Array(33).fill(1), 1]), /"layerDims" is .*; it has 33 hidden layers, but at most 32 are supported\.$/);
  rejects((m) => (m.training.hyper.hidden = [9000]), '"training.hyper.hidden" is [9000]; hidden layer 1 has 9000 units, but at most 4096 are supported.');
  rejects((m) => (m.training.hyper.epochs = 1e308), '"training.hyper.epochs" is 1e+308, expected a whole number of epochs from 0 to 10000000.');
  rejects((m) => (m.training.hyper.seed = 1e300), '"training.hyper.seed" is 1e+300, expected a whole number below 2^53 in size.');
  rejects((m) => (m.training.hyper.batchSize = 2 ** 60), /"training.hyper.batchSize" is 1152921504606847000, expected null or a positive whole number\.$/);
  rejects((m) => (m.labels = { 0: 'M', 1: 'M' }), '"labels" maps both 0 and 1 to "M"; the two classes need two different label values.');
  rejects((m) => (m.featureNames = ['x1', 'x1']), '"featureNames" names "x1" twice (entries 1 and 2); each input needs a column of its own name.');
  rejects((m) => (m.scaling.mean[0] = '1'), '"scaling.mean"[1] is "1", not a finite number.');
  rejects((m) => (m.scaling.std[0] = -1), '"scaling.std"[1] is -1; a standard deviation used for scaling must be above 0.');
});

test('__proto__ and constructor keys change nothing: the rest of the file is read as it is', () => {
  const base = JSON.stringify(sample());
  const expected = parseModelFile(base, 'model.json').model;
  // Keys JSON.parse keeps as own properties; none of them may stand in for a missing field or alter one.
  for (const text of [
    base.replace('{', '{"__proto__": {"version": 2, "polluted": true}, "constructor": {"prototype": {"polluted": true}}, '),
    base.replace('"training":{', '"training":{"__proto__": {"epochs": 1e308}, "constructor": 5, '),
    base.replace('"labels":{', '"labels":{"__proto__": {"0": "X"}, '),
  ]) {
    assert.deepEqual(parseModelFile(text, 'model.json').model, expected);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  }
  // Standing in for a field that is missing, they are refused like any absent field.
  rejectsText(base.replace('"format":"backprop-map-model"', '"__proto__":{"format":"backprop-map-model"}'), '"format" is nothing, expected "backprop-map-model".');
  rejectsText(base.replace('"epochs":100,"hyper"', '"constructor":100,"hyper"'), '"training.epochs" must be a whole number of epochs from 0 up to 2^53 − 1, not nothing.');
  rejectsText(base.replace('"W1"', '"__proto__"'), /"parameters" has "__proto__", which a network/);
});
