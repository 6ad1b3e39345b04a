/**
 * CSV loading, as a user waits for it: a 200,000 × 30 file (29 numeric features and a 0/1 label),
 * loaded by the core's loader and, with --peers, by papaparse and csv-parse, each in a fresh
 * process so that its peak resident memory is its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../src/core/rng';

const ROWS = 200_000;
const COLS = 30;

function csvFile(): string {
  const file = join(tmpdir(), `backprop-map-bench-${ROWS}x${COLS}.csv`);
  if (existsSync(file)) return file;
  const rng = createRng(7);
  const lines = [[...Array.from({ length: COLS - 1 }, (_, i) => `f${i + 1}`), 'label'].join(',')];
  for (let r = 0; r < ROWS; r++) {
    const cells = Array.from({ length: COLS - 1 }, () => (rng.normal() * 10).toFixed(6));
    cells.push(rng.uniform() < 0.5 ? '0' : '1');
    lines.push(cells.join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export function csvSection(withPeers: boolean): string[] {
  const file = csvFile();
  const size = statSync(file).size / 2 ** 20;
  const out = [`CSV load, ${ROWS.toLocaleString('en')} rows × ${COLS} columns (${size.toFixed(1)} MiB), one fresh node process each:`];
  const loaders = ['none', 'core', ...(withPeers ? ['papaparse', 'csv-parse'] : [])];
  for (const loader of loaders) {
    const r = spawnSync(process.execPath, [join(__dirname, 'csvload.js'), loader, file], { encoding: 'utf8' });
    if (r.status !== 0) {
      out.push(`  ${loader}: failed: ${r.stderr.trim().split('\n')[0]}`);
      continue;
    }
    const { ms, peakMiB, rows } = JSON.parse(r.stdout) as { ms: number; peakMiB: number; rows: number };
    out.push(loader === 'none' ? `  node itself, loading nothing: peak ${peakMiB.toFixed(0)} MiB` : `  ${loader}: ${ms.toFixed(0)} ms, peak ${peakMiB.toFixed(0)} MiB resident (${rows} rows)`);
  }
  return out;
}
