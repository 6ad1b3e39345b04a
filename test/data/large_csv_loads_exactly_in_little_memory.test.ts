import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROWS = 200_000;
const FEATURES = 29; // + the label: 30 columns

/** Feature i of row r: a value with a known decimal form, so that the loaded numbers can be checked. */
const cell = (r: number, i: number): string => `${((r * 31 + i * 17) % 20001) / 1000 - 10}`;

test('200,000 rows × 30 columns load exactly, with memory a small multiple of the file size (the time is printed)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bpm-large-'));
  const file = join(dir, 'large.csv');
  try {
    const fd = openSync(file, 'w');
    writeSync(fd, `${Array.from({ length: FEATURES }, (_, i) => `f${i + 1}`).join(',')},label\n`);
    for (let from = 0; from < ROWS; from += 10_000) {
      let chunk = '';
      for (let r = from; r < from + 10_000; r++) {
        const cells: string[] = [];
        for (let i = 0; i < FEATURES; i++) cells.push(cell(r, i));
        chunk += `${cells.join(',')},${r % 3 === 0 ? 'yes' : 'no'}\n`;
      }
      writeSync(fd, chunk);
    }
    closeSync(fd);
    const bytes = statSync(file).size;

    const child = spawnSync(process.execPath, [join(__dirname, 'largeCsvChild.js'), file], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(child.status, 0, child.stderr);
    const r = JSON.parse(child.stdout) as {
      seconds: number;
      maxRssBytes: number;
      nx: number;
      m: number;
      ones: number;
      first: number;
      last: number;
      featureNames: string[];
    };
    const mb = (n: number) => (n / 2 ** 20).toFixed(0);
    t.diagnostic(`${ROWS} × ${FEATURES + 1}: ${mb(bytes)} MB file loaded in ${r.seconds.toFixed(2)} s, peak RSS ${mb(r.maxRssBytes)} MB`);

    assert.equal(r.nx, FEATURES);
    assert.equal(r.m, ROWS);
    assert.equal(r.ones, Math.ceil(ROWS / 3)); // rows 0, 3, 6, … say yes
    assert.equal(r.first, Number(cell(0, 0)));
    assert.equal(r.last, Number(cell(ROWS - 1, FEATURES - 1)));
    assert.deepEqual(r.featureNames, ['f1', `f${FEATURES}`]);
    // The text itself (one byte per character) and X (8 bytes per number, about 1.3× the text)
    // are needed; allow 4× the file size on top of node's own ~60 MB.
    assert.ok(r.maxRssBytes < 4 * bytes + 60 * 2 ** 20, `peak RSS ${mb(r.maxRssBytes)} MB for a ${mb(bytes)} MB file`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
