// Property-based: whatever damage is done to a model file, a CSV file or an option value, the
// command line ends within a time limit with exit code 0, 1 or 2, prints no stack trace and no
// internal error, leaves its input files byte for byte as they were and writes no file but the
// ones it was asked for. `npm test` runs a fixed seed; `npm run fuzz` many more cases
// (FUZZ_SEED, FUZZ_CASES, FUZZ_CASE to run one case again).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliAsync } from '../cli/cliRun';
import { type FuzzCase, generateCase } from './generate';

const SEED = Number(process.env['FUZZ_SEED'] ?? 1);
const CASES = Number(process.env['FUZZ_CASES'] ?? 150);
const ONLY = process.env['FUZZ_CASE'] === undefined ? null : Number(process.env['FUZZ_CASE']);
/** Far above what any case needs (the slowest take about a second): reaching it is a hang. */
const LIMIT_MS = 30_000;

/** What the case did wrong; empty when it behaved. */
async function problems(c: FuzzCase): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bpm-fuzz-'));
  try {
    for (const [name, bytes] of Object.entries(c.files)) writeFileSync(join(dir, name), bytes);
    const r = await cliAsync(c.args, { cwd: dir, limitMs: LIMIT_MS });
    const out: string[] = [];
    if (r.killed) out.push(`still running after ${LIMIT_MS / 1000} s (killed)`);
    else if (r.code !== 0 && r.code !== 1 && r.code !== 2) out.push(`exit code ${r.code}`);
    if (/^\s+at .+\d+:\d+\)?$/m.test(r.stderr)) out.push(`a stack trace on stderr: ${r.stderr.slice(0, 600)}`);
    if (/internal error/.test(r.stderr)) out.push(`an internal error: ${r.stderr.slice(0, 600)}`);
    for (const [name, bytes] of Object.entries(c.files)) {
      if (!readFileSync(join(dir, name)).equals(bytes)) out.push(`${name} was changed`);
    }
    const written = readdirSync(dir).filter((n) => !(n in c.files) && !c.outputs.includes(n));
    if (written.length > 0) out.push(`wrote ${written.join(', ')}, which it was not asked to write`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const indices = ONLY !== null ? [ONLY] : Array.from({ length: CASES }, (_, i) => i);

describe(`the command line survives random inputs (seed ${SEED}, ${indices.length} cases)`, { concurrency: 2 }, () => {
  for (const index of indices) {
    const c = generateCase(SEED, index);
    it(`case ${index}: ${c.description}`.slice(0, 200), { timeout: LIMIT_MS + 30_000 }, async () => {
      const found = await problems(c);
      assert.deepEqual(
        found,
        [],
        `backprop-map ${c.args.join(' ')} (${c.description}):\n${found.join('\n')}\nRun it again with FUZZ_SEED=${SEED} FUZZ_CASE=${index} npm run fuzz`,
      );
    });
  }
});
