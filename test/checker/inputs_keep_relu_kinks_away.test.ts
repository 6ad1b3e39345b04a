// The random inputs keep every ReLU pre-activation far (≥ 1e-3, a thousand steps) from the kink,
// so a central difference never straddles it: no false alarm on a correct ReLU network.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, testPython } from './checkerTestSupport';

const PROBE = `
import sys, json
import numpy as np
sys.path.insert(0, sys.argv[1])
import bpm_check
out = []
for dims in ([4, 3, 1], [4, 3, 2], [4, 5, 3, 1], [4, 5, 3, 2]):
    checker = bpm_check.Checker('', 'f.py', None, 10, lambda *a: None)
    for attempt in range(4):
        params, X, Y = checker._make_inputs(dims, None, attempt)
        A, smallest = X, np.inf
        for l in range(1, len(dims) - 1):
            Z = params['W%d' % l] @ A + params['b%d' % l]
            smallest = min(smallest, float(np.min(np.abs(Z))))
            A = np.maximum(Z, 0)
        out.append({'dims': dims, 'smallest': smallest, 'eps': bpm_check.EPS, 'labels': sorted(set(Y.ravel().tolist()))})
print(json.dumps(out))
`;

test('no hidden pre-activation within 1e-3 of zero, both labels present', () => {
  const r = spawnSync(testPython(), ['-B', '-c', PROBE, join(repoRoot(), 'src', 'checker', 'python')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { dims: number[]; smallest: number; eps: number; labels: number[] }[];
  assert.equal(rows.length, 16);
  for (const row of rows) {
    assert.ok(row.smallest >= 1e-3 && row.smallest >= 1000 * row.eps, `${JSON.stringify(row.dims)}: smallest |Z| ${row.smallest}`);
    assert.deepEqual(row.labels, [0, 1]);
  }
});
