/** A .wat file, assembled by the build (scripts/build.mjs) into one module per number type. */
declare module '*.wat' {
  export const f64: Uint8Array<ArrayBuffer>;
  export const f32: Uint8Array<ArrayBuffer>;
}
