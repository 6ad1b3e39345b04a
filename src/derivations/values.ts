/**
 * Values as numpy has them: a scalar (shape []), a vector (shape [n]) or a matrix (shape [r, c]),
 * row-major. Element-wise operations broadcast as numpy broadcasts; a mismatch throws ShapeError
 * with both operands' shapes, which the caller turns into the notes' notation.
 */

export interface Value {
  shape: number[];
  data: Float64Array;
}

/** Operands that do not fit; caught and re-thrown with their place (no stack trace: it is expected). */
export class ShapeError {
  constructor(
    /** What was tried: `dot`, `elem`, `add`, `div`, `sum`. */
    readonly op: string,
    readonly left: number[],
    readonly right: number[],
  ) {}
}

export function scalar(v: number): Value {
  return { shape: [], data: Float64Array.of(v) };
}

export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Value {
  const d = new Float64Array(rows * cols);
  if (data) d.set(data);
  return { shape: [rows, cols], data: d };
}

export function isScalar(v: Value): boolean {
  return v.shape.length === 0;
}

/** A scalar, or a matrix of one entry. */
export function isOne(v: Value): boolean {
  return v.data.length === 1;
}

export function map(v: Value, f: (x: number) => number): Value {
  const data = new Float64Array(v.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(v.data[i]!);
  return { shape: v.shape, data };
}

/** numpy's broadcast of two shapes, or null. */
export function broadcastShape(a: number[], b: number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(Math.max(x, y));
  }
  return out;
}

function strides(shape: number[], to: number[]): number[] {
  // The stride of each of `to`'s axes in a value of `shape` (0 where it is broadcast).
  const n = to.length;
  const own: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    own[i] = s;
    s *= shape[i]!;
  }
  return to.map((_, i) => {
    const j = shape.length - n + i;
    return j < 0 || shape[j] === 1 ? 0 : own[j]!;
  });
}

export function zip(op: string, a: Value, b: Value, f: (x: number, y: number) => number): Value {
  const shape = broadcastShape(a.shape, b.shape);
  if (!shape) throw new ShapeError(op, a.shape, b.shape);
  const size = shape.reduce((p, x) => p * x, 1);
  const sa = strides(a.shape, shape);
  const sb = strides(b.shape, shape);
  const data = new Float64Array(size);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < size; k++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < shape.length; d++) {
      ia += idx[d]! * sa[d]!;
      ib += idx[d]! * sb[d]!;
    }
    data[k] = f(a.data[ia]!, b.data[ib]!);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { shape, data };
}

export const add = (a: Value, b: Value): Value => zip('add', a, b, (x, y) => x + y);
export const sub = (a: Value, b: Value): Value => zip('add', a, b, (x, y) => x - y);
export const times = (a: Value, b: Value): Value => zip('elem', a, b, (x, y) => x * y);
export const divide = (a: Value, b: Value): Value => zip('div', a, b, (x, y) => x / y);

/** Whether np.dot multiplies a and b: a scalar scales, else a's columns (a vector's length) are b's rows. */
export function dotFits(a: number[], b: number[]): boolean {
  return a.length === 0 || b.length === 0 || a[a.length - 1] === b[0];
}

/** np.dot: a scalar scales; vectors and matrices multiply as matrices. */
export function dot(a: Value, b: Value): Value {
  if (isScalar(a) || isScalar(b)) return times(a, b);
  if (!dotFits(a.shape, b.shape)) throw new ShapeError('dot', a.shape, b.shape);
  const [ar, ac] = a.shape.length === 1 ? [1, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const bc = b.shape.length === 1 ? 1 : b.shape[1]!;
  const data = new Float64Array(ar * bc);
  for (let i = 0; i < ar; i++) {
    for (let k = 0; k < ac; k++) {
      const x = a.data[i * ac + k]!;
      if (x === 0) continue;
      for (let j = 0; j < bc; j++) data[i * bc + j]! += x * b.data[k * bc + j]!;
    }
  }
  const shape = a.shape.length === 1 && b.shape.length === 1 ? [] : a.shape.length === 1 ? [bc] : b.shape.length === 1 ? [ar] : [ar, bc];
  return { shape, data };
}

export function transpose(a: Value): Value {
  if (a.shape.length < 2) return a;
  const [r, c] = a.shape as [number, number];
  const data = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = a.data[i * c + j]!;
  return { shape: [c, r], data };
}

/** np.sum(a), np.sum(a, axis), with keepdims. */
export function sum(a: Value, axis: number | null, keepdims: boolean): Value {
  if (axis === null) {
    let s = 0;
    for (const x of a.data) s += x;
    return keepdims ? { shape: a.shape.map(() => 1), data: Float64Array.of(s) } : scalar(s);
  }
  if (axis < 0) axis += a.shape.length;
  if (axis < 0 || axis >= a.shape.length) throw new ShapeError('sum', a.shape, [axis]);
  if (a.shape.length === 1) return keepdims ? { shape: [1], data: Float64Array.of(a.data.reduce((p, x) => p + x, 0)) } : sum(a, null, false);
  const [r, c] = a.shape as [number, number];
  if (axis === 1) {
    const data = new Float64Array(r);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[i]! += a.data[i * c + j]!;
    return { shape: keepdims ? [r, 1] : [r], data };
  }
  const data = new Float64Array(c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j]! += a.data[i * c + j]!;
  return { shape: keepdims ? [1, c] : [c], data };
}

/** Column j of a matrix, as an (n × 1) matrix. */
export function column(a: Value, j: number): Value {
  if (a.shape.length !== 2) return a;
  const [r, c] = a.shape as [number, number];
  const data = new Float64Array(r);
  for (let i = 0; i < r; i++) data[i] = a.data[i * c + j]!;
  return { shape: [r, 1], data };
}

/** Whether two shapes hold the same values for the notes: equal, or a scalar and a 1 × 1, or (1,) and (1 × 1). */
export function sameShape(a: number[], b: number[]): boolean {
  if (a.length === b.length && a.every((x, i) => x === b[i])) return true;
  const size = (s: number[]) => s.reduce((p, x) => p * x, 1);
  return size(a) === 1 && size(b) === 1;
}

export function norm(a: Value): number {
  let s = 0;
  for (const x of a.data) s += x * x;
  return Math.sqrt(s);
}

export function allFinite(a: Value): boolean {
  return a.data.every(Number.isFinite);
}
