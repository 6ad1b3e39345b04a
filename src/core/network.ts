/**
 * The lecture notes' fully connected binary classifier, for any number of layers:
 * ReLU in the hidden layers, sigmoid at the output, binary cross-entropy, batch gradient descent.
 *
 * Notation as in the notes: examples are columns, X = A^[0] is (n_x × m), layer l = 1 … L has
 * n_l units, W^[l] is (n_l × n_{l−1}) and b^[l] is (n_l × 1). L = layerDims.length − 1.
 *
 * Indexing of the arrays (JavaScript arrays start at 0, the notes' layers at 1):
 *   - W, b, Z, dZ, dA, dW, db hold one entry per layer: entry l−1 is the notes' layer l,
 *     so W[0] is W^[1] and dZ[L−1] is dZ^[L].
 *   - A holds L + 1 entries: A[l] is the notes' A^[l], so A[0] = X and A[L] = Ŷ.
 * See twoLayer.ts for the notes' two-layer network written out with Z1, A1, Z2, A2.
 */
import { exampleLoss } from './loss';
import { createRng } from './rng';
import {
  type Matrix,
  addColumnInPlace,
  allFinite,
  cloneMatrix,
  matMul,
  matMulTransA,
  matMulTransB,
  reuse,
  rowSums,
  scaleInPlace,
  zeros,
} from './matrix';

export interface Parameters {
  /** W[l−1] = W^[l], (n_l × n_{l−1}). */
  W: Matrix[];
  /** b[l−1] = b^[l], (n_l × 1). */
  b: Matrix[];
}

export interface ForwardCache {
  /** Z[l−1] = Z^[l] = W^[l]·A^[l−1] + b^[l], (n_l × m). */
  Z: Matrix[];
  /** A[l] = A^[l]: A[0] = X, A[l] = relu(Z^[l]) for hidden layers, A[L] = σ(Z^[L]) = Ŷ. */
  A: Matrix[];
}

export interface Gradients {
  /** dW[l−1] = dW^[l] = 1/m·dZ^[l]·A^[l−1]ᵀ, (n_l × n_{l−1}). */
  dW: Matrix[];
  /** db[l−1] = db^[l] = 1/m·Σ_rows dZ^[l], (n_l × 1). */
  db: Matrix[];
  /** dZ[l−1] = dZ^[l], (n_l × m). */
  dZ: Matrix[];
  /**
   * dA[l−1] = dA^[l], (n_l × m). For the output layer it is the notes' −Y/A + (1−Y)/(1−A),
   * kept for showing the map only (dZ^[L] = A^[L] − Y is computed directly); it is ±Infinity
   * where an output is saturated at the wrong end, exactly as the formula says.
   */
  dA: Matrix[];
}

/** [n_x, …hidden, 1]: the notes' two-layer network is layerDimsOf(n_x, [n_h]). */
export function layerDimsOf(nX: number, hidden: number[]): number[] {
  return [nX, ...hidden, 1];
}

function checkLayerDims(layerDims: readonly number[]): void {
  if (layerDims.length < 2) throw new RangeError(`layerDims needs at least an input and an output size, got [${layerDims.join(', ')}]`);
  for (const n of layerDims) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`layer sizes must be positive integers, got [${layerDims.join(', ')}]`);
  }
}

/**
 * W^[l] drawn from N(0, 1)·sqrt(2/n_{l−1}) (He initialisation, suited to ReLU), row by row;
 * b^[l] = 0. The same seed gives the same parameters on every machine.
 */
export function initParameters(layerDims: number[], seed: number): Parameters {
  checkLayerDims(layerDims);
  const rng = createRng(seed);
  const W: Matrix[] = [];
  const b: Matrix[] = [];
  for (let l = 1; l < layerDims.length; l++) {
    const nPrev = layerDims[l - 1]!, n = layerDims[l]!;
    const w = zeros(n, nPrev); // (n_l × n_{l−1})
    const scale = Math.sqrt(2 / nPrev);
    for (let i = 0; i < w.data.length; i++) w.data[i] = rng.normal() * scale;
    W.push(w);
    b.push(zeros(n, 1)); // (n_l × 1)
  }
  return { W, b };
}

/** [n_x, n_1, …, n_L] read off the weight shapes. */
export function layerDimsOfParameters(p: Parameters): number[] {
  return [p.W[0]!.cols, ...p.W.map((w) => w.rows)];
}

export function cloneParameters(p: Parameters): Parameters {
  return { W: p.W.map(cloneMatrix), b: p.b.map(cloneMatrix) };
}

// ---------------------------------------------------------------- forward run

/** Z^[l] = W^[l]·A^[l−1] + b^[l]:  (n_l × m) = (n_l × n_{l−1})·(n_{l−1} × m) + (n_l × 1) broadcast. */
export function linearForward(W: Matrix, b: Matrix, Aprev: Matrix, out?: Matrix): Matrix {
  return addColumnInPlace(matMul(W, Aprev, out), b);
}

/** A = relu(Z) = max(0, Z), element-wise. */
export function relu(Z: Matrix, out?: Matrix): Matrix {
  const A = reuse(out, Z.rows, Z.cols);
  for (let i = 0; i < Z.data.length; i++) A.data[i] = Z.data[i] > 0 ? Z.data[i] : 0;
  return A;
}

/** A = σ(Z) = 1 / (1 + e^−Z), element-wise. Overflow is harmless: e^−Z = Infinity gives 0. */
export function sigmoid(Z: Matrix, out?: Matrix): Matrix {
  const A = reuse(out, Z.rows, Z.cols);
  for (let i = 0; i < Z.data.length; i++) A.data[i] = 1 / (1 + Math.exp(-Z.data[i]));
  return A;
}

/**
 * The forward run: for l = 1 … L, Z^[l] = W^[l]·A^[l−1] + b^[l], A^[l] = g(Z^[l]).
 * `reuseCache` (e.g. last epoch's cache) lends its buffers when the shapes match; they are
 * overwritten, so keep a copy of anything from it that is still needed.
 */
export function forward(params: Parameters, X: Matrix, reuseCache?: ForwardCache): ForwardCache {
  const L = params.W.length;
  const Z: Matrix[] = [];
  const A: Matrix[] = [X]; // A^[0] = X, (n_x × m)
  for (let l = 1; l <= L; l++) {
    const z = linearForward(params.W[l - 1]!, params.b[l - 1]!, A[l - 1]!, reuseCache?.Z[l - 1]); // (n_l × m)
    Z.push(z);
    A.push(l < L ? relu(z, reuseCache?.A[l]) : sigmoid(z, reuseCache?.A[l])); // (n_l × m)
  }
  return { Z, A };
}

// ---------------------------------------------------------------- cost

function checkLabels(what: Matrix, Y: Matrix): void {
  if (what.rows !== Y.rows || what.cols !== Y.cols) throw new RangeError(`Y is ${Y.rows} × ${Y.cols}, expected the output's shape ${what.rows} × ${what.cols}`);
  if (Y.cols === 0) throw new RangeError('the cost J = 1/m·ΣL needs at least one example (m = 0)');
}

/**
 * The notes' cost J = 1/m·Σ L(Ŷ, Y) with L = −Y·log(Ŷ) − (1−Y)·log(1−Ŷ), from Ŷ = A^[L].
 * A log's argument is kept at least Number.MIN_VALUE, so an output of exactly 0 or 1 gives a
 * large finite loss (≈ 744) instead of Infinity, and 0·log(0) terms count as 0.
 */
export function computeCost(AL: Matrix, Y: Matrix): number {
  checkLabels(AL, Y);
  let sum = 0;
  for (let j = 0; j < AL.data.length; j++) {
    const a = AL.data[j], y = Y.data[j];
    if (y !== 0) sum -= y * Math.log(Math.max(a, Number.MIN_VALUE));
    if (y !== 1) sum -= (1 - y) * Math.log(Math.max(1 - a, Number.MIN_VALUE));
  }
  return sum / AL.cols;
}

/**
 * The same J computed from the logits Z^[L] (Ŷ = σ(Z^[L])), exactly and without overflow, as the
 * mean of exampleLoss (loss.ts). Training and the gradient check use this form because it
 * stays accurate where σ(z) rounds to 1 (z ≳ 37), so the cost grows with |z| instead of stalling.
 */
export function computeCostFromLogits(ZL: Matrix, Y: Matrix): number {
  checkLabels(ZL, Y);
  // Neumaier's compensated sum: keeps J's rounding error independent of m, which the
  // gradient check's central differences divide by 2ε.
  let sum = 0, lost = 0;
  for (let j = 0; j < ZL.data.length; j++) {
    const z = ZL.data[j], y = Y.data[j];
    const loss = exampleLoss(z, y);
    const t = sum + loss;
    lost += Math.abs(sum) >= Math.abs(loss) ? sum - t + loss : loss - t + sum;
    sum = t;
  }
  return (sum + lost) / ZL.cols;
}

// ---------------------------------------------------------------- backward run

/** dZ^[L] = A^[L] − Y:  (1 × m) = (1 × m) − (1 × m). Holds because A^[L] = σ(Z^[L]) and L is the BCE. */
export function outputDZ(AL: Matrix, Y: Matrix, out?: Matrix): Matrix {
  const dZ = reuse(out, AL.rows, AL.cols);
  for (let j = 0; j < AL.data.length; j++) dZ.data[j] = AL.data[j] - Y.data[j];
  return dZ;
}

/** dA^[L] = ∂L/∂A^[L] = −Y/A^[L] + (1−Y)/(1−A^[L]), element-wise:  (1 × m). For the map only. */
export function outputDA(AL: Matrix, Y: Matrix, out?: Matrix): Matrix {
  const dA = reuse(out, AL.rows, AL.cols);
  for (let j = 0; j < AL.data.length; j++) {
    const a = AL.data[j], y = Y.data[j];
    // A term whose factor is 0 is 0, also where its division would be by zero.
    dA.data[j] = (y !== 0 ? -y / a : 0) + (y !== 1 ? (1 - y) / (1 - a) : 0);
  }
  return dA;
}

/** dW^[l] = 1/m·dZ^[l]·A^[l−1]ᵀ:  (n_l × n_{l−1}) = (n_l × m)·(m × n_{l−1}). */
export function weightGradient(dZ: Matrix, Aprev: Matrix, out?: Matrix): Matrix {
  return scaleInPlace(matMulTransB(dZ, Aprev, out), 1 / dZ.cols);
}

/** db^[l] = 1/m·np.sum(dZ^[l], axis=1):  (n_l × 1). */
export function biasGradient(dZ: Matrix, out?: Matrix): Matrix {
  return scaleInPlace(rowSums(dZ, out), 1 / dZ.cols);
}

/** dA^[l−1] = W^[l]ᵀ·dZ^[l]:  (n_{l−1} × m) = (n_{l−1} × n_l)·(n_l × m). */
export function previousDA(W: Matrix, dZ: Matrix, out?: Matrix): Matrix {
  return matMulTransA(W, dZ, out);
}

/** dZ^[l] = dA^[l] * [Z^[l] > 0], element-wise ("rückwärts relu"):  (n_l × m). */
export function reluBackward(dA: Matrix, Z: Matrix, out?: Matrix): Matrix {
  const dZ = reuse(out, Z.rows, Z.cols);
  for (let i = 0; i < Z.data.length; i++) dZ.data[i] = Z.data[i] > 0 ? dA.data[i] : 0;
  return dZ;
}

/**
 * The backward run along the notes' backprop map, from the output layer down to layer 1.
 * `reuseGrads` (e.g. last epoch's gradients) lends its buffers when the shapes match (and
 * they are overwritten).
 */
export function backward(params: Parameters, cache: ForwardCache, Y: Matrix, reuseGrads?: Gradients): Gradients {
  const L = params.W.length;
  const { Z, A } = cache;
  const dW: Matrix[] = new Array<Matrix>(L);
  const db: Matrix[] = new Array<Matrix>(L);
  const dZ: Matrix[] = new Array<Matrix>(L);
  const dA: Matrix[] = new Array<Matrix>(L);
  checkLabels(A[L]!, Y);

  dA[L - 1] = outputDA(A[L]!, Y, reuseGrads?.dA[L - 1]); // (1 × m)
  dZ[L - 1] = outputDZ(A[L]!, Y, reuseGrads?.dZ[L - 1]); // (1 × m)
  for (let l = L; l >= 1; l--) {
    dW[l - 1] = weightGradient(dZ[l - 1]!, A[l - 1]!, reuseGrads?.dW[l - 1]); // (n_l × n_{l−1})
    db[l - 1] = biasGradient(dZ[l - 1]!, reuseGrads?.db[l - 1]); // (n_l × 1)
    if (l > 1) {
      // dX = W^[1]ᵀ·dZ^[1] is not needed for learning and is not computed.
      dA[l - 2] = previousDA(params.W[l - 1]!, dZ[l - 1]!, reuseGrads?.dA[l - 2]); // (n_{l−1} × m)
      dZ[l - 2] = reluBackward(dA[l - 2]!, Z[l - 2]!, reuseGrads?.dZ[l - 2]); // (n_{l−1} × m)
    }
  }
  return { dW, db, dZ, dA };
}

// ---------------------------------------------------------------- weight update

/** θ := θ − α·dθ for every W^[l] and b^[l], in place. */
export function updateParameters(params: Parameters, grads: Gradients, learningRate: number): void {
  const step = (theta: Matrix, dTheta: Matrix): void => {
    for (let i = 0; i < theta.data.length; i++) theta.data[i] -= learningRate * dTheta.data[i];
  };
  params.W.forEach((W, i) => step(W, grads.dW[i]!));
  params.b.forEach((b, i) => step(b, grads.db[i]!));
}

export function parametersFinite(p: Parameters): boolean {
  return p.W.every(allFinite) && p.b.every(allFinite);
}
