/**
 * A random network of the notes' kind on which the backprop map's equations are evaluated: ReLU
 * hidden layers, a sigmoid output, the cross-entropy, examples in columns. Its quantities are the
 * true ones — the forward run and the map's backward run of the core (tested against numerical
 * gradients) — so an equation's left side, dW^[2] say, is ∂J/∂W^[2] itself.
 *
 * The sizes are those of the code checker's runs (n_x = 4, n_h = 3, n_y = 1, m = 7; L-layer
 * [4, 5, 3, 1]; deeper networks 5, 3, 6, 8, … ): pairwise different, so that every shape names its
 * symbols, and a transposed or broadcast operand shows.
 */
import { fromRows, type Matrix } from '../core/matrix';
import { backward, computeCost, forward, type Parameters } from '../core/network';
import { createRng } from '../core/rng';
import { dimSymbol } from '../webview/tex';
import type { Value } from './values';

export const EXAMPLES = 7;
const INPUTS = 4;
const HIDDEN = [5, 3, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
/** The deepest network an equation is evaluated on. */
export const MAX_LAYERS = HIDDEN.length + 1;

/** [n_x, …hidden, 1] for a network of L layers: the notes' two-layer one is [4, 3, 1]. */
export function layerDims(L: number): number[] {
  if (L === 2) return [INPUTS, 3, 1];
  return [INPUTS, ...HIDDEN.slice(0, L - 1), 1];
}

export interface Net {
  L: number;
  dims: number[];
  m: number;
  X: Value;
  Y: Value;
  /** W[l − 1] = W^[l]; likewise b, Z, dZ, dW, db. */
  W: Value[];
  b: Value[];
  Z: Value[];
  /** A[l] = A^[l], A[0] = X. */
  A: Value[];
  /** dA[l] = dA^[l] = ∂L/∂A^[l] per example, dA[0] = dX = W^[1]ᵀ·dZ^[1]. */
  dA: Value[];
  dZ: Value[];
  dW: Value[];
  db: Value[];
  /** The loss of each example, (1 × m). */
  losses: Value;
  J: number;
}

const val = (m: Matrix): Value => ({ shape: [m.rows, m.cols], data: m.data });

function build(dims: number[], params: Parameters, X: Matrix, Y: Matrix): Net {
  const L = dims.length - 1;
  const cache = forward(params, X);
  const grads = backward(params, cache, Y);
  const AL = cache.A[L]!;
  const losses = new Float64Array(Y.cols);
  for (let j = 0; j < Y.cols; j++) {
    const a = AL.data[j]!, y = Y.data[j]!;
    losses[j] = -y * Math.log(a) - (1 - y) * Math.log(1 - a);
  }
  // dX = W^[1]ᵀ·dZ^[1], which the core does not need for learning.
  const W1 = params.W[0]!, dZ1 = grads.dZ[0]!;
  const dX = new Float64Array(X.rows * X.cols);
  for (let i = 0; i < X.rows; i++) for (let k = 0; k < W1.rows; k++) for (let j = 0; j < X.cols; j++) dX[i * X.cols + j]! += W1.data[k * W1.cols + i]! * dZ1.data[k * dZ1.cols + j]!;
  return {
    L,
    dims,
    m: X.cols,
    X: val(X),
    Y: val(Y),
    W: params.W.map(val),
    b: params.b.map(val),
    Z: cache.Z.map(val),
    A: cache.A.map(val),
    dA: [{ shape: [X.rows, X.cols], data: dX }, ...grads.dA.map(val)],
    dZ: grads.dZ.map(val),
    dW: grads.dW.map(val),
    db: grads.db.map(val),
    losses: { shape: [1, Y.cols], data: losses },
    J: computeCost(AL, Y),
  };
}

/** A network of L layers with random weights, biases, inputs and labels (both classes). */
export function randomNet(L: number, seed: number): Net {
  const dims = layerDims(L);
  const rng = createRng(seed);
  const W: Matrix[] = [];
  const b: Matrix[] = [];
  for (let l = 1; l <= L; l++) {
    const rows = Array.from({ length: dims[l]! }, () => Array.from({ length: dims[l - 1]! }, () => (rng.normal() * 1.5) / Math.sqrt(dims[l - 1]!)));
    W.push(fromRows(rows));
    b.push(fromRows(Array.from({ length: dims[l]! }, () => [rng.normal() * 0.5])));
  }
  const X = fromRows(Array.from({ length: dims[0]! }, () => Array.from({ length: EXAMPLES }, () => rng.normal())));
  const Y = fromRows([Array.from({ length: EXAMPLES }, (_, j) => (j < 2 ? j : rng.int(2)))]);
  return build(dims, { W, b }, X, Y);
}

/** The same network on its first example alone (m = 1): the lowercase a, z, x, y of one example. */
export function oneExample(net: Net): Net {
  const col = (v: Value): Matrix => fromRows(Array.from({ length: v.shape[0]! }, (_, i) => [v.data[i * v.shape[1]!]!]));
  const matrixOf = (v: Value): Matrix => ({ rows: v.shape[0]!, cols: v.shape[1]!, data: v.data });
  return build(net.dims, { W: net.W.map(matrixOf), b: net.b.map(matrixOf) }, col(net.X), col(net.Y));
}

/** The notes' symbol of a size of this network: n_x, n_h or n_{h1} …, 1, m. */
export function sizeSymbol(net: Net, n: number): string {
  if (n === net.m && net.m !== 1) return 'm';
  const l = net.dims.indexOf(n);
  return l < 0 ? String(n) : dimSymbol(l, net.L);
}

/** `(n_h × m)`, `(n_h,)`, `()`: a shape in the notes' symbols. */
export function symbolicShape(net: Net, shape: number[]): string {
  if (shape.length === 0) return 'scalar';
  if (shape.length === 1) return `(${sizeSymbol(net, shape[0]!)},)`;
  return `(${shape.map((n) => sizeSymbol(net, n)).join(' × ')})`;
}
