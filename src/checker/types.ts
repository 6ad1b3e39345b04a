/**
 * The derivation checker's results, JSON-compatible (they cross a process boundary as JSON).
 * Lines and columns are 1-based; an edit's or report's end column is exclusive.
 */

export interface CheckFix {
  title: string;
  edits: { line: number; column: number; endLine: number; endColumn: number; newText: string; cell?: number }[];
}

/**
 * Stable identifiers of the report kinds (diagnostic codes in the editor), exactly those the Python
 * side emits (bpm_schema.CODES; a test holds the two lists together).
 */
export const CHECK_CODES = [
  'gradient-value', 'gradient-shape', 'gradient-none', 'gradient-type', 'gradient-not-finite',
  'missing-gradient', 'missing-keepdims', 'wrong-axis', 'missing-axis', 'missing-sum', 'missing-1-over-m',
  'extra-1-over-m', 'wrong-m', 'factor-2', 'factor-4', 'sign-flipped', 'transposed-product',
  'broadcast-instead-of-matmul', 'wrong-factor', 'wrong-layer', 'l2-term', 'mask-from-dout', 'wrong-intermediate',
  'latent-n_y-1', 'cost-mismatch', 'cost-shape', 'exception', 'recursion', 'timeout', 'crash', 'memory',
  'input-called', 'sys-exit', 'forbidden', 'not-written', 'not-loaded', 'needs-script-state', 'load-failed',
  'ipython-syntax', 'unbound-argument', 'forward-output', 'backward-output', 'init-output', 'init-shape',
  'examples-in-rows', 'low-precision', 'not-checked', 'syntax-error', 'file-too-large', 'nothing-to-check', 'cancelled',
  'internal-error',
] as const;

export type CheckCode = (typeof CHECK_CODES)[number];

export interface CheckReport {
  line: number;
  column: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'info';
  code: CheckCode;
  message: string;
  /** `file`: a location in a helper module (see CheckReport.file). */
  related: { line: number; message: string; cell?: number; file?: string }[];
  /** Only where the fix is certain. */
  fix?: CheckFix;
  /** For `not-written`: the term an exercise leaves as `...` (`dZ2`). */
  term?: string;
  /** In a notebook: the 1-based number of the cell (among all its cells); `line` is then the cell's line. */
  cell?: number;
  /** The function name of the unit whose check made the report (see CheckUnit.function). */
  unit?: string;
  /**
   * A report at a line of a helper module that the checked file uses (`dnn_utils.py`, `../layers.py`):
   * its path from the checked file's folder, with `/` between folders. Absent for the checked file's own lines.
   */
  file?: string;
}

export interface GradientResult {
  /** `dW1` (a unit's: `dx`, `dA_prev`, or a model's parameter key `W1`) */
  name: string;
  /** `W1` */
  param: string;
  status: 'ok' | 'shape' | 'value' | 'missing' | 'error';
  shape: number[] | null;
  expectedShape: number[];
  /** The expected shape in the notes' notation, e.g. `(n_h, n_x)`. */
  symbolicShape: string;
  /** The notes' ‖g − g_num‖ / (‖g‖ + ‖g_num‖); null when there are no values to compare. */
  relDifference: number | null;
  /** A unit's gradients: the largest entry-wise error max |g − g_num| / max(1e-8, |g| + |g_num|), as the other course prints it. */
  maxError?: number | null;
  /** A unit checked once per case: which one (`activation="relu"`). */
  case?: string;
  /** The line that computes the gradient. */
  line: number | null;
  cell?: number;
  hint: string | null;
}

/** One assignment traced in the checked functions (for hovers and inlay hints). */
export interface TracedVariable {
  name: string;
  line: number;
  function: string;
  shape: number[] | null;
  symbolicShape: string | null;
  cell?: number;
}

export interface CheckedFunction {
  name: string;
  role: 'forward' | 'backward' | 'helper' | 'init' | 'cost';
  line: number;
  endLine: number;
  cell?: number;
}

/**
 * One checked function, on its own: a layer's or an activation's backward against its forward, a loss
 * with its gradient, a model object's `loss`, a layer class's `backward`, or a whole network.
 */
export interface CheckUnit {
  /** The checked function: `linear_backward`, `TwoLayerNet.loss`, `Affine.backward`, `L_model_backward`. */
  function: string;
  /** The forward it is checked against (`linear_forward`); null for losses and models. */
  forward: string | null;
  kind: 'layer' | 'activation' | 'loss' | 'model' | 'network' | 'method';
  /**
   * The layout of its inputs: 'columns' (examples in columns: A is n_prev × m, W is n × n_prev, b is n × 1),
   * 'rows' (x is N × d1 × …, w is D × M, b is M), 'images' (N × C × H × W), 'scalar' (J(x, θ) and dJ/dθ);
   * for a whole network the notes' 'two-layer', 'three-layer' or 'L-layer'; null when not set up.
   */
  convention: string | null;
  /** The function's `def` line and last line (in a notebook, in its cell). */
  line: number;
  endLine: number;
  cell?: number;
  status: 'ok' | 'wrong' | 'not-written' | 'not-checked' | 'error';
  /**
   * A unit of a helper module that the checked file uses (`relu_backward` of `dnn_utils.py`): the module's
   * path from the checked file's folder; its lines and its gradients' lines are the module's.
   */
  file?: string;
  /** Why it is not checked, not written, in error, or wrong through another unit it calls. */
  reason: string | null;
  /** Columns layers: which scaling of dW and db matched, '1/m' (the course's: gradients of the mean cost) or 'sum'. */
  scaling: string | null;
  gradients: GradientResult[];
}

export interface CheckResult {
  file: string;
  /** The whole network's (the first, where a file has several); null without one. */
  convention: 'two-layer' | 'three-layer' | 'L-layer' | null;
  dims: Record<string, number>;
  /** The relative difference above which a gradient is wrong. */
  tolerance: number;
  gradients: GradientResult[];
  reports: CheckReport[];
  functions: CheckedFunction[];
  traces: TracedVariable[];
  /** Every checked unit of the file, in the order of the file. */
  units: CheckUnit[];
  durationMs: number;
}

/** Which of the user's functions to check, when not found by their usual names. */
export interface CheckFunctions {
  forward?: string;
  backward?: string;
  init?: string;
  cost?: string;
}
