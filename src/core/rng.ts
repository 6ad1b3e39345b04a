/**
 * A seeded random generator that gives the same numbers, bit for bit, on every machine:
 * sfc32 (a small, fast 32-bit counter generator) on integer arithmetic only, seeded through
 * splitmix32 so that neighbouring seeds (1, 2, 3 …) start far apart.
 * Math.random() is not used anywhere, because it cannot be seeded. The normal numbers also use
 * Math.log, Math.sin and Math.cos, which V8 (Node, Electron, Chromium) computes with its own
 * portable library rather than the platform's, so they too are the same on every machine.
 */
export interface Rng {
  /** Uniform in [0, 1), with 53 random bits. */
  uniform(): number;
  /** Standard normal N(0, 1), by the Box–Muller transform. */
  normal(): number;
  /** Uniform integer in 0 … n−1. */
  int(n: number): number;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * `seed` may be any finite number; its integer part (below 2^53 in size) and sign pick the stream.
 * `stream` gives further independent streams for the same seed, e.g. one per training epoch, so
 * that epoch e's shuffle depends on (seed, e) only and a run continued later equals one run.
 */
export function createRng(seed: number, stream = 0): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (!Number.isInteger(stream) || stream < 0 || stream >= TWO_POW_32) throw new RangeError(`stream must be an integer in 0 … 2^32−1, got ${stream}`);
  const whole = Math.trunc(Math.abs(seed));
  const low = whole % TWO_POW_32;
  const high = (Math.floor(whole / TWO_POW_32) ^ (seed < 0 ? 0x80000000 : 0)) >>> 0;
  const mix = splitmix32(low);
  let a = (mix() ^ high) >>> 0;
  let b = (mix() ^ stream) >>> 0;
  let c = mix();
  let d = 1;

  function next32(): number {
    d = (d + 1) >>> 0;
    const t = (((a + b) >>> 0) + d) >>> 0;
    a = (b ^ (b >>> 9)) >>> 0;
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  }
  // Let the state mix before the first output is used.
  for (let i = 0; i < 12; i++) next32();

  function uniform(): number {
    const hi = next32() >>> 5; // 27 bits
    const lo = next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  // Box–Muller gives normals in pairs; the second one is kept for the next call.
  let spare: number | null = null;
  function normal(): number {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const u1 = 1 - uniform(); // (0, 1], so the logarithm is finite
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  function int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`int(n) needs a positive integer n, got ${n}`);
    return Math.floor(uniform() * n);
  }

  return { uniform, normal, int };
}

/**
 * The generator of epoch `epoch`'s mini-batch order. A run continued from a model file may number
 * its epochs beyond the 2^32 streams; those wrap around, which only repeats an order from long ago.
 */
export function epochRng(seed: number, epoch: number): Rng {
  return createRng(seed, epoch % TWO_POW_32);
}

/** The indices 0 … m−1 in random order (Fisher–Yates). */
export function shuffledIndices(m: number, rng: Rng): Uint32Array {
  const idx = new Uint32Array(m);
  for (let i = 0; i < m; i++) idx[i] = i;
  for (let i = m - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx;
}
