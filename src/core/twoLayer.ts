/**
 * The notes' two-layer network written out literally, one line per equation of the backprop map,
 * for reading side by side with the notes, on the plain matrix operations of matrix.ts (np.dot and
 * friends). network.ts computes the same for any number of layers, step by step in named functions;
 * a test checks that both agree exactly. Training uses network.ts.
 *
 * n_x inputs, n_h hidden ReLU units, one sigmoid output, m examples in the columns of X.
 */
import { type Matrix, addColumnInPlace, matMul, matMulTransA, matMulTransB, rowSums, scaleInPlace, zeros } from './matrix';

/** f applied to every entry (of two matrices of one shape, entry by entry). */
function map(A: Matrix, f: (a: number) => number): Matrix;
function map(A: Matrix, B: Matrix, f: (a: number, b: number) => number): Matrix;
function map(A: Matrix, Bf: Matrix | ((a: number) => number), f?: (a: number, b: number) => number): Matrix {
  const out = zeros(A.rows, A.cols);
  for (let i = 0; i < A.data.length; i++) out.data[i] = typeof Bf === 'function' ? Bf(A.data[i]) : f!(A.data[i], Bf.data[i]);
  return out;
}

export interface TwoLayerParameters {
  W1: Matrix; // (n_h × n_x)
  b1: Matrix; // (n_h × 1)
  W2: Matrix; // (1 × n_h)
  b2: Matrix; // (1 × 1)
}

export interface TwoLayerCache {
  Z1: Matrix; // (n_h × m)
  A1: Matrix; // (n_h × m)
  Z2: Matrix; // (1 × m)
  A2: Matrix; // (1 × m) = Ŷ
}

export interface TwoLayerGradients {
  dA2: Matrix; // (1 × m)
  dZ2: Matrix; // (1 × m)
  dW2: Matrix; // (1 × n_h)
  db2: Matrix; // (1 × 1)
  dA1: Matrix; // (n_h × m)
  dZ1: Matrix; // (n_h × m)
  dW1: Matrix; // (n_h × n_x)
  db1: Matrix; // (n_h × 1)
}

/** FORWÄRTSLAUF */
export function forwardTwoLayer(p: TwoLayerParameters, X: Matrix): TwoLayerCache {
  const Z1 = addColumnInPlace(matMul(p.W1, X), p.b1); //  Z1 = W1·X + b1     (n_h × m) = (n_h × n_x)·(n_x × m) + (n_h × 1)
  const A1 = map(Z1, (z) => (z > 0 ? z : 0)); //          A1 = relu(Z1)      (n_h × m)
  const Z2 = addColumnInPlace(matMul(p.W2, A1), p.b2); // Z2 = W2·A1 + b2    (1 × m) = (1 × n_h)·(n_h × m) + (1 × 1)
  const A2 = map(Z2, (z) => 1 / (1 + Math.exp(-z))); //   A2 = σ(Z2) = Ŷ     (1 × m)
  return { Z1, A1, Z2, A2 };
}

/** RÜCKWÄRTSLAUF */
export function backwardTwoLayer(p: TwoLayerParameters, c: TwoLayerCache, X: Matrix, Y: Matrix): TwoLayerGradients {
  const m = X.cols;
  const { Z1, A1, A2 } = c;
  // dA2 = −Y/A2 + (1−Y)/(1−A2)   (1 × m), shown in the map only; a term with factor 0 counts as 0
  const dA2 = map(A2, Y, (a, y) => (y !== 0 ? -y / a : 0) + (y !== 1 ? (1 - y) / (1 - a) : 0));
  const dZ2 = map(A2, Y, (a, y) => a - y); //                dZ2 = dA2 * A2*(1−A2) = A2 − Y   (1 × m)
  const dW2 = scaleInPlace(matMulTransB(dZ2, A1), 1 / m); // dW2 = 1/m·dZ2·A1ᵀ      (1 × n_h) = (1 × m)·(m × n_h)
  const db2 = scaleInPlace(rowSums(dZ2), 1 / m); //          db2 = 1/m·np.sum(dZ2, axis=1, keepdims=True)   (1 × 1)
  const dA1 = matMulTransA(p.W2, dZ2); //                    dA1 = W2ᵀ·dZ2          (n_h × m) = (n_h × 1)·(1 × m)
  const dZ1 = map(dA1, Z1, (da, z) => (z > 0 ? da : 0)); //  dZ1 = dA1 * [Z1 > 0]   (n_h × m)
  const dW1 = scaleInPlace(matMulTransB(dZ1, X), 1 / m); //  dW1 = 1/m·dZ1·Xᵀ       (n_h × n_x) = (n_h × m)·(m × n_x)
  const db1 = scaleInPlace(rowSums(dZ1), 1 / m); //          db1 = 1/m·np.sum(dZ1, axis=1, keepdims=True)   (n_h × 1)
  return { dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1 };
}

/** GEWICHTSAKTUALISIERUNGEN: [W1, b1, W2, b2] := [W1, b1, W2, b2] − α·[dW1, db1, dW2, db2], in place. */
export function updateTwoLayer(p: TwoLayerParameters, g: TwoLayerGradients, learningRate: number): void {
  const pairs: [Matrix, Matrix][] = [[p.W1, g.dW1], [p.b1, g.db1], [p.W2, g.dW2], [p.b2, g.db2]];
  for (const [theta, dTheta] of pairs) {
    for (let i = 0; i < theta.data.length; i++) theta.data[i] -= learningRate * dTheta.data[i];
  }
}
