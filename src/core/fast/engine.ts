/**
 * The fast training engine: the same forward run, cost, backward run and update as network.ts,
 * computed so that an epoch allocates nothing and the arithmetic runs in WebAssembly SIMD
 * (kernels.wat), on both processor cores for large batches.
 *
 * How it differs from the readable path, and why:
 * - The examples are cut into tiles of T columns (T a multiple of 8). A tile goes through all
 *   layers forward and back while its activations are still in the processor's cache; only the
 *   gradient sums are kept across tiles. The full Z^[l] and A^[l] (n_l × m) are never stored.
 * - Bias and ReLU are applied inside the product that computes Z^[l]; the mask [Z^[l] > 0] inside
 *   the product W^[l+1]ᵀ·dZ^[l+1]; Wᵀ is never formed, and Xᵀ is kept with the tiles.
 * - 1/m is applied once, in the update, which runs over all parameters in one pass.
 * - Where the runtime has relaxed SIMD (kernelChoice.ts), the products use its fused multiply-add.
 * - A batch with enough work (PARALLEL_WORK) is summed in two halves ("lanes", each with its own
 *   tile buffers and gradient sums, lanes.ts), added in a fixed order before the update; a worker
 *   thread on the second core runs one of them.
 * - Parameters, gradients and tiles live in one shared WebAssembly memory sized at construction.
 * With the plain SIMD kernels, in float64, on a batch summed in one lane, the results are the
 * readable path's bit for bit: every sum runs over the same terms in the same order (see
 * kernels.wat and lanes.ts). Fused multiply-adds round once where the readable path rounds twice,
 * and two lanes add their halves at the end: both agree with it to 1e-12 (relative, per parameter,
 * after 100 epochs). The numbers never depend on the number of threads or their timing: one
 * thread runs both lanes in turn and gives the same bits as two. test/perf pins all of it down.
 *
 * Over 400 lines: the tile loop and the plan of the shared memory it indexes are one layout; kept in
 * one file, every offset is defined beside its use.
 */
import { availableParallelism } from 'node:os';
import type { Matrix } from '../matrix';
import type { Parameters } from '../network';
import { type KernelKind, kernelChoice, runtimeKernels } from './kernelChoice';
import * as kernelBytes from './kernels.wat';
import { CONTROL_WORDS, type LaneStats, SecondLane, processTiles } from './lanes';

export type DType = 'float64' | 'float32';

export interface FastEngineOptions {
  /** Examples per gradient step; ≥ m (the default) is the notes' full batch. */
  batchSize?: number;
  /** 'float64' (the default) or 'float32', the number type of parameters and activations. */
  dtype?: DType;
  /** Columns per tile, rounded up to a multiple of 8; by default sized to the processor's cache. */
  tile?: number;
  /** 1 or 2 threads; by default 2 where the machine has two cores or more. */
  threads?: number;
  /**
   * The least work (multiply-adds per batch) whose gradient is summed in two halves, one per
   * lane, which two threads can run at once; default PARALLEL_WORK. The halves are chosen from
   * the work alone, so one thread (running both lanes in turn) and two give the same numbers.
   */
  parallelWork?: number;
  /** 'relaxed-simd' (fused multiply-add) or 'simd'; by default what the runtime has (kernelChoice.ts). */
  kernels?: KernelKind;
  /**
   * 'adaptive' (the default): the second thread takes the batches it can, the main thread runs
   * those it does not begin in time, and offers pause while the second core is busy (lanes.ts).
   * 'always': the second thread runs lane 1 of every batch summed in two, and the main thread waits
   * for it (to measure two threads as such).
   */
  secondThread?: 'adaptive' | 'always';
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
  /** The cost J of the last batch run: the non-finite value when `finite` is false. */
  lastCost: number;
}

interface Kernels {
  dense_fwd(W: number, b: number, X: number, O: number, nOut: number, nIn: number, T: number, relu: number): void;
  dense_bwd_dx(W: number, dZ: number, Ap: number, dZp: number, nOut: number, nIn: number, T: number): void;
  dense_bwd_dw(dZ: number, At: number, dW: number, db: number, nOut: number, nIn: number, T: number, count: number): void;
  transpose(A: number, At: number, n: number, T: number, count: number): void;
  output(Z: number, Y: number, dZ: number, count: number, T: number, res: number): void;
  update(theta: number, grad: number, n: number, inv: number, alpha: number): void;
}

interface Tile {
  /** First column (position in the epoch's order) and number of real columns. */
  from: number;
  count: number;
  /** Columns stored, count rounded up to a multiple of 8; the padding columns are zero. */
  T: number;
  /** Byte offsets of the tile's X (n_x × T), labels (T) and Xᵀ (count × n_x; 0: not kept, see fill()). */
  x: number;
  y: number;
  xt: number;
}

interface Batch {
  size: number;
  /** Tiles first … end−1 of the tile table: lane 1 sums first … split−1, lane 0 split … end−1 (split = first: lane 0 sums all). */
  first: number;
  end: number;
  split: number;
}

/**
 * The least work (multiply-adds per batch: examples × Σ n_l·n_(l−1)) summed in two halves and
 * run on two threads where there are two cores. Below it, handing half of the batch to the second
 * thread and waiting for it costs more than it saves. It comes from `npm run bench`'s table "one
 * thread or two" (the least work from which two threads were faster in every row, on a machine
 * whose second core is free: from 63,488 multiply-adds in one run, from 126,976 in the next, where
 * 63,488 gave 0.85×); measure it again there when the kernels change.
 */
export const PARALLEL_WORK = 120_000;

/** The compiled kernels, one module per number type and kind, compiled once per process. */
const compiled = new Map<string, WebAssembly.Module>();
export function kernelModule(dtype: DType, kernels: KernelKind): WebAssembly.Module {
  const key = `${dtype} ${kernels}`;
  let m = compiled.get(key);
  if (m === undefined) {
    const relaxed = kernels === 'relaxed-simd';
    // The runtime's choice comes first: it may have to enable relaxed SIMD before this compiles.
    if (relaxed && runtimeKernels().kernels !== 'relaxed-simd') throw new RangeError('this JavaScript runtime does not run relaxed SIMD kernels');
    m = new WebAssembly.Module(dtype === 'float64' ? (relaxed ? kernelBytes.f64Relaxed : kernelBytes.f64) : relaxed ? kernelBytes.f32Relaxed : kernelBytes.f32);
    compiled.set(key, m);
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

/** The data do not fit the fast engine's memory; the readable steps can still train on them (float64). */
export class EngineCapacityError extends RangeError {}

export class FastEngine {
  readonly dtype: DType;
  readonly layerDims: readonly number[];
  /** The kernels it runs: relaxed SIMD with fused multiply-add, or plain SIMD. */
  readonly kernels: KernelKind;
  private readonly L: number;
  private readonly m: number;
  private readonly E: number;
  private readonly k: Kernels;
  /** The whole memory as numbers of the engine's type (index = byte offset / E), as int32 and as float64. */
  private readonly mem: Float64Array | Float32Array;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly X: Matrix;
  private readonly Y: Matrix;
  /** Byte offsets: parameters θ = [W^[1], b^[1], W^[2], …], gradients of lane 0 and of lane 1 in the same layout. */
  private readonly theta: number;
  private readonly grad: number;
  private readonly grad1: number;
  private readonly P: number;
  private readonly wAt: number[] = [];
  /** Index of the layout table read by processTiles, and of the per-lane results (float64). */
  private readonly lay: number;
  private readonly results: number;
  private readonly tiles: Tile[] = [];
  private readonly batches: Batch[] = [];
  /** The worker thread running lane 1, while there is one. */
  private lane1: SecondLane | null = null;
  /** Set when lane 1 failed: such an engine is not reused (fits() is false). */
  private broken = false;
  /** The batch in progress. */
  private batch!: Batch;
  /** Whether the tiles hold the examples in their given order (null) or in a shuffled one. */
  private tilesInOrder = false;
  private readonly sums: EpochSums;
  private readonly options: FastEngineOptions;

  constructor(params: Parameters, X: Matrix, Y: Matrix, options: FastEngineOptions = {}) {
    this.options = { ...options };
    this.dtype = options.dtype ?? 'float64';
    this.kernels = options.kernels ?? kernelChoice().kernels;
    const E = (this.E = this.dtype === 'float64' ? 8 : 4);
    const dims = (this.layerDims = [params.W[0]!.cols, ...params.W.map((w) => w.rows)]);
    const L = (this.L = params.W.length);
    this.m = X.cols;
    this.X = X;
    this.Y = Y;
    if (dims[L] !== 1) throw new RangeError(`the fast engine trains a binary classifier with one output unit, got ${dims[L]}`);
    if (X.rows !== dims[0] || Y.rows !== 1 || Y.cols !== X.cols || X.cols === 0) {
      throw new RangeError(`X (${X.rows} × ${X.cols}) and Y (${Y.rows} × ${Y.cols}) do not fit a network with n_x = ${dims[0]}`);
    }
    const batchSize = Math.min(options.batchSize ?? this.m, this.m);
    const tileMax = roundUp(Math.max(8, options.tile ?? defaultTile(dims, E)), 8);
    let macs = 0;
    for (let l = 1; l <= L; l++) macs += dims[l]! * dims[l - 1]!;
    const parallelWork = options.parallelWork ?? PARALLEL_WORK;
    const wantThreads = Math.min(2, options.threads ?? (availableParallelism() >= 2 ? 2 : 1));

    // Lay out the memory with a bump allocator; 64-byte alignment keeps vectors within cache lines.
    let top = 64;
    const alloc = (bytes: number): number => {
      const at = top;
      top = roundUp(top + bytes, 64);
      return at;
    };
    const bAt: number[] = [];
    let P = 0;
    const offsets: [number, number][] = [];
    for (let l = 1; l <= L; l++) {
      offsets.push([P, P + dims[l]! * dims[l - 1]!]);
      P += dims[l]! * (dims[l - 1]! + 1);
    }
    this.P = P;
    this.theta = alloc(P * E);
    for (const [w, b] of offsets) {
      this.wAt.push(this.theta + w * E);
      bAt.push(this.theta + b * E);
    }
    // Batches of consecutive columns of the epoch's order, each cut into tiles of nearly equal width,
    // an even number of them where the batch is summed in two halves. Xᵀ of each tile is kept
    // beside X (the first layer's gradient product reads it), unless that would take the memory
    // past 1 GiB: then it is formed anew in every epoch.
    const keepXt = 2 * dims[0]! * this.m * E < 2 ** 30;
    let halves = false;
    for (let from = 0; from < this.m; from += batchSize) {
      const size = Math.min(batchSize, this.m - from);
      const twoLanes = size >= 2 && size * macs >= parallelWork;
      const nTiles = twoLanes ? 2 * Math.ceil(size / (2 * tileMax)) : Math.ceil(size / tileMax);
      const first = this.tiles.length;
      for (let t = 0, start = from; t < nTiles; t++) {
        const count = Math.ceil((from + size - start) / (nTiles - t));
        const T = roundUp(count, 8);
        this.tiles.push({ from: start, count, T, x: alloc(dims[0]! * T * E), y: alloc(T * E), xt: keepXt ? alloc(count * dims[0]! * E) : 0 });
        start += count;
      }
      halves ||= twoLanes;
      this.batches.push({ size, first, end: this.tiles.length, split: twoLanes ? first + nTiles / 2 : first });
    }
    // Per lane: the tile buffers A^[l], dZ^[l] and Aᵀ (for the widest layer input), then its own
    // gradient sums.
    const aAt: number[] = [], dzAt: number[] = [];
    const laneStart = top;
    for (let l = 1; l <= L; l++) {
      aAt.push(alloc(dims[l]! * tileMax * E));
      dzAt.push(alloc(dims[l]! * tileMax * E));
    }
    const atAt = alloc(Math.max(...dims.slice(0, L)) * tileMax * E);
    this.grad = alloc(P * E);
    const laneStride = top - laneStart;
    if (halves) top += laneStride;
    this.grad1 = this.grad + laneStride;
    // 4 float64 per lane, then 8 per lane for the output kernel (lanes.ts).
    this.results = alloc(24 * 8) / 8;
    const control = alloc(CONTROL_WORDS * 4) / 4;
    const table = [L, ...dims, ...this.wAt, ...bAt, ...aAt, ...dzAt, this.grad - this.theta, laneStride, laneStride, atAt];
    const lay = alloc((table.length + 3) * 4) / 4;
    const tileTable = alloc(this.tiles.length * 5 * 4) / 4;
    this.lay = lay;

    // Offsets are kept in an Int32Array, so the memory stays below 2 GiB.
    const pages = Math.ceil(top / PAGE);
    const tooLarge = `the fast engine needs ${Math.ceil(top / 2 ** 20)} MiB for these data`;
    if (pages > 32767) throw new EngineCapacityError(`${tooLarge}, more than its limit of 2 GiB`);
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    } catch {
      throw new EngineCapacityError(`${tooLarge}, and that much memory is not available`);
    }
    const module = kernelModule(this.dtype, this.kernels);
    this.k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
    this.mem = this.dtype === 'float64' ? new Float64Array(memory.buffer) : new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
    this.i32.set([...table, tileTable, this.results, this.kernels === 'relaxed-simd' ? 1 : 0], lay);
    this.tiles.forEach((t, i) => this.i32.set([t.x, t.y, t.count, t.T, t.xt], tileTable + 5 * i));
    this.sums = { costSum: 0, correct: 0, gradNormSums: new Float64Array(L), batches: 0, finite: true, lastCost: 0 };
    this.load(params);
    if (halves && wantThreads === 2) this.lane1 = new SecondLane(module, memory, this.dtype, lay, control, options.secondThread === 'always');
  }

  /** Takes the parameters' values (e.g. after a reset); the engine's own copy is what it trains. */
  load(params: Parameters): void {
    params.W.forEach((W, l) => {
      this.mem.set(W.data, this.wAt[l]! / this.E);
      this.mem.set(params.b[l]!.data, this.wAt[l]! / this.E + W.data.length);
    });
  }

  /** Writes the engine's parameters into `params` (same shapes); train() calls it every epoch, so it allocates nothing. */
  store(params: Parameters): void {
    const mem = this.mem;
    for (let l = 0; l < this.L; l++) {
      const W = params.W[l]!.data, b = params.b[l]!.data, at = this.wAt[l]! / this.E;
      for (let i = 0; i < W.length; i++) W[i] = mem[at + i]!;
      for (let i = 0; i < b.length; i++) b[i] = mem[at + W.length + i]!;
    }
  }

  /** Whether this engine was made for exactly these data, network shape and options. */
  fits(params: Parameters, X: Matrix, Y: Matrix, options: FastEngineOptions): boolean {
    const o = this.options;
    return this.X === X && this.Y === Y && params.W.length === this.L && params.W.every((w, l) => w.rows === this.layerDims[l + 1] && w.cols === this.layerDims[l]) &&
      (o.batchSize ?? this.m) === (options.batchSize ?? this.m) && (o.dtype ?? 'float64') === (options.dtype ?? 'float64') &&
      o.tile === options.tile && o.threads === options.threads && o.parallelWork === options.parallelWork && o.kernels === options.kernels && o.secondThread === options.secondThread && !this.broken;
  }

  /** 2 while a worker thread runs lane 1 of the batches summed in two halves, else 1. */
  get threads(): number {
    return this.lane1 === null ? 1 : 2;
  }

  /** How the batches offered to the second thread went (null: one thread). */
  get laneStats(): LaneStats | null {
    return this.lane1?.stats ?? null;
  }

  /**
   * Ends the worker thread, if there is one. The engine can still train, running both lanes on
   * one thread, with the same numbers.
   */
  dispose(): void {
    this.lane1?.dispose();
    this.lane1 = null;
  }

  /** Makes the next epoch or evaluation copy the examples from X and Y again. */
  refill(): void {
    this.tilesInOrder = false;
  }

  /**
   * Copies the examples into the tiles in the order `order` (positions → column of X), or as
   * given: X, the labels and (where kept) Xᵀ.
   */
  private fill(order: ArrayLike<number> | null): void {
    const nx = this.layerDims[0]!, m = this.m, X = this.X.data, Y = this.Y.data, mem = this.mem, E = this.E;
    for (const t of this.tiles) {
      const base = t.x / E, y = t.y / E, xt = t.xt / E;
      for (let j = 0; j < t.T; j++) {
        const real = j < t.count;
        const col = real ? (order === null ? t.from + j : order[t.from + j]!) : 0;
        mem[y + j] = real ? Y[col]! : 0;
        for (let i = 0; i < nx; i++) mem[base + i * t.T + j] = real ? X[i * m + col]! : 0;
        if (real && xt > 0) for (let i = 0; i < nx; i++) mem[xt + j * nx + i] = X[i * m + col]!;
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
    const s = this.sums, f64 = this.f64, r = this.results;
    s.costSum = 0;
    s.correct = 0;
    s.gradNormSums.fill(0);
    s.batches = 0;
    s.finite = true;
    for (const batch of this.batches) {
      f64.fill(0, r, r + 8);
      const halves = batch.split > batch.first;
      // Lane 1 (the batch's first half) on the worker while lane 0 runs here, or on this thread.
      this.batch = batch;
      if (halves && this.lane1 !== null) this.lane1.offer(batch.first, batch.split);
      processTiles(this.k, this.mem, this.i32, f64, this.lay, 0, batch.split, batch.end, true);
      if (halves && this.lane1 !== null) this.finishLane1();
      else if (halves) this.runLane1Here();
      let lossSum = f64[r]! + f64[r + 1]!, correct = f64[r + 2]!;
      if (halves) {
        lossSum += f64[r + 4]! + f64[r + 5]!;
        correct += f64[r + 6]!;
        this.k.update(this.grad, this.grad1, this.P, 1, -1); // lane 0 += lane 1; lane 1 := 0
      }
      s.correct += correct;
      const cost = (s.lastCost = lossSum / batch.size);
      if (!Number.isFinite(cost)) {
        s.finite = false;
        return s;
      }
      s.costSum += cost * batch.size;
      this.addGradNorms(1 / batch.size);
      this.k.update(this.theta, this.grad, this.P, 1 / batch.size, learningRate);
      s.batches++;
    }
    return s;
  }

  /**
   * The forward run alone over all examples, in their given order, with the engine's parameters
   * (load() others first): J as computeCostFromLogits, the number classified correctly and the
   * number classified 1 (σ(z) > 0.5). For
   * validation data, which is evaluated every epoch and never learnt from (an engine made for it
   * needs no second thread: threads: 1).
   */
  evaluate(): { cost: number; correct: number; positive: number } {
    if (!this.tilesInOrder) this.fill(null);
    const f64 = this.f64, r = this.results;
    f64.fill(0, r, r + 4);
    processTiles(this.k, this.mem, this.i32, f64, this.lay, 0, 0, this.tiles.length, false);
    return { cost: (f64[r]! + f64[r + 1]!) / this.m, correct: f64[r + 2]!, positive: f64[r + 3]! };
  }

  /** Lane 1 of the current batch on this thread (made once: an epoch allocates nothing). */
  private readonly runLane1Here = (): void => processTiles(this.k, this.mem, this.i32, this.f64, this.lay, 1, this.batch.first, this.batch.split, true);

  private finishLane1(): void {
    try {
      this.lane1!.finish(this.runLane1Here);
    } catch (e) {
      this.broken = true;
      this.dispose();
      throw e;
    }
  }

  /** ‖dW^[l]‖_F with dW = Σ·(1/batch size), as frobeniusNorm computes it, before the update clears the sums. */
  private addGradNorms(inv: number): void {
    for (let l = 0; l < this.L; l++) {
      const from = (this.grad + (this.wAt[l]! - this.theta)) / this.E;
      const to = from + this.layerDims[l + 1]! * this.layerDims[l]!;
      let sq = 0;
      for (let i = from; i < to; i++) {
        const g = this.mem[i]! * inv;
        sq += g * g;
      }
      this.sums.gradNormSums[l]! += Math.sqrt(sq);
    }
  }
}

/** The engines kept between calls, one per role (e.g. training data, validation data). */
const kept = new Map<string, FastEngine>();

/**
 * An engine for these data, reused from the last call with the same role when it fits: a run
 * trained in chunks of epochs (the command line and the editor do so, to stay responsive) then
 * lays out its memory and starts its worker once. A reused engine takes `params` and copies the
 * examples again, so that values changed in X or Y in place are seen too. The engine stays kept
 * (and its worker, which does not keep the process alive) until a call with other data replaces it.
 */
export function keptEngine(role: string, params: Parameters, X: Matrix, Y: Matrix, options: FastEngineOptions = {}): FastEngine {
  const old = kept.get(role);
  if (old !== undefined && old.fits(params, X, Y, options)) {
    old.load(params);
    old.refill();
    return old;
  }
  old?.dispose();
  kept.delete(role);
  const engine = new FastEngine(params, X, Y, options);
  kept.set(role, engine);
  return engine;
}

/** Which engine trained with a role's data: the fast one with its kernels and threads, or the readable steps. */
export interface EngineReport {
  engine: 'fast' | 'readable';
  /** The fast engine's kernels; null for the readable steps (plain TypeScript). */
  kernels: KernelKind | null;
  /** Whether the kernels' multiply-adds are fused (one rounding). */
  fused: boolean;
  threads: number;
}

/**
 * What ran the last train() call with this role (as the command line's `train --json` reports
 * it): the kept fast engine, or the readable steps where there is none (no epoch run, or data too
 * large for the fast engine).
 */
export function engineReport(role = 'train'): EngineReport {
  const engine = kept.get(role);
  if (engine === undefined) return { engine: 'readable', kernels: null, fused: false, threads: 1 };
  return { engine: 'fast', kernels: engine.kernels, fused: engine.kernels === 'relaxed-simd' && runtimeKernels().fused, threads: engine.threads };
}
