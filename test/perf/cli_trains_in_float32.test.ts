// `backprop-map train --dtype float32`: trains in single precision, its cost close to float64's;
// a wrong value is a usage error (exit 2) that says what is allowed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli } from '../cli/cliRun';

function lastCost(stdout: string): number {
  const done = stdout.trim().split('\n').map((l) => JSON.parse(l) as { done?: boolean; train?: { cost: number } }).find((o) => o.done);
  assert.ok(done?.train, `no final {"done": true} line in:\n${stdout}`);
  return done.train.cost;
}

test('--dtype float32 trains, within 1e-4 of float64 after 20 epochs', () => {
  const args = ['train', 'sample:flower', '--epochs', '20', '--json', '--seed', '3'];
  const f64 = cli(args);
  const f32 = cli([...args, '--dtype', 'float32']);
  assert.equal(f64.code, 0, f64.stderr);
  assert.equal(f32.code, 0, f32.stderr);
  const a = lastCost(f64.stdout), b = lastCost(f32.stdout);
  assert.ok(Math.abs(a - b) / a <= 1e-4, `float32 ${b}, float64 ${a}`);
  assert.notEqual(a, b);
});

test('--dtype float16 is a usage error', () => {
  const r = cli(['train', 'sample:flower', '--dtype', 'float16']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--dtype must be float64 or float32, got float16/);
});
