// The checker's Python files are copied into dist/ by the build (and again by `--watch` on each
// change): a changed file is copied again, a deleted one is removed from the copy, Python's
// __pycache__ stays.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { syncDir } from '../../scripts/syncDir.mjs';

const dir = mkdtempSync(join(tmpdir(), 'bpm-sync-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('copies what is new or changed, removes what is gone, and nothing else', () => {
  const from = join(dir, 'python');
  const to = join(dir, 'dist', 'checker');
  mkdirSync(from);
  writeFileSync(join(from, 'bpm_a.py'), 'A = 1\n');
  writeFileSync(join(from, 'bpm_b.py'), 'B = 1\n');
  assert.deepEqual(syncDir(from, to), { copied: ['bpm_a.py', 'bpm_b.py'], removed: [] });
  mkdirSync(join(to, '__pycache__'));
  writeFileSync(join(to, '__pycache__', 'bpm_a.cpython-311.pyc'), '');

  writeFileSync(join(from, 'bpm_a.py'), 'A = 2\n');
  rmSync(join(from, 'bpm_b.py'));
  writeFileSync(join(from, 'bpm_c.py'), 'C = 1\n');
  assert.deepEqual(syncDir(from, to), { copied: ['bpm_a.py', 'bpm_c.py'], removed: ['bpm_b.py'] });
  assert.equal(readFileSync(join(to, 'bpm_a.py'), 'utf8'), 'A = 2\n');
  assert.equal(existsSync(join(to, 'bpm_b.py')), false);
  assert.equal(existsSync(join(to, '__pycache__', 'bpm_a.cpython-311.pyc')), true);
  assert.deepEqual(syncDir(from, to), { copied: [], removed: [] });
});
