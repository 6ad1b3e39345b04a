/**
 * The backprop map's matrices as the panel gets them: a snapshot of every quantity of a forward and
 * backward run (example columns cut to the first few, with statistics over all), and the decision
 * boundary of 2-feature data.
 */
import type { Boundary, MapSnapshot, MatrixData, Phase } from './types';
import { type Matrix, summaryStats, zeros } from './matrix';
import { predictProbabilities } from './metrics';
import { type ForwardCache, type Gradients, type Parameters, backward, computeCostFromLogits, forward } from './network';

/** A matrix for the wire; example columns beyond `maxCols` are left out, the statistics cover all. */
export function matrixData(m: Matrix, maxCols = Infinity): MatrixData {
  const cols = Math.min(m.cols, maxCols);
  const data: number[] = new Array<number>(m.rows * cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = m.data[i * m.cols + j]!;
  const out: MatrixData = { rows: m.rows, cols, data };
  if (cols < m.cols) {
    out.totalCols = m.cols;
    out.stats = summaryStats(m.data);
  }
  return out;
}

/** The map's matrices from a forward run (and a backward run, else zero gradients). */
export function buildSnapshot(a: {
  params: Parameters;
  cache: ForwardCache;
  grads: Gradients | null;
  X: Matrix;
  Y: Matrix;
  epoch: number;
  phase: Phase;
  cost: number;
  maxCols: number;
}): MapSnapshot {
  const wide = (m: Matrix): MatrixData => matrixData(m, a.maxCols);
  const g = a.grads;
  const m = a.X.cols;
  const layers = a.params.W.map((W, i) => ({
    W: matrixData(W),
    b: matrixData(a.params.b[i]!),
    Z: wide(a.cache.Z[i]!),
    A: wide(a.cache.A[i + 1]!),
    dA: wide(g ? g.dA[i]! : zeros(W.rows, m)),
    dZ: wide(g ? g.dZ[i]! : zeros(W.rows, m)),
    dW: matrixData(g ? g.dW[i]! : zeros(W.rows, W.cols)),
    db: matrixData(g ? g.db[i]! : zeros(W.rows, 1)),
  }));
  return { epoch: a.epoch, phase: a.phase, cost: a.cost, m, X: wide(a.X), Y: wide(a.Y), layers };
}

/**
 * The map of trained parameters as a report shows it: a forward and a backward run on (X, Y) at
 * `params`, labelled as the state after the update of epoch `epoch`.
 */
export function finalSnapshot(params: Parameters, X: Matrix, Y: Matrix, epoch: number, maxCols = 48): MapSnapshot {
  const cache = forward(params, X);
  const grads = backward(params, cache, Y);
  const cost = computeCostFromLogits(cache.Z[cache.Z.length - 1]!, Y);
  return buildSnapshot({ params, cache, grads, X, Y, epoch, phase: 'update', cost, maxCols });
}

/** For 2-feature data: P(y = 1) on a grid spanning the points, and (up to maxPoints of) the points. */
export function decisionBoundary(params: Parameters, X: Matrix, Y: Matrix, resolution = 48, maxPoints = 800): Boundary | null {
  if (X.rows !== 2 || X.cols === 0) return null;
  const range = (row: number): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < X.cols; j++) {
      const v = X.data[row * X.cols + j]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const pad = (hi - lo) * 0.08 || 1;
    return [lo - pad, hi + pad];
  };
  const xRange = range(0);
  const yRange = range(1);
  const n = resolution * resolution;
  const grid = zeros(2, n);
  for (let gy = 0; gy < resolution; gy++) {
    for (let gx = 0; gx < resolution; gx++) {
      const k = gy * resolution + gx;
      grid.data[k] = xRange[0] + ((gx + 0.5) / resolution) * (xRange[1] - xRange[0]);
      grid.data[n + k] = yRange[0] + ((gy + 0.5) / resolution) * (yRange[1] - yRange[0]);
    }
  }
  const probabilities = Array.from(predictProbabilities(params, grid));
  const stride = Math.max(1, Math.ceil(X.cols / maxPoints));
  const points: Boundary['points'] = { x: [], y: [], label: [] };
  for (let j = 0; j < X.cols; j += stride) {
    points.x.push(X.data[j]!);
    points.y.push(X.data[X.cols + j]!);
    points.label.push(Y.data[j]!);
  }
  return { xRange, yRange, resolution, probabilities, points };
}
