import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';

/**
 * The work of one lane of the fast engine: forward run, loss and (when `learn`) backward run over a
 * range of tiles, adding to the lane's own gradient sums. A batch large enough (PARALLEL_WORK in
 * engine.ts) is summed in two halves: lane 1 takes its first half, lane 0 the second; the main
 * thread runs lane 0, and lane 1 on a worker thread (SecondLane) or itself, before lane 0. Both
 * threads run this same function: the worker gets its source text (Function.prototype.toString),
 * so it must not refer to anything outside itself.
 *
 * Everything it needs is in the shared WebAssembly memory, described by a table of 32-bit
 * integers at index `lay` (see FastEngine's constructor, which writes it):
 *   L, n_0 … n_L, wAt[1…L], bAt[1…L], aAt[1…L], dzAt[1…L], gradDelta, laneStride, gradStride,
 *   atAt, tiles, results, wasmOutput
 * byte offsets of W^[l], b^[l] and lane 0's tile buffers A^[l] (A^[L] holds Z^[L]), dZ^[l] and Aᵀ;
 * lane i's buffers are laneStride·i bytes further, its gradients gradDelta + gradStride·i bytes
 * from the parameters; `tiles` indexes 5 integers per tile (x, labels, count, T, and Xᵀ or 0),
 * `results` indexes 4 float64 per lane (Σ loss, its compensation, number correct, number
 * predicted 1), which this function continues to add to, followed by 8 per lane for the output
 * kernel's results; wasmOutput is 1 where the output layer runs in the output kernel.
 *
 * With the plain SIMD kernels, within a lane every sum runs over the examples in their order (the
 * kernels see to it within a tile; the loss is summed here, tile after tile), and σ, the loss and
 * dZ^[L] are the same expressions as in network.ts: on one lane, float64 results are the readable
 * path's bit for bit.
 */
// `k` is the kernels' exports; `mem` the memory as the engine's number type.
export function processTiles(
  k: { dense_fwd: (...a: number[]) => void; dense_bwd_dx: (...a: number[]) => void; dense_bwd_dw: (...a: number[]) => void; transpose: (...a: number[]) => void; output: (...a: number[]) => void },
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
  // The output kernel's 8 results for this lane, after all lanes' results (float64 index).
  const wasmOutput = i32[rest + 6] === 1, o = i32[rest + 5]! + 8 + 8 * lane;
  // Σ loss with Neumaier's compensation, as computeCostFromLogits sums it.
  let sum = f64[r]!, lost = f64[r + 1]!, correct = f64[r + 2]!, positive = f64[r + 3]!;
  for (let t = first; t < end; t++) {
    const x = i32[tiles + 5 * t]!, y = i32[tiles + 5 * t + 1]! / E, count = i32[tiles + 5 * t + 2]!, T = i32[tiles + 5 * t + 3]!, xt = i32[tiles + 5 * t + 4]!;
    // Forward: A^[0] of the tile is its slice of X; A^[l] = relu(W^[l]·A^[l−1] + b^[l]); Z^[L].
    for (let l = 1; l <= L; l++) {
      k.dense_fwd(i32[wAt + l - 1]!, i32[bAt + l - 1]!, l === 1 ? x : i32[aAt + l - 2]! + laneOff, i32[aAt + l - 1]! + laneOff, i32[dims + l]!, i32[dims + l - 1]!, T, l < L ? 1 : 0);
    }
    // Output layer: A = σ(Z) as sigmoid(), the loss from the logits as computeCostFromLogits,
    // dZ^[L] = A − Y as outputDZ, 0 in the padding columns. With the fused kernels in the output
    // kernel (two examples at a time, its own exp and log1p, to a few units in the last place);
    // else here, with the very expressions of network.ts.
    const z0 = (i32[aAt + L - 1]! + laneOff) / E, d0 = (i32[dzAt + L - 1]! + laneOff) / E;
    if (wasmOutput) {
      k.output(z0 * E, y * E, d0 * E, count, T, o * 8);
      for (let h = 0; h < 2; h++) {
        const loss = f64[o + h]!, t = sum + loss;
        lost += Math.abs(sum) >= Math.abs(loss) ? sum - t + loss : loss - t + sum;
        sum = t;
      }
      lost += f64[o + 2]! + f64[o + 3]!;
      correct += f64[o + 4]! + f64[o + 5]!;
      positive += f64[o + 6]! + f64[o + 7]!;
    }
    for (let j = 0; j < (wasmOutput ? 0 : count); j++) {
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
    if (!wasmOutput) mem.fill(0, d0 + count, d0 + T);
    // Backward: dW^[l] += dZ^[l]·A^[l−1]ᵀ, db^[l] += Σ dZ^[l]; dZ^[l−1] = W^[l]ᵀ·dZ^[l] * [A^[l−1] > 0].
    for (let l = L; l >= 1; l--) {
      const Aprev = l === 1 ? x : i32[aAt + l - 2]! + laneOff;
      // Xᵀ is kept with the tile (xt > 0) where it fits; every other Aᵀ is formed here.
      const kept = l === 1 && xt > 0;
      if (!kept) k.transpose(Aprev, at, i32[dims + l - 1]!, T, count);
      k.dense_bwd_dw(i32[dzAt + l - 1]! + laneOff, kept ? xt : at, i32[wAt + l - 1]! + gradOff, i32[bAt + l - 1]! + gradOff, i32[dims + l]!, i32[dims + l - 1]!, T, count);
      if (l > 1) k.dense_bwd_dx(i32[wAt + l - 1]!, i32[dzAt + l - 1]! + laneOff, Aprev, i32[dzAt + l - 2]! + laneOff, i32[dims + l]!, i32[dims + l - 1]!, T);
    }
  }
  f64[r] = sum;
  f64[r + 1] = lost;
  f64[r + 2] = correct;
  f64[r + 3] = positive;
}

/**
 * How long a waiting thread keeps checking before it sleeps: during training the next command (or
 * the other lane's end) usually comes within some tens of microseconds, sooner than a sleeping
 * thread is woken by the operating system (tens of microseconds, milliseconds on a busy machine).
 */
const SPIN_MS = 0.1;

/** A second lane that stopped answering is given up after this long. */
const UNRESPONSIVE_MS = 120_000;

/**
 * The offers judged together: when the second thread lost in half of them or more (the main
 * thread had to take lane 1 back, or waited for the worker longer than half its own lane took),
 * the second core is busy with other work, and offering costs more than it brings. Offers then
 * pause, PAUSE_MS at first, twice as long after each window lost in a row (up to PAUSE_MAX_MS),
 * and the next window tries again.
 */
const WINDOW = 16;
/**
 * The first offers after the worker is ready are not judged, nor those of its first WARMUP_MS: its
 * code warms up meanwhile (V8 optimises the worker's loop only after it has run for a while; before,
 * it loses to the main thread on small batches, and judged, those losses would pause offers for a
 * second of training).
 */
const WARMUP = 64;
const WARMUP_MS = 250;
const PAUSE_MS = 50;
const PAUSE_MAX_MS = 1600;

/** How the batches offered to the second thread went. */
export interface LaneStats {
  /** Batches whose lane 1 was offered to the worker. */
  offered: number;
  /** …and run by it. */
  byWorker: number;
  /** Batches run on one thread while offers paused, or while the worker was still starting. */
  paused: number;
}

/** Control words, 32-bit integers in the shared memory from index `control` on. */
export const CONTROL_WORDS = 6;

/**
 * Lane 1 offered to a worker thread that shares the engine's WebAssembly memory. The main thread
 * offers the batch's first half with offer(), runs lane 0, then finish() either finds the worker
 * done with lane 1 (waiting for it if it is still at work) or, where the worker has not begun it
 * (still asleep, or not given a core on a busy machine), runs lane 1 itself. Whichever thread runs
 * it, lane 1 is the same work into the same buffers, so the numbers never depend on it; a busy
 * second core costs a hand-over, not a wait, and where that keeps happening offers pause for a
 * while (WINDOW). One hand-over and at most one wait per batch: the examples' columns are
 * independent through the forward and the backward run, and only the gradient sums are shared
 * (each lane has its own, added by the engine in a fixed order).
 *
 * Control words at `control`: gen, the counter of commands; first and end, the command's tile
 * range (first = −1: stop); claim, the last command taken, by the worker or by the main thread
 * (exactly one of them moves it from gen − 1 to gen); done, the last command the worker finished
 * (−1: it failed; its message comes over a MessagePort); ready, 1 once the worker can take commands.
 * Until then nothing is offered: a worker still starting (tens to hundreds of milliseconds) is not a
 * busy second core, and offers lost to it would pause offers for a second or more of training.
 */
export class SecondLane {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly i32: Int32Array;
  private readonly c: { gen: number; first: number; end: number; claim: number; done: number; ready: number };
  /** When the worker was first seen ready; null until then. */
  private readyAt: number | null = null;
  private generation = 0;
  private failed: Error | null = null;
  /** Whether the current batch was offered, when, and the judging of the current window. */
  private offered = false;
  private offeredAt = 0;
  private windowOffers = 0;
  private windowLosses = 0;
  private pauseMs = PAUSE_MS;
  private pausedUntil = 0;
  readonly stats: LaneStats = { offered: 0, byWorker: 0, paused: 0 };

  /**
   * `always`: every batch goes to the worker and the main thread waits for it, however busy the
   * machine (for measuring two threads as such, and for the tests).
   */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, dtype: string, lay: number, control: number, private readonly always = false) {
    this.i32 = new Int32Array(memory.buffer);
    this.c = { gen: control, first: control + 1, end: control + 2, claim: control + 3, done: control + 4, ready: control + 5 };
    this.i32.fill(0, control, control + CONTROL_WORDS);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(laneSource(), { eval: true, workerData: { module, memory, dtype, lay, control: this.c, port: port2, spinMs: SPIN_MS }, transferList: [port2] });
    // Neither keeps the process alive: dispose() ends the worker, and so does the end of the process.
    this.worker.unref();
    this.port.unref();
  }

  /** Offers the tiles first … end−1 (lane 1) to the worker, unless offers pause. */
  offer(first: number, end: number): void {
    if (this.failed) throw this.failed;
    const now = performance.now();
    if (this.readyAt === null) {
      if (Atomics.load(this.i32, this.c.ready) === 1) this.readyAt = now;
      else if (Atomics.load(this.i32, this.c.done) === -1) this.fail(); // it failed while starting
    }
    this.offered = this.always || (this.readyAt !== null && now >= this.pausedUntil);
    if (!this.offered) return;
    this.offeredAt = now;
    this.stats.offered++;
    this.command(first, end);
  }

  /**
   * Ends the batch: runs `here` (lane 1 on this thread) if it was not offered or the worker has
   * not taken it, else waits for the worker to finish it; throws the worker's error if it failed.
   */
  finish(here: () => void): void {
    if (this.failed) throw this.failed;
    if (!this.offered) {
      this.stats.paused++;
      here();
      return;
    }
    const finishing = performance.now();
    let lost = true;
    if (!this.always && Atomics.compareExchange(this.i32, this.c.claim, this.generation - 1, this.generation) === this.generation - 1) here();
    else {
      this.join();
      this.stats.byWorker++;
      const now = performance.now();
      lost = now - finishing > (finishing - this.offeredAt) / 2;
    }
    this.judge(lost, performance.now());
  }

  private judge(lost: boolean, now: number): void {
    if (this.stats.offered <= WARMUP || this.readyAt === null || now - this.readyAt < WARMUP_MS) return;
    this.windowOffers++;
    if (lost) this.windowLosses++;
    if (this.windowOffers < WINDOW) return;
    if (2 * this.windowLosses >= WINDOW) {
      this.pausedUntil = now + this.pauseMs;
      this.pauseMs = Math.min(2 * this.pauseMs, PAUSE_MAX_MS);
    } else {
      this.pauseMs = PAUSE_MS;
    }
    this.windowOffers = 0;
    this.windowLosses = 0;
  }

  /** Waits until the worker has finished the last offer, which it has taken. */
  private join(): void {
    const { i32, c } = this;
    const spinUntil = performance.now() + SPIN_MS;
    let done = Atomics.load(i32, c.done);
    while (done !== this.generation && done !== -1 && performance.now() < spinUntil) done = Atomics.load(i32, c.done);
    const started = performance.now();
    while (done !== this.generation) {
      if (done === -1) this.fail();
      // A worker that died without a word must not hang training forever.
      if (Atomics.wait(i32, c.done, done, 1000) === 'timed-out' && performance.now() - started > UNRESPONSIVE_MS) {
        this.failed = new Error('the fast engine\'s second thread stopped answering');
        throw this.failed;
      }
      done = Atomics.load(i32, c.done);
    }
  }

  /** The worker failed (done = −1): its message, thrown here and on every later call. */
  private fail(): never {
    const reply = receiveMessageOnPort(this.port)?.message as { message?: string } | undefined;
    this.failed = new Error(`the fast engine's second thread failed: ${reply?.message ?? 'no message'}`);
    throw this.failed;
  }

  /** Ends the worker thread. */
  dispose(): void {
    this.command(-1, 0);
    void this.worker.terminate();
    this.port.close();
  }

  private command(first: number, end: number): void {
    const { i32, c } = this;
    i32[c.first] = first;
    i32[c.end] = end;
    Atomics.store(i32, c.gen, ++this.generation);
    Atomics.notify(i32, c.gen);
  }
}

/**
 * The worker's program: instantiate the kernels on the shared memory, then take the commands it
 * can (claim gen − 1 → gen; a command the main thread took is left) and run them. It is evaluated
 * from text, so it receives processTiles' source.
 */
function laneSource(): string {
  return `
const { workerData } = require('node:worker_threads');
const processTiles = ${processTiles.toString()};
const { module, memory, dtype, lay, control: c, port, spinMs } = workerData;
const i32 = new Int32Array(memory.buffer);
try {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const mem = dtype === 'float64' ? new Float64Array(memory.buffer) : new Float32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  let seen = 0;
  Atomics.store(i32, c.ready, 1);
  for (;;) {
    const spinUntil = performance.now() + spinMs;
    while (Atomics.load(i32, c.gen) === seen && performance.now() < spinUntil);
    Atomics.wait(i32, c.gen, seen);
    seen = Atomics.load(i32, c.gen);
    if (Atomics.compareExchange(i32, c.claim, seen - 1, seen) !== seen - 1) continue;
    const first = i32[c.first];
    if (first < 0) break;
    processTiles(k, mem, i32, f64, lay, 1, first, i32[c.end], true);
    Atomics.store(i32, c.done, seen);
    Atomics.notify(i32, c.done);
  }
} catch (e) {
  port.postMessage({ message: e instanceof Error ? e.message : String(e) });
  Atomics.store(i32, c.done, -1);
  Atomics.notify(i32, c.done);
}
port.close();
`;
}
