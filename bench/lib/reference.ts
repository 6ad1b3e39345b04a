/** Runs bench/reference.py (numpy) on a workload, from the same data and initial parameters. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WARM_UP_SECONDS } from './timing';
import type { Workload } from './workloads';

export interface NumpyRun {
  costs: number[];
  /** The faster of the thread counts in byThreads. */
  msPerEpoch: number;
  threads: number | null;
  byThreads: Record<string, number>;
  samples: number;
  epochsPerSample: number;
}

export interface NumpyResult {
  numpy: string;
  blasCore: string | null;
  blasThreads: number | null;
  float64: NumpyRun;
  float32: NumpyRun;
}

export const python = process.env.BACKPROP_MAP_PYTHON || 'python3';

/**
 * The environment for numpy. On some processors this workplace sets OPENBLAS_CORETYPE and
 * OPENBLAS_L2_SIZE so that old OpenBLAS builds work; they slow a current one down, so the
 * benchmark removes both, for this process only, and reports which kernel OpenBLAS then runs.
 */
export function numpyEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

export function runNumpy(w: Workload, o: { learningRate: number; checkEpochs: number; seconds: number; minSamples: number }, script: string): NumpyResult {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-map-bench-'));
  try {
    const file = join(dir, `${w.id}.bin`);
    // The warm-up is timing.ts's: both sides are measured the same way.
    const header = JSON.stringify({ dims: w.dims, m: w.X.cols, ...o, warmUpSeconds: WARM_UP_SECONDS }) + '\n';
    const parts: Float64Array[] = [w.X.data, w.Y.data];
    w.params.W.forEach((W, l) => parts.push(W.data, w.params.b[l]!.data));
    const body = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      body.set(p, at);
      at += p.length;
    }
    // Float64Array is little-endian on every platform node runs on, as the reader expects.
    writeFileSync(file, Buffer.concat([Buffer.from(header), Buffer.from(body.buffer)]));
    const r = spawnSync(python, [script, file], { encoding: 'utf8', env: numpyEnv(), maxBuffer: 1 << 24 });
    if (r.error || r.status !== 0) {
      const why = r.error ? r.error.message : r.stderr.trim().split('\n').slice(-3).join(' ');
      throw new Error(`the numpy reference (${python} ${script}) failed: ${why}. It needs Python 3 with numpy; set BACKPROP_MAP_PYTHON to use another interpreter.`);
    }
    return JSON.parse(r.stdout) as NumpyResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
