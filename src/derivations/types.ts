/**
 * The derivation checker's results, JSON-compatible. Lines and columns are 1-based (columns in
 * UTF-16 units), end columns exclusive; in a notebook `cell` is the 1-based number of the cell
 * among all cells and `line` the line in it.
 */
import type { SkipKind } from './ast';

export interface MathLocation {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  cell?: number;
}

/** ok: both sides agree; wrong/shape: a break; definition: the left side is defined by the right. */
export type RelationVerdict = 'ok' | 'wrong' | 'shape' | 'definition' | 'skipped' | 'partly' | 'not-written';

export interface SkipReason {
  kind: SkipKind;
  /** What was not read, in the source's own notation or a few words. */
  detail: string;
}

export interface SideReport extends MathLocation {
  tex: string;
  /** `(n_h × m) = (3 × 7)`, `scalar`. */
  shape?: string;
  /** At the test point: a number, or a matrix's first entries. */
  value?: string;
  skipped?: SkipReason;
}

export interface RelationReport extends MathLocation {
  op: '=' | ':=';
  verdict: RelationVerdict;
  /** The sides it compares (indices into the equation's sides); a side not checked between them is passed over. */
  left: number;
  right: number;
  skipped?: SkipReason;
  /** For a break: the finding's message. */
  message?: string;
  /** A note: for which layers it holds. */
  note?: string;
}

export type EquationVerdict = 'ok' | 'wrong' | 'partly' | 'definition' | 'skipped' | 'not-written';

export interface EquationReport extends MathLocation {
  tex: string;
  /** scalar: the document's definitions at random points; map: the backprop map on a random network; shape: a shape claim. */
  world: 'scalar' | 'map' | 'shape';
  verdict: EquationVerdict;
  /** Where the sides were evaluated: `a = 0.37, y = 0.62`, `n_x = 4, n_h = 3, m = 7`. */
  testPoint?: string;
  sides: SideReport[];
  relations: RelationReport[];
  /** An exercise's term left to write (`dZ2`). */
  term?: string;
}

export interface MathFinding extends MathLocation {
  severity: 'error' | 'warning' | 'info';
  /** `math-wrong`, `missing-1-over-m`, `map-shape`, `claim-shape`, `not-written`, … */
  code: string;
  message: string;
  related: (MathLocation & { message: string })[];
  term?: string;
}

export interface MathSummary {
  /** Statements with at least one `=`/`:=`, and shape claims. */
  equations: number;
  /** With at least one step checked. */
  checked: number;
  /** With a break or a shape error. */
  wrong: number;
  /** Only definitions. */
  definitions: number;
  /** Nothing in them checked. */
  skipped: number;
  /** The steps (relations) by verdict. */
  relations: Record<RelationVerdict, number>;
  /** Why steps were not checked, by kind. */
  skippedKinds: Partial<Record<SkipKind, number>>;
  /** Present when the document was read with examples in rows (its map equations fit only so). */
  examples?: 'rows';
}

export interface MathResult {
  file: string;
  equations: EquationReport[];
  findings: MathFinding[];
  summary: MathSummary;
  durationMs: number;
}
