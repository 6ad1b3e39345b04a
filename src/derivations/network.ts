/**
 * A random network of the notes' kind on which the backprop map's equations are evaluated: ReLU
 * hidden layers, a sigmoid output, the cross-entropy, examples in columns. Its quantities are the
 * true ones — the forward run and the map's backward run of the core (tested against numerical
 * gradients) — so an equation's left side, dW^[2] say, is ∂J/∂W^[2] itself.
 *
 * The sizes are those of the code checker's runs, so that a shape reads the same in the code's and
 * in the math's findings: n_x = 4, n_h = 3, n_y = 1, m = 7; L-layer [4, 5, 3, 1]; deeper networks
 * 5, 3, 6, 8, 9, … — pairwise different (and not m), so that every shape names its symbols, and a
 * transposed or broadcast operand shows. Their home is the Python harness (bpm_numerical.py: M,
 * TWO_LAYER_DIMS, L_LAYER_DIMS, DEEPER_HIDDEN, as choose_layer_dims uses them); the copy here is held
 * to it by test/rules/the_math_checkers_network_has_the_sizes_of_the_code_checkers_runs.test.ts.
 */
import { fromRows, type Matrix, zeros } from '../core/matrix';
import {
  backward,
  biasGradient,
  computeCost,
  forward,
  type ForwardCache,
  type Gradients,
  linearForward,
  outputDA,
  outputDZ,
  type Parameters,
  previousDA,
  sigmoid,
  weightGradient,
} from '../core/network';
import { createRng } from '../core/rng';
import { dimSymbol } from '../shared/tex';
import * as V from './values';
import type { Value } from './values';

/** m, as the code checker's M. */
export const EXAMPLES = 7;
/** The two-layer network's sizes, as the code checker's TWO_LAYER_DIMS. */
const TWO_LAYER = [4, 3, 1];
/** The hidden sizes of an L-layer network, layer 1 first, as the code checker's DEEPER_HIDDEN (whose first two are L_LAYER_DIMS's). */
const HIDDEN = [5, 3, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35];
/** The deepest network an equation is evaluated on: as deep as the code checker's. */
export const MAX_LAYERS = HIDDEN.length + 1;

/** [n_x, …hidden, 1] for a network of L layers: the notes' two-layer one is [4, 3, 1]. */
export function layerDims(L: number): number[] {
  if (L === 2) return [...TWO_LAYER];
  return [TWO_LAYER[0]!, ...HIDDEN.slice(0, L - 1), 1];
}

/** A hidden layer's activation: the notes' ReLU, or what the document says (tanh in the planar course). */
export type Activation = 'relu' | 'tanh' | 'sigma';

const G: Record<Activation, { g: (z: number) => number; dg: (z: number) => number }> = {
  relu: { g: (z) => (z > 0 ? z : 0), dg: (z) => (z > 0 ? 1 : 0) },
  tanh: { g: Math.tanh, dg: (z) => 1 - Math.tanh(z) ** 2 },
  sigma: { g: (z) => 1 / (1 + Math.exp(-z)), dg: (z) => (1 / (1 + Math.exp(-z))) * (1 - 1 / (1 + Math.exp(-z))) },
};

/** g and g′ of layer l (1-based) of a network: its hidden activation, or the sigmoid of the output. */
export function activation(net: Net, l: number): { g: (z: number) => number; dg: (z: number) => number } {
  return G[l === net.L ? 'sigma' : net.hidden[l - 1] ?? 'relu'];
}

export interface Net {
  L: number;
  /**
   * Examples in rows (X is m × n_x, W^[l] is n_(l−1) × n_l, Z = X W + b), as CS231n writes them: the
   * same network with every matrix transposed.
   */
  rows: boolean;
  /** The hidden layers' activations, layer 1 first. */
  hidden: Activation[];
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

/**
 * The forward and backward run with other hidden activations than ReLU, from the core's own steps:
 * only g and g′ differ (dZ^[l] = dA^[l] * g′(Z^[l])).
 */
function runWith(hidden: Activation[], params: Parameters, X: Matrix, Y: Matrix): { cache: ForwardCache; grads: Gradients } {
  const L = params.W.length;
  const Z: Matrix[] = [];
  const A: Matrix[] = [X];
  for (let l = 1; l <= L; l++) {
    const z = linearForward(params.W[l - 1]!, params.b[l - 1]!, A[l - 1]!);
    Z.push(z);
    if (l === L) A.push(sigmoid(z));
    else {
      const a = zeros(z.rows, z.cols);
      z.data.forEach((v, i) => (a.data[i] = G[hidden[l - 1]!].g(v)));
      A.push(a);
    }
  }
  const dA: Matrix[] = new Array<Matrix>(L);
  const dZ: Matrix[] = new Array<Matrix>(L);
  const dW: Matrix[] = new Array<Matrix>(L);
  const db: Matrix[] = new Array<Matrix>(L);
  dA[L - 1] = outputDA(A[L]!, Y);
  dZ[L - 1] = outputDZ(A[L]!, Y);
  for (let l = L; l >= 1; l--) {
    dW[l - 1] = weightGradient(dZ[l - 1]!, A[l - 1]!);
    db[l - 1] = biasGradient(dZ[l - 1]!);
    if (l > 1) {
      const da = previousDA(params.W[l - 1]!, dZ[l - 1]!);
      const dz = zeros(da.rows, da.cols);
      da.data.forEach((v, i) => (dz.data[i] = v * G[hidden[l - 2]!].dg(Z[l - 2]!.data[i]!)));
      dA[l - 2] = da;
      dZ[l - 2] = dz;
    }
  }
  return { cache: { Z, A }, grads: { dW, db, dZ, dA } };
}

function build(dims: number[], params: Parameters, X: Matrix, Y: Matrix, hidden: Activation[]): Net {
  const L = dims.length - 1;
  // The notes' ReLU network is the core's own forward and backward run.
  const { cache, grads } = hidden.every((g) => g === 'relu') ? (() => {
    const c = forward(params, X);
    return { cache: c, grads: backward(params, c, Y) };
  })() : runWith(hidden, params, X, Y);
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
    hidden,
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
    rows: false,
  };
}

/** A network of L layers with random weights, biases, inputs and labels (both classes). */
export function randomNet(L: number, seed: number, hidden: Activation[] = Array.from({ length: L - 1 }, () => 'relu')): Net {
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
  return build(dims, { W, b }, X, Y, hidden);
}

/** The same network on its first example alone (m = 1): the lowercase a, z, x, y of one example. */
export function oneExample(net: Net): Net {
  const col = (v: Value): Matrix => fromRows(Array.from({ length: v.shape[0]! }, (_, i) => [v.data[i * v.shape[1]!]!]));
  const matrixOf = (v: Value): Matrix => ({ rows: v.shape[0]!, cols: v.shape[1]!, data: v.data });
  return build(net.dims, { W: net.W.map(matrixOf), b: net.b.map(matrixOf) }, col(net.X), col(net.Y), net.hidden);
}

/** The same network with examples in rows: every matrix transposed (Z^T = X^T W^T + b^T). */
export function inRows(net: Net): Net {
  const t = (vs: Value[]) => vs.map(V.transpose);
  return {
    ...net,
    rows: true,
    X: V.transpose(net.X),
    Y: V.transpose(net.Y),
    W: t(net.W),
    b: t(net.b),
    Z: t(net.Z),
    A: t(net.A),
    dA: t(net.dA),
    dZ: t(net.dZ),
    dW: t(net.dW),
    db: t(net.db),
    losses: V.transpose(net.losses),
  };
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
