/**
 * The fast training engine: the same forward run, cost, backward run and update as network.ts,
 * computed so that an epoch allocates nothing and the arithmetic runs in WebAssembly SIMD
 * (kernels.wat).
 *
 * How it differs from the readable path, and why:
 * - The examples are cut into tiles of T columns (T a multiple of 8). A tile goes through all
 *   layers forward and back while its activations are still in the processor's cache; only the
 *   gradient sums are kept across tiles. The full Z^[l] and A^[l] (n_l × m) are never stored.
 * - Bias and ReLU are applied inside the product that computes Z^[l]; the mask [Z^[l] > 0] inside
 *   the product W^[l+1]ᵀ·dZ^[l+1]; Wᵀ and Aᵀ are never formed.
 * - 1/m is applied once, in the update, which runs over all parameters in one pass.
 * - Parameters, gradients and tiles live in one WebAssembly memory sized once, at construction.
 * In float64 the results equal the readable path's up to rounding (the sums run in another order);
 * test/perf pins that down.
 */
import type { Matrix } from '../matrix';
import type { Parameters } from '../network';
import { f32 as f32Bytes, f64 as f64Bytes } from './kernels.wat';

export type DType = 'float64' | 'float32';

export interface FastEngineOptions {
  /** Examples per gradient step; ≥ m (the default) is the notes' full batch. */
  batchSize?: number;
  /** 'float64' (the default) or 'float32', the number type of parameters and activations. */
  dtype?: DType;
  /** Columns per tile, rounded up to a multiple of 8; by default sized to the processor's cache. */
  tile?: number;
}

/** What one epoch gives back, in the terms of train(): reused from epoch to epoch. */
export interface EpochSums {
  /** Σ over batches of (batch cost · batch size), batch cost J from the logits as computeCostFromLogits. */
  costSum: number;
  /** Examples with (σ(z) > 0.5) === (y === 1). */
  correct: number;
  /** Σ over batches of ‖dW^[l]‖_F, one entry per layer. */
  gradNormSums: Float64Array;
  /** Batches completed (their updates applied). */
  batches: number;
  /** False when a batch's cost was not finite; that batch's update was then not applied. */
  finite: boolean;
}

interface Kernels {
  dense_fwd(W: number, b: number, X: number, O: number, nOut: number, nIn: number, T: number, relu: number): void;
  dense_bwd_dx(W: number, dZ: number, Ap: number, dZp: number, nOut: number, nIn: number, T: number): void;
  dense_bwd_dw(dZ: number, Ap: number, dW: number, db: number, nOut: number, nIn: number, T: number): void;
  update(theta: number, grad: number, n: number, scale: number): void;
}

interface Tile {
  /** First column (position in the epoch's order) and number of real columns. */
  from: number;
  count: number;
  /** Columns stored, count rounded up to a multiple of 8; the padding columns are zero. */
  T: number;
  /** Byte offset of the tile's X (n_x × T). */
  x: number;
  /** Offset of the tile's labels in `labels`. */
  y: number;
}

interface Batch {
  size: number;
  tiles: Tile[];
}

const compiled = new Map<DType, WebAssembly.Module>();
function moduleFor(dtype: DType): WebAssembly.Module {
  let m = compiled.get(dtype);
  if (m === undefined) {
    m = new WebAssembly.Module(dtype === 'float64' ? f64Bytes : f32Bytes);
    compiled.set(dtype, m);
  }
  return m;
}

const PAGE = 65536;
const roundUp = (n: number, k: number): number => Math.ceil(n / k) * k;

/**
 * Tile width: the tile's X, activations and dZ (Σ rows · T numbers) should stay within about
 * 192 KiB, half of a typical per-core L2 cache, so that W and dW have room beside them.
 */
function defaultTile(layerDims: readonly number[], elementBytes: number): number {
  const rows = layerDims[0]! + 2 * layerDims.slice(1).reduce((s, n) => s + n, 0);
  return Math.max(64, Math.min(1024, roundUp(Math.floor((192 * 1024) / (rows * elementBytes)), 8)));
}

export class FastEngine {
  readonly dtype: DType;
  readonly layerDims: readonly number[];
  private readonly L: number;
  private readonly m: number;
  private readonly E: number;
  private readonly k: Kernels;
  /** The whole memory as numbers of the engine's type; index = byte offset / E. */
  private readonly mem: Float64Array | Float32Array;
  private readonly X: Matrix;
  private readonly Y: Matrix;
  /** Byte offsets: parameters θ = [W^[1], b^[1], W^[2], …] and their gradients in the same layout. */
  private readonly theta: number;
  private readonly grad: number;
  private readonly P: number;
  private readonly wAt: number[] = [];
  private readonly bAt: number[] = [];
  /** Byte offsets of the tile buffers A^[l] (A[L] holds Z^[L]) and dZ^[l], l = 1 … L, at 1 … L. */
  private readonly aAt: number[] = [0];
  private readonly dzAt: number[] = [0];
  private readonly batches: Batch[] = [];
  private readonly labels: Float64Array;
  /** Whether the tiles hold the examples in their given order (null) or in a shuffled one. */
  private tilesInOrder = false;
  private readonly sums: EpochSums;

  constructor(params: Parameters, X: Matrix, Y: Matrix, options: FastEngineOptions = {}) {
    this.dtype = options.dtype ?? 'float64';
    this.E = this.dtype === 'float64' ? 8 : 4;
    this.layerDims = [params.W[0]!.cols, ...params.W.map((w) => w.rows)];
    this.L = params.W.length;
    this.m = X.cols;
    this.X = X;
    this.Y = Y;
    const dims = this.layerDims;
    if (dims[this.L] !== 1) throw new RangeError(`the fast engine trains a binary classifier with one output unit, got ${dims[this.L]}`);
    if (X.rows !== dims[0] || Y.rows !== 1 || Y.cols !== X.cols || X.cols === 0) {
      throw new RangeError(`X (${X.rows} × ${X.cols}) and Y (${Y.rows} × ${Y.cols}) do not fit a network with n_x = ${dims[0]}`);
    }
    const batchSize = Math.min(options.batchSize ?? this.m, this.m);
    const tileMax = roundUp(Math.max(8, options.tile ?? defaultTile(dims, this.E)), 8);

    // Lay out the memory with a bump allocator; 64-byte alignment keeps vectors within cache lines.
    let top = 64;
    const alloc = (numbers: number): number => {
      const at = top;
      top = roundUp(top + numbers * this.E, 64);
      return at;
    };
    let P = 0;
    const offsets: [number, number][] = [];
    for (let l = 1; l <= this.L; l++) {
      offsets.push([P, P + dims[l]! * dims[l - 1]!]);
      P += dims[l]! * (dims[l - 1]! + 1);
    }
    this.P = P;
    this.theta = alloc(P);
    this.grad = alloc(P);
    for (const [w, b] of offsets) {
      this.wAt.push(this.theta + w * this.E);
      this.bAt.push(this.theta + b * this.E);
    }
    // Batches of consecutive columns of the epoch's order, each cut into tiles of nearly equal width.
    let labelCount = 0;
    for (let from = 0; from < this.m; from += batchSize) {
      const size = Math.min(batchSize, this.m - from);
      const nTiles = Math.ceil(size / tileMax);
      const tiles: Tile[] = [];
      for (let t = 0, start = from; t < nTiles; t++) {
        const count = Math.ceil((from + size - start) / (nTiles - t));
        const T = roundUp(count, 8);
        tiles.push({ from: start, count, T, x: alloc(dims[0]! * T), y: labelCount });
        labelCount += T;
        start += count;
      }
      this.batches.push({ size, tiles });
    }
    this.labels = new Float64Array(labelCount);
    for (let l = 1; l <= this.L; l++) {
      this.aAt.push(alloc(dims[l]! * tileMax));
      this.dzAt.push(alloc(dims[l]! * tileMax));
    }

    const pages = Math.ceil(top / PAGE);
    if (pages > 65536) throw new RangeError(`the data needs ${Math.ceil(top / 2 ** 20)} MiB in the fast engine, more than its 4 GiB`);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const instance = new WebAssembly.Instance(moduleFor(this.dtype), { env: { memory } });
    this.k = instance.exports as unknown as Kernels;
    this.mem = this.dtype === 'float64' ? new Float64Array(memory.buffer) : new Float32Array(memory.buffer);
    this.sums = { costSum: 0, correct: 0, gradNormSums: new Float64Array(this.L), batches: 0, finite: true };
    this.load(params);
  }

  /** Takes the parameters' values (e.g. after a reset); the engine's own copy is what it trains. */
  load(params: Parameters): void {
    for (let l = 0; l < this.L; l++) {
      this.mem.set(params.W[l]!.data, this.wAt[l]! / this.E);
      this.mem.set(params.b[l]!.data, this.bAt[l]! / this.E);
    }
  }

  /** Writes the engine's parameters into `params` (same shapes). */
  store(params: Parameters): void {
    for (let l = 0; l < this.L; l++) {
      const W = params.W[l]!.data, b = params.b[l]!.data;
      W.set(this.mem.subarray(this.wAt[l]! / this.E, this.wAt[l]! / this.E + W.length));
      b.set(this.mem.subarray(this.bAt[l]! / this.E, this.bAt[l]! / this.E + b.length));
    }
  }

  /** Copies the examples into the tiles in the order `order` (positions → column of X), or as given. */
  private fill(order: ArrayLike<number> | null): void {
    const nx = this.layerDims[0]!, m = this.m, X = this.X.data, Y = this.Y.data, mem = this.mem, E = this.E;
    for (const batch of this.batches) {
      for (const t of batch.tiles) {
        const base = t.x / E;
        for (let j = 0; j < t.T; j++) {
          const real = j < t.count;
          const col = real ? (order === null ? t.from + j : order[t.from + j]!) : 0;
          this.labels[t.y + j] = real ? Y[col]! : 0;
          for (let i = 0; i < nx; i++) mem[base + i * t.T + j] = real ? X[i * m + col]! : 0;
        }
      }
    }
    this.tilesInOrder = order === null;
  }

  /**
   * One epoch: for each batch, the forward and backward run over its tiles, then
   * θ := θ − α·dθ. `order` is the epoch's order of the examples (null: as given). A batch whose
   * cost is not finite stops the epoch before its update (EpochSums.finite = false).
   */
  epoch(learningRate: number, order: ArrayLike<number> | null = null): EpochSums {
    if (order !== null || !this.tilesInOrder) this.fill(order);
    const s = this.sums;
    s.costSum = 0;
    s.correct = 0;
    s.gradNormSums.fill(0);
    s.batches = 0;
    s.finite = true;
    for (const batch of this.batches) {
      let lossSum = 0;
      for (const t of batch.tiles) lossSum += this.tile(t);
      const cost = lossSum / batch.size;
      if (!Number.isFinite(cost)) {
        s.finite = false;
        return s;
      }
      s.costSum += cost * batch.size;
      this.addGradNorms(batch.size);
      this.k.update(this.theta, this.grad, this.P, -learningRate / batch.size);
      s.batches++;
    }
    return s;
  }

  /** Forward and backward run of one tile; adds its gradient sums and returns Σ of its losses. */
  private tile(t: Tile): number {
    const { k, L, layerDims: dims, aAt, dzAt } = this;
    // A^[0] of the tile is its slice of X.
    for (let l = 1; l <= L; l++) k.dense_fwd(this.wAt[l - 1]!, this.bAt[l - 1]!, l === 1 ? t.x : aAt[l - 1]!, aAt[l]!, dims[l]!, dims[l - 1]!, t.T, l < L ? 1 : 0);

    // Output layer in JavaScript, which has exp and log: A = σ(Z), the loss from the logits as in
    // computeCostFromLogits, dZ^[L] = A − Y, and 0 in the padding columns so that they add nothing.
    const mem = this.mem, z0 = aAt[L]! / this.E, d0 = dzAt[L]! / this.E, Y = this.labels;
    let loss = 0, correct = 0;
    for (let j = 0; j < t.count; j++) {
      const z = mem[z0 + j]!, y = Y[t.y + j]!;
      const a = 1 / (1 + Math.exp(-z));
      loss += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      if ((a > 0.5) === (y === 1)) correct++;
      mem[d0 + j] = a - y;
    }
    mem.fill(0, d0 + t.count, d0 + t.T);
    this.sums.correct += correct;

    for (let l = L; l >= 1; l--) {
      const gW = this.grad + (this.wAt[l - 1]! - this.theta), gb = this.grad + (this.bAt[l - 1]! - this.theta);
      k.dense_bwd_dw(dzAt[l]!, l === 1 ? t.x : aAt[l - 1]!, gW, gb, dims[l]!, dims[l - 1]!, t.T);
      if (l > 1) k.dense_bwd_dx(this.wAt[l - 1]!, dzAt[l]!, aAt[l - 1]!, dzAt[l - 1]!, dims[l]!, dims[l - 1]!, t.T);
    }
    return loss;
  }

  /** ‖dW^[l]‖_F = ‖Σ‖_F / batch size, from the summed gradients before the update clears them. */
  private addGradNorms(batchSize: number): void {
    for (let l = 0; l < this.L; l++) {
      const from = (this.grad + (this.wAt[l]! - this.theta)) / this.E;
      const to = from + this.layerDims[l + 1]! * this.layerDims[l]!;
      let sq = 0;
      for (let i = from; i < to; i++) sq += this.mem[i]! * this.mem[i]!;
      this.sums.gradNormSums[l]! += Math.sqrt(sq) / batchSize;
    }
  }
}
