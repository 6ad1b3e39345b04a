/**
 * Which kernels this runtime runs, chosen once per process: relaxed SIMD's fused multiply-add
 * (f64x2.relaxed_madd, f32x4.relaxed_madd) where the runtime validates it, else the plain SIMD
 * kernels (a multiply, then an add). VS Code's Electron and Node ≥ 22 validate relaxed SIMD as
 * they are; Node 20 has it behind a V8 flag, which is set here only where validation fails
 * without it. The engine runs in Node only (the command line, the extension's training worker);
 * the panel's webview never trains.
 *
 * What changes with the fused kernels: each product term is added to its sum with one rounding
 * instead of two, so float64 results are no longer the readable core's bit for bit; they agree to
 * a relative 1e-12 (test/perf). The sums run over the same terms in the same order as before.
 * BACKPROP_MAP_KERNELS=simd in the environment keeps the plain kernels (the readable core's
 * numbers bit for bit, the same on every machine).
 */
import { setFlagsFromString } from 'node:v8';

export type KernelKind = 'relaxed-simd' | 'simd';

/**
 * A tiny module with one function, (a, b, c) ↦ lane 0 of f64x2.relaxed_madd(splat a, splat b,
 * splat c): the validation probe, and the test whether the runtime really fuses (a·b + c with one
 * rounding) or computes the relaxed instruction as a multiply and an add.
 */
export const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7c, 0x7c, 0x7c, 0x01, 0x7c, // type section: (f64 f64 f64) → f64
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x08, 0x01, 0x04, 0x6d, 0x61, 0x64, 0x64, 0x00, 0x00, // export section: "madd" = function 0
  0x0a, 0x16, 0x01, 0x14, 0x00, // code section: one body of 20 bytes, no locals
  0x20, 0x00, 0xfd, 0x14, // local.get 0, f64x2.splat
  0x20, 0x01, 0xfd, 0x14, // local.get 1, f64x2.splat
  0x20, 0x02, 0xfd, 0x14, // local.get 2, f64x2.splat
  0xfd, 0x87, 0x02, // f64x2.relaxed_madd
  0xfd, 0x21, 0x00, // f64x2.extract_lane 0
  0x0b, // end
]);

/** The V8 flag of Node 20 (V8 11.3) that enables relaxed SIMD. */
const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

/** The environment variable that, set to 'simd', keeps the plain kernels. */
export const KERNELS_ENV = 'BACKPROP_MAP_KERNELS';

export interface KernelChoice {
  kernels: KernelKind;
  /** Whether relaxed_madd rounds once (a fused multiply-add); false with the plain kernels. */
  fused: boolean;
  /** Whether the V8 flag had to be set for relaxed SIMD to validate. */
  flagSet: boolean;
  /** Why the plain kernels run, when they do. */
  reason?: string;
}

let capability: KernelChoice | undefined;

/**
 * The best kernels this runtime can run, found at the first call (before the first kernel
 * compiles: the call may enable relaxed SIMD).
 */
export function runtimeKernels(): KernelChoice {
  capability ??= chooseKernels(RELAXED_PROBE);
  return capability;
}

let chosen: KernelChoice | undefined;

/**
 * The kernels the engine runs by default, chosen once per process: the runtime's best, unless
 * BACKPROP_MAP_KERNELS=simd.
 */
export function kernelChoice(): KernelChoice {
  chosen ??= process.env[KERNELS_ENV] === 'simd' ? { kernels: 'simd', fused: false, flagSet: false, reason: `${KERNELS_ENV}=simd` } : runtimeKernels();
  return chosen;
}

/**
 * Relaxed SIMD if `probe` validates, at once or after setting the V8 flag; else the plain
 * kernels. Exported for the tests, which also give it a module that no runtime validates.
 */
export function chooseKernels(probe: Uint8Array<ArrayBuffer>): KernelChoice {
  let flagSet = false;
  if (!WebAssembly.validate(probe)) {
    try {
      setFlagsFromString(RELAXED_SIMD_FLAG);
      flagSet = true;
    } catch {
      // A runtime that refuses the flag keeps the plain kernels.
    }
    if (!WebAssembly.validate(probe)) return { kernels: 'simd', fused: false, flagSet, reason: 'this runtime does not validate relaxed SIMD' };
  }
  try {
    const { madd } = new WebAssembly.Instance(new WebAssembly.Module(probe)).exports as { madd: (a: number, b: number, c: number) => number };
    // (1 + 2⁻³⁰)(1 − 2⁻³⁰) − 1 = −2⁻⁶⁰ exactly; a separate multiply rounds the product to 1 first.
    const fused = madd(1 + 2 ** -30, 1 - 2 ** -30, -1) === -(2 ** -60);
    return { kernels: 'relaxed-simd', fused, flagSet };
  } catch (e) {
    return { kernels: 'simd', fused: false, flagSet, reason: `relaxed SIMD validates but does not run: ${(e as Error).message}` };
  }
}
