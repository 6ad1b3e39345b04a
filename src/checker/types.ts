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
  'extra-1-over-m', 'wrong-m', 'factor-2', 'sign-flipped', 'transposed-product',
  'broadcast-instead-of-matmul', 'wrong-factor', 'wrong-layer', 'l2-term', 'wrong-intermediate',
  'latent-n_y-1', 'cost-mismatch', 'cost-shape', 'exception', 'recursion', 'timeout', 'crash', 'memory',
  'input-called', 'sys-exit', 'forbidden', 'not-written', 'not-loaded', 'needs-script-state', 'load-failed',
  'ipython-syntax', 'unbound-argument', 'forward-output', 'backward-output', 'init-output', 'init-shape',
  'examples-in-rows', 'low-precision', 'syntax-error', 'file-too-large', 'nothing-to-check', 'cancelled',
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
  related: { line: number; message: string; cell?: number }[];
  /** Only where the fix is certain. */
  fix?: CheckFix;
  /** For `not-written`: the term an exercise leaves as `...` (`dZ2`). */
  term?: string;
  /** In a notebook: the 1-based number of the cell (among all its cells); `line` is then the cell's line. */
  cell?: number;
}

export interface GradientResult {
  /** `dW1` */
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

export interface CheckResult {
  file: string;
  convention: 'two-layer' | 'L-layer' | null;
  dims: Record<string, number>;
  /** The relative difference above which a gradient is wrong. */
  tolerance: number;
  gradients: GradientResult[];
  reports: CheckReport[];
  functions: CheckedFunction[];
  traces: TracedVariable[];
  durationMs: number;
}

/** Which of the user's functions to check, when not found by their usual names. */
export interface CheckFunctions {
  forward?: string;
  backward?: string;
  init?: string;
  cost?: string;
}
