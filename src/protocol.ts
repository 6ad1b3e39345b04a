/**
 * The messages that cross a process or thread boundary, as discriminated unions on `type`:
 * extension host ⇄ backprop-map webview, and extension host ⇄ training worker.
 * Everything here must survive structured cloning / JSON (no classes, no typed arrays).
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

export type RunMode = 'running' | 'paused' | 'finished';

/** A data problem, located where it can be (1-based line and column). */
export interface DataErrorInfo {
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
}

/** Where the training data comes from; the worker loads it so the extension host never parses. */
export type DataSource =
  | { kind: 'file'; path: string; text?: string; label: string | number | null; /** columns left out (by name or 1-based number) */ ignore?: string[] }
  | { kind: 'sample'; name: string };

/** How the derivation checker found one term of the map in the learner's exercise file. */
export interface ExerciseMark {
  /** The map term's id: `dZ2`, `dW1`, `dA1`. */
  term: string;
  status: 'right' | 'wrong' | 'missing';
  /** The line of the term, when known (in a notebook, the line within its cell). */
  line: number | null;
}

// ---------------------------------------------------------------- host → webview

export type ToPanel =
  | { type: 'run'; info: RunInfo; locale: 'en' | 'de' }
  | { type: 'epochs'; points: EpochPoint[] }
  | { type: 'snapshot'; snapshot: MapSnapshot }
  | { type: 'boundary'; boundary: Boundary }
  | { type: 'mode'; mode: RunMode }
  | { type: 'finished'; result: RunResult }
  | { type: 'gradcheck'; result: GradCheckResult }
  | { type: 'error'; message: string }
  /** Information, not a fault (e.g. why a restored panel shows no run). */
  | { type: 'notice'; message: string }
  /** The latest check of the exercise file (its name, not its path): which terms are right, wrong, not written yet. */
  | { type: 'exercise'; file: string; marks: ExerciseMark[] };

// ---------------------------------------------------------------- webview → host

export type ControlAction = 'play' | 'pause' | 'step' | 'reset' | 'newSeed';

export type FromPanel =
  | { type: 'ready' }
  | { type: 'control'; action: ControlAction }
  | { type: 'gradcheck' }
  | { type: 'export'; format: 'csv' | 'json' }
  | { type: 'exportPng'; dataUrl: string }
  | { type: 'writeExercise' }
  | { type: 'exportScript'; kind: 'numpy' | 'torch' };

// ---------------------------------------------------------------- host → training worker

export type ToWorker =
  | { type: 'start'; source: DataSource; hyper: Hyper; initModel?: unknown }
  | { type: 'control'; action: ControlAction }
  | { type: 'gradcheck' }
  | { type: 'stop' };

// ---------------------------------------------------------------- training worker → host

export type FromWorker =
  | { type: 'loaded'; info: RunInfo }
  | { type: 'dataError'; error: DataErrorInfo }
  | { type: 'epochs'; points: EpochPoint[] }
  | { type: 'snapshot'; snapshot: MapSnapshot }
  | { type: 'boundary'; boundary: Boundary }
  | { type: 'mode'; mode: RunMode }
  /** `model` is the JSON model file (see src/core/model.ts) of the parameters at the end. */
  | { type: 'finished'; result: RunResult; model: unknown }
  | { type: 'gradcheck'; result: GradCheckResult }
  | { type: 'error'; message: string };
