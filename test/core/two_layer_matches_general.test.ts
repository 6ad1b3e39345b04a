import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, forward, initParameters, updateParameters } from '../../src/core/network';
import { backwardTwoLayer, forwardTwoLayer, updateTwoLayer } from '../../src/core/twoLayer';
import { syntheticData } from './synthetic';

test('the literal two-layer code and the L-layer code agree bit for bit over 20 steps', () => {
  const { X, Y } = syntheticData(3, 40, 21);
  const params = initParameters([3, 5, 1], 4);
  const two = { W1: structuredClone(params.W[0]!), b1: structuredClone(params.b[0]!), W2: structuredClone(params.W[1]!), b2: structuredClone(params.b[1]!) };
  for (let step = 0; step < 20; step++) {
    const cache = forward(params, X);
    const c2 = forwardTwoLayer(two, X);
    assert.deepEqual(c2.Z1.data, cache.Z[0]!.data);
    assert.deepEqual(c2.A1.data, cache.A[1]!.data);
    assert.deepEqual(c2.Z2.data, cache.Z[1]!.data);
    assert.deepEqual(c2.A2.data, cache.A[2]!.data);
    const g = backward(params, cache, Y);
    const g2 = backwardTwoLayer(two, c2, X, Y);
    assert.deepEqual(g2.dA2.data, g.dA[1]!.data);
    assert.deepEqual(g2.dZ2.data, g.dZ[1]!.data);
    assert.deepEqual(g2.dW2.data, g.dW[1]!.data);
    assert.deepEqual(g2.db2.data, g.db[1]!.data);
    assert.deepEqual(g2.dA1.data, g.dA[0]!.data);
    assert.deepEqual(g2.dZ1.data, g.dZ[0]!.data);
    assert.deepEqual(g2.dW1.data, g.dW[0]!.data);
    assert.deepEqual(g2.db1.data, g.db[0]!.data);
    updateParameters(params, g, 0.5);
    updateTwoLayer(two, g2, 0.5);
  }
  assert.deepEqual(two.W1.data, params.W[0]!.data);
  assert.deepEqual(two.b2.data, params.b[1]!.data);
  // The 20 steps did move the parameters (the comparison above is not of untouched values).
  assert.notDeepEqual(params.W[0]!.data, initParameters([3, 5, 1], 4).W[0]!.data);
});
