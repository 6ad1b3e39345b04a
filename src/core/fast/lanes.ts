/**
 * The work of one thread ("lane") of the fast engine: forward run, loss and (when `learn`) backward
 * run over a range of tiles, adding to the lane's own gradient sums. The main thread is lane 0; a worker
 * thread on the second core is lane 1. Both run this same function: the worker gets its source
 * text (Function.prototype.toString), so it must not refer to anything outside itself.
 *
 * Everything it needs is in the shared WebAssembly memory, described by a table of 32-bit
 * integers at index `lay` (see FastEngine's constructor, which writes it):
 *   L, n_0 … n_L, wAt[1…L], bAt[1…L], aAt[1…L], dzAt[1…L], gradDelta, laneStride, gradStride,
 *   atAt, tiles, results
 * byte offsets of W^[l], b^[l] and lane 0's tile buffers A^[l] (A^[L] holds Z^[L]), dZ^[l] and Aᵀ;
 * lane i's buffers are laneStride·i bytes further, its gradients gradDelta + gradStride·i bytes
 * from the parameters; `tiles` indexes 4 integers per tile (x, labels, count, T), `results` indexes
 * 4 float64 per lane (Σ loss, its compensation, number correct, number predicted 1), which this function
 * continues to add to.
 *
 * On one lane, float64 results are the readable path's bit for bit: every sum runs over the
 * examples in their order (the kernels see to it within a tile; the loss is summed here, tile
 * after tile), and σ, the loss and dZ^[L] are the same expressions as in network.ts.
 */
// `k` is the kernels' exports; `mem` the memory as the engine's number type.
export function processTiles(
  k: { dense_fwd: (...a: number[]) => void; dense_bwd_dx: (...a: number[]) => void; dense_bwd_dw: (...a: number[]) => void; transpose: (...a: number[]) => void },
  mem: Float64Array | Float32Array,
  i32: Int32Array,
  f64: Float64Array,
  lay: number,
  lane: number,
  first: number,
  end: number,
  learn: boolean,
): void {
  const E = mem.BYTES_PER_ELEMENT;
  const L = i32[lay]!;
  const dims = lay + 1, wAt = dims + L + 1, bAt = wAt + L, aAt = bAt + L, dzAt = aAt + L, rest = dzAt + L;
  const laneOff = lane * i32[rest + 1]!;
  const gradOff = i32[rest]! + lane * i32[rest + 2]!;
  const at = i32[rest + 3]! + laneOff, tiles = i32[rest + 4]!, r = i32[rest + 5]! + 4 * lane;
  // Σ loss with Neumaier's compensation, as computeCostFromLogits sums it.
  let sum = f64[r]!, lost = f64[r + 1]!, correct = f64[r + 2]!, positive = f64[r + 3]!;
  for (let t = first; t < end; t++) {
    const x = i32[tiles + 4 * t]!, y = i32[tiles + 4 * t + 1]! / E, count = i32[tiles + 4 * t + 2]!, T = i32[tiles + 4 * t + 3]!;
    // Forward: A^[0] of the tile is its slice of X; A^[l] = relu(W^[l]·A^[l−1] + b^[l]); Z^[L].
    for (let l = 1; l <= L; l++) {
      k.dense_fwd(i32[wAt + l - 1]!, i32[bAt + l - 1]!, l === 1 ? x : i32[aAt + l - 2]! + laneOff, i32[aAt + l - 1]! + laneOff, i32[dims + l]!, i32[dims + l - 1]!, T, l < L ? 1 : 0);
    }
    // Output layer here, where exp and log are: A = σ(Z) as sigmoid(), the loss from the logits
    // as computeCostFromLogits, dZ^[L] = A − Y as outputDZ, 0 in the padding columns.
    const z0 = (i32[aAt + L - 1]! + laneOff) / E, d0 = (i32[dzAt + L - 1]! + laneOff) / E;
    for (let j = 0; j < count; j++) {
      const z = mem[z0 + j]!, yj = mem[y + j]!;
      // e^−z and e^−|z| are one exponential when z ≥ 0.
      const eNeg = Math.exp(-z);
      const a = 1 / (1 + eNeg);
      const loss = Math.max(z, 0) - z * yj + Math.log1p(z >= 0 ? eNeg : Math.exp(z));
      const t = sum + loss;
      lost += Math.abs(sum) >= Math.abs(loss) ? sum - t + loss : loss - t + sum;
      sum = t;
      if (a > 0.5 === (yj === 1)) correct++;
      if (a > 0.5) positive++;
      mem[d0 + j] = a - yj;
    }
    if (!learn) continue;
    mem.fill(0, d0 + count, d0 + T);
    // Backward: dW^[l] += dZ^[l]·A^[l−1]ᵀ, db^[l] += Σ dZ^[l]; dZ^[l−1] = W^[l]ᵀ·dZ^[l] * [A^[l−1] > 0].
    for (let l = L; l >= 1; l--) {
      const Aprev = l === 1 ? x : i32[aAt + l - 2]! + laneOff;
      k.transpose(Aprev, at, i32[dims + l - 1]!, T, count);
      k.dense_bwd_dw(i32[dzAt + l - 1]! + laneOff, at, i32[wAt + l - 1]! + gradOff, i32[bAt + l - 1]! + gradOff, i32[dims + l]!, i32[dims + l - 1]!, T, count);
      if (l > 1) k.dense_bwd_dx(i32[wAt + l - 1]!, i32[dzAt + l - 1]! + laneOff, Aprev, i32[dzAt + l - 2]! + laneOff, i32[dims + l]!, i32[dims + l - 1]!, T);
    }
  }
  f64[r] = sum;
  f64[r + 1] = lost;
  f64[r + 2] = correct;
  f64[r + 3] = positive;
}

/**
 * Control words (indices into the Int32Array over the memory) shared by the main thread and the
 * worker: a command counter, the tile range of the current command (first = −1: stop), and the
 * counter of the last command done (−1: the worker failed).
 */
export interface Control {
  gen: number;
  first: number;
  end: number;
  done: number;
}

/**
 * The worker's program: instantiate the kernels on the shared memory, then run commands as they
 * come. It is evaluated from text, so it receives processTiles' source.
 */
export function workerSource(): string {
  return `
const { workerData } = require('node:worker_threads');
const processTiles = ${processTiles.toString()};
const { module, memory, dtype, lay, control: c } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const mem = dtype === 'float64' ? new Float64Array(memory.buffer) : new Float32Array(memory.buffer);
const i32 = new Int32Array(memory.buffer);
const f64 = new Float64Array(memory.buffer);
let seen = 0;
for (;;) {
  Atomics.wait(i32, c.gen, seen);
  seen = Atomics.load(i32, c.gen);
  const first = i32[c.first];
  if (first < 0) break;
  try {
    processTiles(k, mem, i32, f64, lay, 1, first, i32[c.end], true);
    Atomics.store(i32, c.done, seen);
  } catch (e) {
    Atomics.store(i32, c.done, -1);
    Atomics.notify(i32, c.done);
    throw e;
  }
  Atomics.notify(i32, c.done);
}
`;
}
