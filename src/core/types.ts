/**
 * The run's domain types: what the core computes (metrics, epoch points, the map's matrices, the
 * gradient check) and what a run is (its hyper-parameters, its data description, its result).
 * Plain data only (no classes, no typed arrays), so the message protocol can carry them as they are.
 */

export interface MatrixStats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

/** A matrix on the wire: row-major numbers, shape (rows × cols). */
export interface MatrixData {
  rows: number;
  cols: number;
  data: number[];
  /** Set when only the first `cols` of `totalCols` example columns were sent (large m). */
  totalCols?: number;
  /** Summary over the whole matrix (all columns, also the ones not sent). */
  stats?: MatrixStats;
}

export interface Hyper {
  /** Hidden layer sizes; the notes' two-layer network is [n_h]. */
  hidden: number[];
  learningRate: number;
  epochs: number;
  /** null: full-batch gradient descent, as in the notes. */
  batchSize: number | null;
  seed: number;
  /** Fraction of the examples kept apart for validation (0 … <1). */
  validationSplit: number;
  standardize: boolean;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface Metrics {
  cost: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: Confusion;
}

/** What a run is trained on and how; sent once when a run starts. */
export interface RunInfo {
  /** A file name (never a full path) or `sample:NAME`. */
  datasetName: string;
  featureNames: string[];
  labelName: string;
  /** Which original label value became 0 and which became 1. */
  labels: { '0': string; '1': string };
  /** [n_x, n_h1, …, n_y] */
  layerDims: number[];
  /** Training examples: the m of the map's (n × m) matrices. */
  m: number;
  /** Examples kept apart for validation. */
  mValidation: number;
  hyper: Hyper;
}

export interface EpochPoint {
  epoch: number;
  cost: number;
  validationCost: number | null;
  accuracy: number;
  validationAccuracy: number | null;
  /** Frobenius norm of dW[l] for l = 1 … L. */
  gradNorms: number[];
}

export type Phase = 'forward' | 'backward' | 'update';

/** Every quantity of layer l (1-based) in the backprop map. */
export interface LayerSnapshot {
  W: MatrixData; // (n_l × n_{l−1})
  b: MatrixData; // (n_l × 1)
  Z: MatrixData; // (n_l × m)
  A: MatrixData; // (n_l × m)
  dA: MatrixData; // (n_l × m)
  dZ: MatrixData; // (n_l × m)
  dW: MatrixData; // (n_l × n_{l−1})
  db: MatrixData; // (n_l × 1)
}

/** The whole map at one moment of the run: after `phase` of epoch `epoch`. */
export interface MapSnapshot {
  epoch: number;
  phase: Phase;
  cost: number;
  m: number;
  X: MatrixData; // (n_x × m)
  Y: MatrixData; // (1 × m)
  layers: LayerSnapshot[];
}

/** Decision boundary for 2-feature data: P(y = 1) on a grid under the (scaled) data points. */
export interface Boundary {
  xRange: [number, number];
  yRange: [number, number];
  /** Grid points per axis. */
  resolution: number;
  /** resolution × resolution probabilities, row-major, first row at yRange[0]. */
  probabilities: number[];
  points: { x: number[]; y: number[]; label: number[] };
}

export interface GradCheckResult {
  epsilon: number;
  /** The notes' ‖dθ − dθ_approx‖ / (‖dθ‖ + ‖dθ_approx‖) over all parameters. */
  relDifference: number;
  perParameter: { name: string; relDifference: number }[];
  theta: number[];
  dtheta: number[];
  dthetaApprox: number[];
  /**
   * How many components of θ sit so close to a ReLU kink (some hidden z = 0) that even the
   * smallest step of the central difference crossed it: their dθ_approx is not a derivative.
   */
  kinks?: number;
}

export type StopReason = 'completed' | 'cancelled' | 'diverged';

export interface RunResult {
  reason: StopReason;
  /** Human-readable, e.g. the divergence advice to lower the learning rate. */
  message: string | null;
  epochs: number;
  train: Metrics;
  validation: Metrics | null;
}
