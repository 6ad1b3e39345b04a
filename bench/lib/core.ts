/** The core's ways to train, as the benchmark runs them, each from a copy of the workload's parameters. */
import { type DType, FastEngine } from '../../src/core/fast/engine';
import type { KernelKind } from '../../src/core/fast/kernelChoice';
import { cloneParameters } from '../../src/core/network';
import { train } from '../../src/core/train';
import type { Workload } from './workloads';

/** The fast variants run the kernels the engine chooses; "-plain" the plain SIMD ones (no fused multiply-add). */
export type CoreVariant = 'readable' | 'fast-float64' | 'fast-float32' | 'fast-float64-plain';

const dtypeOf = (v: CoreVariant): DType => (v === 'fast-float32' ? 'float32' : 'float64');
const kernelsOf = (v: CoreVariant): { kernels?: KernelKind } => (v === 'fast-float64-plain' ? { kernels: 'simd' } : {});

/** The costs of the first n epochs of full-batch training by train(): what a user gets. */
export function coreCosts(w: Workload, variant: CoreVariant, learningRate: number, n: number): number[] {
  const params = cloneParameters(w.params);
  const engine = variant === 'readable' ? { engine: 'reference' as const } : { dtype: dtypeOf(variant) };
  return train(params, w.X, w.Y, { learningRate, epochs: n, batchSize: null, seed: 1, ...engine }).costs;
}

/**
 * Runs k more epochs per call: the readable path through train(), the fast engine directly, so
 * that its one-off setup (copying X into tiles, starting the worker) is not counted per epoch,
 * just as numpy's epoch function is timed without its setup.
 */
export interface CoreTimer {
  run: (k: number) => void;
  threads: number;
  /** The fast engine's kernels; null for the readable path. */
  kernels: KernelKind | null;
  /** The share of the batches offered to the second thread that it ran so far (null: one thread). */
  workerShare: () => number | null;
  dispose: () => void;
}

export function coreTimer(w: Workload, variant: CoreVariant, learningRate: number): CoreTimer {
  const params = cloneParameters(w.params);
  if (variant === 'readable') {
    let done = 0;
    const run = (k: number): void => {
      done = train(params, w.X, w.Y, { learningRate, epochs: k, batchSize: null, seed: 1, startEpoch: done, engine: 'reference' }).epochs;
    };
    return { run, threads: 1, kernels: null, workerShare: () => null, dispose: () => {} };
  }
  const engine = new FastEngine(params, w.X, w.Y, { dtype: dtypeOf(variant), ...kernelsOf(variant) });
  const run = (k: number): void => {
    for (let e = 0; e < k; e++) engine.epoch(learningRate);
  };
  const workerShare = (): number | null => {
    const s = engine.laneStats;
    return s === null ? null : s.byWorker / Math.max(1, s.offered + s.paused);
  };
  return { run, threads: engine.threads, kernels: engine.kernels, workerShare, dispose: () => engine.dispose() };
}
