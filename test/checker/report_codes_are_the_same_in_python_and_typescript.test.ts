// Every report code the Python side can emit is one of TypeScript's CheckCode and back: the editor's
// diagnostics, the exit codes and the panel switch on these strings, so a code one side does not know
// would pass unnoticed. The schema module refuses any other code at run time; this holds its list
// against CHECK_CODES, and every code written in the Python sources against the list.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHECK_CODES } from '../../src/checker/types';
import { repoRoot, testPython } from './checkerTestSupport';

const pythonDir = join(repoRoot(), 'src', 'checker', 'python');

test("bpm_schema.CODES is exactly TypeScript's CHECK_CODES", () => {
  const r = spawnSync(testPython(), ['-B', '-c', 'import sys, json; sys.path.insert(0, sys.argv[1]); import bpm_schema; print(json.dumps(bpm_schema.CODES))', pythonDir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const python = JSON.parse(r.stdout) as string[];
  assert.deepEqual([...python].sort(), [...CHECK_CODES].sort());
  assert.equal(new Set(python).size, python.length, 'no code twice');
});

test('every code written in the Python sources is in the schema', () => {
  const known = new Set<string>(CHECK_CODES);
  const written = new Set<string>();
  for (const name of readdirSync(pythonDir).filter((f) => f.endsWith('.py'))) {
    const text = readFileSync(join(pythonDir, name), 'utf8');
    // reports.add(line, 'error', 'code', …), code='…', code = '…', 'code': '…'
    for (const m of text.matchAll(/'(?:error|warning|info)', *'([a-z0-9_-]+)'|\bcode\s*=\s*'([a-z0-9_-]+)'|'code':\s*'([a-z0-9_-]+)'/g)) {
      const code = (m[1] ?? m[2] ?? m[3])!;
      if (!['error', 'warning', 'info'].includes(code)) written.add(code); // the tuple of severities itself
    }
  }
  assert.ok(written.size >= 30, `found ${written.size} codes in the sources`);
  assert.deepEqual([...written].filter((c) => !known.has(c)), []);
});
