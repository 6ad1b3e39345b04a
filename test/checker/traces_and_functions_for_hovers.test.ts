// The result lists the checked functions with their roles and every traced assignment with its
// shape in numbers and in the notes' notation (what hovers and inlay hints show).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CheckerRunner } from '../../src/checker/runner';
import { fixture, testPython } from './checkerTestSupport';

describe('traces and functions', () => {
  const runner = new CheckerRunner({ python: testPython() });
  after(() => runner.dispose());

  test('two-layer: the backward\'s intermediates at their lines, in both notations', async () => {
    const r = await runner.check(fixture('two_layer_correct.py'), 'two_layer_correct.py');
    const at = (name: string, line: number) => r.traces.find((t) => t.name === name && t.line === line && t.function === 'backward_propagation');
    assert.deepEqual(at('dZ2', 38), { name: 'dZ2', line: 38, function: 'backward_propagation', shape: [1, 7], symbolicShape: '(n_y, m)' });
    assert.deepEqual(at('dW2', 39)?.symbolicShape, '(n_y, n_h)');
    assert.deepEqual(at('dA1', 41)?.shape, [3, 7]);
    assert.deepEqual(at('dZ1', 42)?.symbolicShape, '(n_h, m)');
    assert.deepEqual(at('dW1', 43)?.shape, [3, 4]);
    assert.deepEqual(at('db1', 44)?.symbolicShape, '(n_h, 1)');
    const forwardZ1 = r.traces.find((t) => t.name === 'Z1' && t.function === 'forward_propagation');
    assert.equal(forwardZ1?.line, 20);
    const roles = Object.fromEntries(r.functions.map((f) => [f.name, [f.role, f.line, f.endLine]]));
    assert.deepEqual(roles['initialize_parameters'], ['init', 9, 14]);
    assert.deepEqual(roles['forward_propagation'], ['forward', 17, 25]);
    assert.deepEqual(roles['compute_cost'], ['cost', 28, 31]);
    assert.deepEqual(roles['backward_propagation'], ['backward', 34, 45]);
    assert.deepEqual(roles['sigmoid'], ['helper', 5, 6]);
    assert.equal(roles['update_parameters'], undefined, 'never called by the checked functions');
  });

  test('L-layer: helpers are listed and traced in their own frames', async () => {
    const r = await runner.check(fixture('L_layer_correct.py'), 'L_layer_correct.py');
    assert.deepEqual(r.dims, { n_x: 4, n_1: 5, n_2: 3, n_y: 1, m: 7 });
    const helpers = r.functions.filter((f) => f.role === 'helper').map((f) => f.name).sort();
    for (const h of ['linear_backward', 'linear_activation_backward', 'relu_backward', 'sigmoid_backward', 'linear_forward']) assert.ok(helpers.includes(h), h);
    const dWs = r.traces.filter((t) => t.name === 'dW' && t.function === 'linear_backward').map((t) => t.shape);
    assert.deepEqual(dWs.slice(0, 3), [[1, 3], [3, 5], [5, 4]], 'one per layer, from the output down');
  });
});
