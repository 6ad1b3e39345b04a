// One tolerance for a right gradient: the Python harness of the checker uses the number and the
// relative difference of src/core/tolerance.ts, which the panel, `gradcheck` and the runner use.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { GRADCHECK_THRESHOLDS, gradcheckVerdict, relativeDifference } from '../../src/core/tolerance';
import { repoRoot, testPython } from '../checker/checkerTestSupport';

/** Where the Python side keeps its tolerance and its relative difference: the one place to adapt should they move. */
const PYTHON_SIDE = { module: 'bpm_compare', tolerance: 'TOLERANCE', relDifference: '_rel' };

const PAIRS: [number[], number[]][] = [
  [[1, 2, 3], [1, 2, 3]],
  [[1, 2, 3], [1, 2, 3.000001]],
  [[0, 0], [0, 0]],
  [[1e-9, -2e-9], [1.1e-9, -2e-9]],
  [[3, -4], [-3, 4]],
  [[0.5], [0]],
];

function pythonSide(): { tolerance: number; rel: number[] } {
  const script = [
    'import json, sys',
    'import numpy as np',
    `sys.path.insert(0, ${JSON.stringify(join(repoRoot(), 'src', 'checker', 'python'))})`,
    `from ${PYTHON_SIDE.module} import ${PYTHON_SIDE.tolerance} as tolerance, ${PYTHON_SIDE.relDifference} as rel`,
    'pairs = json.loads(sys.argv[1])',
    'print(json.dumps({"tolerance": tolerance, "rel": [rel(np.array(a, dtype=float), np.array(b, dtype=float)) for a, b in pairs]}))',
  ].join('\n');
  return JSON.parse(execFileSync(testPython(), ['-c', script, JSON.stringify(PAIRS)], { encoding: 'utf8' })) as { tolerance: number; rel: number[] };
}

test("the checker's Python tolerance is the TypeScript threshold, and its relative difference the same formula", () => {
  const py = pythonSide();
  assert.equal(py.tolerance, GRADCHECK_THRESHOLDS.exact);
  PAIRS.forEach(([a, b], i) => {
    const ts = relativeDifference(a, b);
    assert.ok(Math.abs(py.rel[i]! - ts) <= 1e-15 * Math.max(1, ts), `pair ${i}: Python ${py.rel[i]}, TypeScript ${ts}`);
  });
});

test('the verdicts: at most 1e-7 right, at most 1e-5 right up to rounding, above that wrong', () => {
  assert.deepEqual([1e-7, 1.01e-7, 1e-5, 1.01e-5, 0, Infinity].map(gradcheckVerdict), ['ok', 'rounding', 'rounding', 'wrong', 'ok', 'wrong']);
  assert.equal(relativeDifference([3, 4], [0, 0]), 1);
  assert.equal(relativeDifference([0, 0], [0, 0]), 0);
});
