// The core against an independent plain numpy implementation of the notes (numpy_reference.py):
// the same initial parameters and data must give the same cost trajectory to 1e-9.
// Python with numpy is required: when it is missing this test fails, it does not skip.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { toRows } from '../../src/core/matrix';
import { cloneParameters, initParameters } from '../../src/core/network';
import { createRng, shuffledIndices } from '../../src/core/rng';
import { train } from '../../src/core/train';
import { syntheticData } from './synthetic';

const python = process.env['BACKPROP_MAP_PYTHON'] || 'python3';
const script = [resolve(__dirname, '../../../test/core/numpy_reference.py'), resolve(process.cwd(), 'test/core/numpy_reference.py')].find(existsSync);

interface Reference { costs: number[]; W: number[][][]; b: number[][][] }

function runNumpy(run: object): Reference {
  assert.ok(script, 'test/core/numpy_reference.py not found');
  const dir = mkdtempSync(join(tmpdir(), 'backprop-map-numpy-'));
  try {
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify(run));
    const r = spawnSync(python, [script, file], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    if (r.error) {
      assert.fail(`Could not run "${python}" (${r.error.message}). This test needs Python 3 with numpy: ` +
        'install python3 and python3-numpy, or set BACKPROP_MAP_PYTHON to a python that has numpy.');
    }
    assert.equal(r.status, 0, `numpy_reference.py with "${python}" exited with ${r.status}:\n${r.stderr}`);
    return JSON.parse(r.stdout) as Reference;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cases = [
  { name: 'the two-layer network [2, 4, 1]', dims: [2, 4, 1], m: 200, learningRate: 0.5, batchSize: null, seed: 1 },
  { name: 'a deeper network [4, 8, 6, 1]', dims: [4, 8, 6, 1], m: 150, learningRate: 0.1, batchSize: null, seed: 2 },
  { name: 'the two-layer network [3, 5, 1] with mini-batches of 32', dims: [3, 5, 1], m: 100, learningRate: 0.2, batchSize: 32, seed: 3 },
] as const;

for (const c of cases) {
  test(`${c.name}: 100 epochs in the core and in numpy give the same costs to 1e-9`, (t) => {
    const { X, Y } = syntheticData(c.dims[0], c.m, 50 + c.seed);
    const params = initParameters([...c.dims], c.seed);
    const initial = cloneParameters(params);
    const epochs = 100;
    const out = train(params, X, Y, { learningRate: c.learningRate, epochs, batchSize: c.batchSize, seed: c.seed });
    assert.equal(out.reason, 'completed');

    const orders = c.batchSize === null ? null : Array.from({ length: epochs }, (_, e) => Array.from(shuffledIndices(c.m, createRng(c.seed, e + 1))));
    const ref = runNumpy({
      X: toRows(X),
      Y: toRows(Y),
      W: initial.W.map(toRows),
      b: initial.b.map(toRows),
      learningRate: c.learningRate,
      epochs,
      orders,
      batchSize: c.batchSize,
    });

    assert.equal(ref.costs.length, epochs);
    let worst = 0;
    out.costs.forEach((cost, e) => {
      const d = Math.abs(cost - ref.costs[e]!);
      worst = Math.max(worst, d);
      assert.ok(d < 1e-9, `epoch ${e + 1}: core ${cost}, numpy ${ref.costs[e]}`);
    });
    // Training really moved: the trajectories agree on a falling cost, not on a constant.
    assert.ok(out.costs[0]! - out.costs[epochs - 1]! > 0.05, `${out.costs[0]} → ${out.costs[epochs - 1]}`);
    params.W.forEach((W, l) => toRows(W).forEach((row, i) => row.forEach((w, j) => {
      assert.ok(Math.abs(w - ref.W[l]![i]![j]!) < 1e-9, `W${l + 1}[${i + 1}][${j + 1}]: ${w} vs ${ref.W[l]![i]![j]}`);
    })));
    params.b.forEach((b, l) => b.data.forEach((v, i) => assert.ok(Math.abs(v - ref.b[l]![i]![0]!) < 1e-9, `b${l + 1}[${i + 1}]`)));
    t.diagnostic(`${c.name}: largest cost difference over ${epochs} epochs ${worst.toExponential(2)}`);
  });
}
