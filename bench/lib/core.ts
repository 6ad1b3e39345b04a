/** The core's ways to train, as the benchmark runs them, each from a copy of the workload's parameters. */
import { type DType, FastEngine } from '../../src/core/fast/engine';
import { cloneParameters } from '../../src/core/network';
import { train } from '../../src/core/train';
import type { Workload } from './workloads';

export type CoreVariant = 'readable' | 'fast-float64' | 'fast-float32';

const dtypeOf = (v: CoreVariant): DType => (v === 'fast-float32' ? 'float32' : 'float64');

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
  dispose: () => void;
}

export function coreTimer(w: Workload, variant: CoreVariant, learningRate: number): CoreTimer {
  const params = cloneParameters(w.params);
  if (variant === 'readable') {
    let done = 0;
    const run = (k: number): void => {
      done = train(params, w.X, w.Y, { learningRate, epochs: k, batchSize: null, seed: 1, startEpoch: done, engine: 'reference' }).epochs;
    };
    return { run, threads: 1, dispose: () => {} };
  }
  const engine = new FastEngine(params, w.X, w.Y, { dtype: dtypeOf(variant) });
  const run = (k: number): void => {
    for (let e = 0; e < k; e++) engine.epoch(learningRate);
  };
  return { run, threads: engine.threads, dispose: () => engine.dispose() };
}
