/** The core's ways to train, as the benchmark runs them: each from a copy of the workload's parameters. */
import { FastEngine } from '../../src/core/fast/engine';
import { cloneParameters } from '../../src/core/network';
import { train } from '../../src/core/train';
import type { Workload } from './workloads';

export type CoreVariant = 'readable' | 'fast-float64' | 'fast-float32';

/** A session of full-batch training that runs k more epochs per call and returns their costs. */
export function coreSession(w: Workload, variant: CoreVariant, learningRate: number): (k: number) => number[] {
  const params = cloneParameters(w.params);
  if (variant === 'readable') {
    let done = 0;
    return (k) => {
      const r = train(params, w.X, w.Y, { learningRate, epochs: k, batchSize: null, seed: 1, startEpoch: done });
      if (r.reason !== 'completed') throw new Error(`${w.id} ${variant}: training stopped (${r.reason}): ${r.message ?? ''}`);
      done = r.epochs;
      return r.costs;
    };
  }
  const engine = new FastEngine(params, w.X, w.Y, { dtype: variant === 'fast-float32' ? 'float32' : 'float64' });
  return (k) => {
    const costs: number[] = [];
    for (let e = 0; e < k; e++) costs.push(engine.epoch(learningRate).costSum / w.X.cols);
    return costs;
  };
}
