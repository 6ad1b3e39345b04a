// The fast engine equals the readable core bit for bit with the plain SIMD kernels only; relaxed
// SIMD's fused multiply-add agrees to 1e-12 (fast_engine_matches_readable_core.test.ts and
// train_with_fused_kernels_agrees_with_the_reference.test.ts). A test file that pins down bit
// equality calls this at its top, before any engine is made: the choice is made once per process
// (each test file runs in its own), and worker threads started later inherit it.
import { KERNELS_ENV } from '../../src/core/fast/kernelChoice';

export function usePlainKernels(): void {
  process.env[KERNELS_ENV] = 'simd';
}
