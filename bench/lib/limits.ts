/**
 * The machine's limits as WebAssembly sees them, measured here (bench/peak.wat) rather than taken
 * from a nominal clock: the clock the core runs at (16 dependent integer adds take 16 cycles),
 * and the most floating-point operations per second of 128-bit SIMD with ten independent sums,
 * with the fused multiply-add of relaxed SIMD and with a separate multiply and add. Each figure is
 * the best of many short runs, so that a busy machine lowers it as little as possible.
 */
import { runtimeKernels } from '../../src/core/fast/kernelChoice';
import * as peak from '../peak.wat';

interface Peak {
  clock: (n: number, step: bigint) => bigint;
  madd: (n: number, a: number, b: number) => number;
}

export interface Limits {
  ghz: number;
  /** GFLOP/s per core: float64 and float32, fused (relaxed SIMD) and with separate multiply and add. */
  fused64: number;
  fused32: number;
  plain64: number;
  plain32: number;
}

const now = (): number => Number(process.hrtime.bigint());

function fastestNs(run: () => void, repeats = 40): number {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t = now();
    run();
    best = Math.min(best, now() - t);
  }
  return best;
}

export function measureLimits(): Limits {
  const relaxed = runtimeKernels().kernels === 'relaxed-simd'; // enables relaxed SIMD where it needs the flag
  const instance = (bytes: Uint8Array<ArrayBuffer>): Peak => new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Peak;
  const plain64 = instance(peak.f64), plain32 = instance(peak.f32);
  const N = 200_000;
  plain64.clock(1000, 1n);
  const ghz = (16 * N) / fastestNs(() => plain64.clock(N, 1n));
  const gflops = (k: Peak, lanes: number): number => {
    k.madd(1000, 0.5, 0.25);
    return (N * 10 * lanes * 2) / fastestNs(() => k.madd(N, 0.5, 0.25));
  };
  const p64 = gflops(plain64, 2), p32 = gflops(plain32, 4);
  return {
    ghz,
    plain64: p64,
    plain32: p32,
    fused64: relaxed ? gflops(instance(peak.f64Relaxed), 2) : NaN,
    fused32: relaxed ? gflops(instance(peak.f32Relaxed), 4) : NaN,
  };
}
