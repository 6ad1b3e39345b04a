// Hostile Python files through `backprop-map check`: each piece of hostile code in the backward
// pass, and seeded random combinations of them in the backward, the forward and at load time. Every
// case must end with a report within the time limit, exit 0, 1 or 2, print no stack trace, change
// nothing in the watched folder (names, modes, sizes, content hashes — the checked file too) nor
// leave anything in the temporary folder, send nothing to a listener on 127.0.0.1, and leave no
// process behind (found by a mark in the environment that every descendant inherits).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliAsync } from '../cli/cliRun';
import { testPython } from '../checker/checkerTestSupport';
import { FORBIDDEN, HOSTILE, HOSTILE_UNITS, type Place, type Hostile, combination, hostileFile, hostileUnitFile } from './hostilePython';

const SEED = Number(process.env['FUZZ_SEED'] ?? 1);
const COMBINATIONS = Number(process.env['FUZZ_CHECKER_CASES'] ?? 16);
/** The check's own limit: the busy loops end there. */
const CHECK_TIMEOUT_S = 2;
/** Far above what any case needs: reaching it is a hang. */
const HANG_MS = 60_000;
const MARK = 'BACKPROP_MAP_HOSTILE_CASE';

/** Every entry below `dir`: kind, mode, size and a hash of the content (FIFOs are never opened). */
function snapshot(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = lstatSync(path);
    const key = prefix + name;
    if (st.isDirectory()) {
      out[key] = `dir ${st.mode.toString(8)}`;
      Object.assign(out, snapshot(path, key + '/'));
    } else if (st.isFile()) {
      out[key] = `file ${st.mode.toString(8)} ${st.size} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    } else {
      out[key] = `other ${st.mode.toString(8)}`;
    }
  }
  return out;
}

/** Processes that carry `mark` in their environment (ours only: others' environ is unreadable). */
function marked(mark: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`${MARK}=${mark}`)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours.
    }
  }
  return found;
}

describe(`the checker survives hostile Python files (${HOSTILE.length} pieces, ${COMBINATIONS} combinations of seed ${SEED})`, { concurrency: 2 }, () => {
  const accepted: Socket[] = [];
  const listener = createServer((s) => accepted.push(s));
  let port = 0;
  before(async () => {
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });
  after(() => {
    for (const s of accepted) s.destroy();
    listener.close();
  });

  /** What the case did wrong; empty when it behaved. `codes`: report codes of which one must appear. */
  async function problems(pieces: { hostile: Hostile; place: Place }[] | string, codes: string[]): Promise<string[]> {
    const root = mkdtempSync(join(tmpdir(), 'bpm-hostile-'));
    const watched = join(root, 'watched');
    const temp = join(root, 'tmp');
    mkdirSync(join(watched, 'sub'), { recursive: true });
    mkdirSync(temp);
    const out: string[] = [];
    const mark = randomBytes(8).toString('hex');
    try {
      writeFileSync(join(watched, 'notes.txt'), 'keep me\n');
      writeFileSync(join(watched, 'data.csv'), 'a,b,y\n1,2,0\n3,4,1\n');
      writeFileSync(join(watched, 'sub', 'inner.txt'), 'inner\n');
      execFileSync('mkfifo', [join(watched, 'pipe')]);
      const text = typeof pieces === 'string' ? pieces : hostileFile(pieces, watched, port);
      writeFileSync(join(watched, 'hostile.py'), text);
      const before = snapshot(watched);
      const r = await cliAsync(['check', 'hostile.py', '--timeout', String(CHECK_TIMEOUT_S), '--python', testPython()], { cwd: watched, limitMs: HANG_MS, env: { TMPDIR: temp, [MARK]: mark } });
      if (r.killed) out.push(`still running after ${HANG_MS / 1000} s (killed)`);
      else if (r.code !== 0 && r.code !== 1 && r.code !== 2) out.push(`exit code ${r.code}`);
      const printed = r.stdout + r.stderr;
      if (/Traceback \(most recent call last\)|^\s+at .+\d+:\d+\)?$/m.test(printed)) out.push(`a stack trace: ${printed.slice(0, 600)}`);
      if (/internal-error|internal error/.test(printed)) out.push(`an internal error: ${printed.slice(0, 600)}`);
      const reported = [...r.stdout.matchAll(/^hostile\.py:\d+:\d+: (?:error|warning|info): .*\[([\w-]+)\]$/gm)].map((m) => m[1]!);
      // A verdict: the network's gradient lines, a unit's line, or a report.
      if (!/^(?:d[Wb]1 |[✓✗·] )/m.test(r.stdout) && reported.length === 0) out.push(`no report: ${printed.slice(0, 600)}`);
      if (codes.length > 0 && !reported.some((c) => codes.includes(c))) out.push(`reported ${JSON.stringify(reported)}, expected one of ${JSON.stringify(codes)}: ${r.stdout.slice(0, 600)}`);
      const now = snapshot(watched);
      for (const name of new Set([...Object.keys(before), ...Object.keys(now)])) {
        if (before[name] !== now[name]) out.push(`${name}: ${before[name] ?? 'absent'} → ${now[name] ?? 'absent'}`);
      }
      const left = readdirSync(temp);
      if (left.length > 0) out.push(`left in the temporary folder: ${left.join(', ')}`);
      // Killed processes take a moment to go; waiting is bounded, and only a hang reaches the bound.
      let alive = marked(mark);
      for (let i = 0; i < 50 && alive.length > 0; i++) {
        await new Promise((res) => setTimeout(res, 100));
        alive = marked(mark);
      }
      if (alive.length > 0) {
        out.push(`processes left behind: ${alive.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ')).join('; ')}`);
        for (const pid of alive) process.kill(pid, 'SIGKILL');
      }
      if (accepted.length > 0) out.push(`${accepted.length} connection(s) reached the listener`);
      return out;
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }

  for (const hostile of HOSTILE) {
    const place = hostile.place ?? 'backward';
    it(`${hostile.name}${place === 'load' ? '' : `, in the ${place} pass`}`, { timeout: HANG_MS + 30_000 }, async () => {
      assert.deepEqual(await problems([{ hostile, place }], hostile.codes), []);
    });
  }

  for (const hostile of HOSTILE.filter((h) => h.codes.length > 0 && h.codes.every((c) => c !== 'timeout'))) {
    it(`${hostile.name.replace(/, at load time$/, '')}, in a layer's forward`, { timeout: HANG_MS + 30_000 }, async () => {
      // A piece written for load time is refused where the forward runs it; an exception the forward
      // raises whatever its inputs cannot be told from inputs it refuses: not checked.
      const codes = hostile.place === 'load' ? FORBIDDEN : hostile.codes.includes('exception') ? [...hostile.codes, 'not-checked'] : hostile.codes;
      assert.deepEqual(await problems([{ hostile, place: 'layer' }], codes), []);
    });
  }

  for (const unit of HOSTILE_UNITS) {
    it(`a unit: ${unit.name}`, { timeout: HANG_MS + 30_000 }, async () => {
      assert.deepEqual(await problems(hostileUnitFile(unit), unit.codes), []);
    });
  }

  for (let index = 0; index < COMBINATIONS; index++) {
    const pieces = combination(SEED, index);
    const what = pieces.map((p) => `${p.hostile.name} (${p.place})`).join(' + ');
    it(`combination ${index}: ${what}`.slice(0, 200), { timeout: HANG_MS + 30_000 }, async () => {
      assert.deepEqual(await problems(pieces, []), [], `FUZZ_SEED=${SEED}, combination ${index}`);
    });
  }
});
