/**
 * "One thread or two": where a second thread starts to pay. On W3's network (30→16→1) at growing
 * m, the same engine layout (the batch summed in two lanes) runs on one thread, on two with the
 * worker taking every batch (secondThread 'always'), and on two as the engine runs by default
 * (adaptive), alternating in rounds so that all see the same load, medians of the rounds, and
 * beside them the best round of one and of two threads: on a machine busy with other work, the
 * best rounds are those in which both cores were free. The engine's PARALLEL_WORK should sit
 * where 'always' stays faster than one thread from there on.
 */
import { FastEngine, PARALLEL_WORK } from '../../src/core/fast/engine';
import { cloneParameters } from '../../src/core/network';
import { median } from './timing';
import { growthWorkload } from './workloads';

const M = [64, 128, 256, 569, 1024, 2048, 4096, 8192];
export const ROUNDS = 21;

export interface ThreadRow {
  m: number;
  /** Multiply-adds per batch (full batch): m · Σ n_l·n_(l−1). */
  work: number;
  oneUs: number;
  twoUs: number;
  oneBestUs: number;
  twoBestUs: number;
  adaptiveUs: number;
  /** Share of the adaptive engine's batches that the worker ran. */
  adaptiveByWorker: number;
}

export function measureThreads(learningRate: number, log: (s: string) => void): ThreadRow[] {
  const rows: ThreadRow[] = [];
  for (const m of M) {
    log(`threads: m = ${m} …`);
    const w = growthWorkload(m);
    const engines = [
      new FastEngine(cloneParameters(w.params), w.X, w.Y, { threads: 1, parallelWork: 0 }),
      new FastEngine(cloneParameters(w.params), w.X, w.Y, { threads: 2, parallelWork: 0, secondThread: 'always' }),
      new FastEngine(cloneParameters(w.params), w.X, w.Y, { threads: 2, parallelWork: 0 }),
    ];
    try {
      if (engines[1]!.threads !== 2) return rows; // one core: nothing to compare
      // ~1 ms per sample, after a warm-up.
      const k = Math.max(4, Math.round(200_000 / m));
      for (const e of engines) for (let i = 0; i < 3 * k; i++) e.epoch(learningRate);
      const samples: number[][] = [[], [], []];
      const before = { ...engines[2]!.laneStats! };
      for (let r = 0; r < ROUNDS; r++) {
        engines.forEach((e, i) => {
          const t = process.hrtime.bigint();
          for (let j = 0; j < k; j++) e.epoch(learningRate);
          samples[i]!.push(Number(process.hrtime.bigint() - t) / 1e3 / k);
        });
      }
      const after = engines[2]!.laneStats!;
      const batches = after.offered + after.paused - before.offered - before.paused;
      rows.push({
        m, work: m * (30 * 16 + 16), oneUs: median(samples[0]!), twoUs: median(samples[1]!), oneBestUs: Math.min(...samples[0]!), twoBestUs: Math.min(...samples[1]!),
        adaptiveUs: median(samples[2]!), adaptiveByWorker: (after.byWorker - before.byWorker) / batches,
      });
    } finally {
      for (const e of engines) e.dispose();
    }
  }
  return rows;
}

/** The least work of the table from which on two threads were faster in every row; null if none. */
export function measuredThreshold(rows: readonly ThreadRow[], faster: (r: ThreadRow) => boolean): number | null {
  let from: number | null = null;
  for (const r of rows) {
    if (faster(r)) from ??= r.work;
    else from = null;
  }
  return from;
}

export function threadTable(rows: readonly ThreadRow[]): string[] {
  const out = [
    '| m | multiply-adds per batch | 1 thread µs | 2 threads µs | speed-up | best 1 thread µs | best 2 threads µs | speed-up | default (adaptive) µs | speed-up | batches on the worker |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    out.push(`| ${r.m.toLocaleString('en')} | ${r.work.toLocaleString('en')} | ${r.oneUs.toFixed(1)} | ${r.twoUs.toFixed(1)} | ${(r.oneUs / r.twoUs).toFixed(2)} | ` +
      `${r.oneBestUs.toFixed(1)} | ${r.twoBestUs.toFixed(1)} | ${(r.oneBestUs / r.twoBestUs).toFixed(2)} | ` +
      `${r.adaptiveUs.toFixed(1)} | ${(r.oneUs / r.adaptiveUs).toFixed(2)} | ${(100 * r.adaptiveByWorker).toFixed(0)}% |`);
  }
  const from = (t: number | null): string => (t === null ? 'no size in this table' : `${t.toLocaleString('en')} multiply-adds per batch on`);
  out.push('', `Two threads were faster from ${from(measuredThreshold(rows, (r) => r.twoUs < r.oneUs))} (medians), from ${from(measuredThreshold(rows, (r) => r.twoBestUs < r.oneBestUs))} (best rounds); ` +
    `the engine's threshold (PARALLEL_WORK) is ${PARALLEL_WORK.toLocaleString('en')}.`);
  return out;
}
