/**
 * A .wat file (the engine's kernels, the benchmark's peak measurement), assembled by the build
 * (scripts/build.mjs) into one module per number type, with separate multiply and add (f64, f32)
 * and with relaxed SIMD's fused multiply-add (…Relaxed).
 */
declare module '*.wat' {
  export const f64: Uint8Array<ArrayBuffer>;
  export const f32: Uint8Array<ArrayBuffer>;
  export const f64Relaxed: Uint8Array<ArrayBuffer>;
  export const f32Relaxed: Uint8Array<ArrayBuffer>;
}
