import type { MatrixStats } from './types';

/**
 * A dense matrix in row-major order, the shape written as in the notes: (rows × cols).
 * Examples are columns: X is (n_x × m), so X.data[i * m + j] is feature i of example j.
 */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0]!.length;
  const m = zeros(r, c);
  rows.forEach((row, i) => {
    if (row.length !== c) throw new RangeError(`row ${i + 1} has ${row.length} numbers, expected ${c}`);
    m.data.set(row, i * c);
  });
  return m;
}

export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function shapeOf(m: Matrix): string {
  return `(${m.rows} × ${m.cols})`;
}

export function cloneMatrix(m: Matrix): Matrix {
  return { rows: m.rows, cols: m.cols, data: m.data.slice() };
}

/**
 * `m` itself when it already has the shape (rows × cols), else a new zero matrix: lets a training
 * loop reuse last epoch's buffers instead of allocating new ones every epoch.
 */
export function reuse(m: Matrix | undefined, rows: number, cols: number): Matrix {
  return m !== undefined && m.rows === rows && m.cols === cols ? m : zeros(rows, cols);
}

function checkInner(what: string, a: Matrix, b: Matrix, ka: number, kb: number): void {
  if (ka !== kb) throw new RangeError(`${what}: shapes ${shapeOf(a)} and ${shapeOf(b)} do not fit`);
}

/** A·B: (n × k)·(k × m) = (n × m). */
export function matMul(a: Matrix, b: Matrix, out?: Matrix): Matrix {
  checkInner('A·B', a, b, a.cols, b.rows);
  const n = a.rows, k = a.cols, m = b.cols;
  const c = reuse(out, n, m);
  const A = a.data, B = b.data, C = c.data;
  C.fill(0);
  // i-k-j order: the inner loop runs along rows of B and C, contiguous in memory.
  for (let i = 0; i < n; i++) {
    const ci = i * m;
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p];
      const bp = p * m;
      for (let j = 0; j < m; j++) C[ci + j] += aip * B[bp + j];
    }
  }
  return c;
}

/** A·Bᵀ without forming Bᵀ: (n × m)·(k × m)ᵀ = (n × k). Each entry is a dot product of two rows. */
export function matMulTransB(a: Matrix, b: Matrix, out?: Matrix): Matrix {
  checkInner('A·Bᵀ', a, b, a.cols, b.cols);
  const n = a.rows, m = a.cols, k = b.rows;
  const c = reuse(out, n, k);
  const A = a.data, B = b.data, C = c.data;
  for (let i = 0; i < n; i++) {
    const ai = i * m;
    for (let p = 0; p < k; p++) {
      const bp = p * m;
      let s = 0;
      for (let j = 0; j < m; j++) s += A[ai + j] * B[bp + j];
      C[i * k + p] = s;
    }
  }
  return c;
}

/** Aᵀ·B without forming Aᵀ: (n × k)ᵀ·(n × m) = (k × m). */
export function matMulTransA(a: Matrix, b: Matrix, out?: Matrix): Matrix {
  checkInner('Aᵀ·B', a, b, a.rows, b.rows);
  const n = a.rows, k = a.cols, m = b.cols;
  const c = reuse(out, k, m);
  const A = a.data, B = b.data, C = c.data;
  C.fill(0);
  for (let i = 0; i < n; i++) {
    const bi = i * m;
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p];
      const cp = p * m;
      for (let j = 0; j < m; j++) C[cp + j] += aip * B[bi + j];
    }
  }
  return c;
}

/** Z + b with b (n × 1) broadcast over the m columns of Z (n × m), in place, as numpy does. */
export function addColumnInPlace(z: Matrix, b: Matrix): Matrix {
  if (b.rows !== z.rows || b.cols !== 1) throw new RangeError(`cannot broadcast ${shapeOf(b)} over ${shapeOf(z)}`);
  const m = z.cols, Z = z.data;
  for (let i = 0; i < z.rows; i++) {
    const bi = b.data[i];
    for (let j = i * m; j < (i + 1) * m; j++) Z[j] += bi;
  }
  return z;
}

/** The sum of each row, as np.sum(M, axis=1, keepdims=True): (n × m) → (n × 1). */
export function rowSums(a: Matrix, out?: Matrix): Matrix {
  const c = reuse(out, a.rows, 1);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = i * a.cols; j < (i + 1) * a.cols; j++) s += a.data[j];
    c.data[i] = s;
  }
  return c;
}

export function scaleInPlace(a: Matrix, factor: number): Matrix {
  const A = a.data;
  for (let i = 0; i < A.length; i++) A[i] *= factor;
  return a;
}

/** ‖M‖_F, the square root of the sum of squares of all entries. */
export function frobeniusNorm(a: Matrix): number {
  let s = 0;
  for (const v of a.data) s += v * v;
  return Math.sqrt(s);
}

export function allFinite(a: Matrix): boolean {
  for (const v of a.data) if (!Number.isFinite(v)) return false;
  return true;
}

/** The columns indices[from … to−1] of X, in that order: one mini-batch of examples. */
export function gatherColumns(x: Matrix, indices: ArrayLike<number>, from: number, to: number, out?: Matrix): Matrix {
  const width = to - from;
  const c = reuse(out, x.rows, width);
  for (let i = 0; i < x.rows; i++) {
    const src = i * x.cols, dst = i * width;
    for (let j = 0; j < width; j++) c.data[dst + j] = x.data[src + indices[from + j]];
  }
  return c;
}

/** Minimum, maximum, mean and (population) standard deviation of a matrix's numbers. */
export function summaryStats(values: ArrayLike<number>): MatrixStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const n = values.length || 1;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i]! - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(sq / n) };
}
