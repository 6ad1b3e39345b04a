/**
 * One CSV load in a fresh process, for the benchmark's time and peak-memory figures:
 * node out/bench/csvload.js core|papaparse|csv-parse FILE → {"ms": …, "peakMiB": …, "rows": …}.
 * Each loader reads the whole file and yields numbers for every cell.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadDatasetFile } from '../src/data/csv';

const peerRequire = createRequire(join(process.cwd(), 'bench', '.peers', 'package.json'));

async function load(loader: string, file: string): Promise<number> {
  if (loader === 'core') return (await loadDatasetFile(file, {})).X.cols;
  if (loader === 'papaparse') {
    const Papa = peerRequire('papaparse');
    return Papa.parse(readFileSync(file, 'utf8'), { header: true, dynamicTyping: true, skipEmptyLines: true }).data.length;
  }
  if (loader === 'csv-parse') {
    const { parse } = peerRequire('csv-parse/sync');
    return parse(readFileSync(file, 'utf8'), { columns: true, cast: true, skip_empty_lines: true }).length;
  }
  if (loader === 'none') return 0;
  throw new Error(`unknown loader ${loader}`);
}

/**
 * Peak resident memory in MiB. On Linux from VmHWM: getrusage's maxRSS can still hold the value
 * of the forked parent (a benchmark process that holds several engines) instead of this process's.
 */
function peakMiB(): number {
  const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
  const hwm = /^VmHWM:\s*(\d+) kB/m.exec(status);
  return (hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) / 1024;
}

const [loader = 'core', file = ''] = process.argv.slice(2);
const t = performance.now();
load(loader, file).then(
  (rows) => {
    const ms = performance.now() - t;
    console.log(JSON.stringify({ ms, peakMiB: peakMiB(), rows }));
  },
  (e: Error) => {
    console.error(e.message);
    process.exit(1);
  },
);
