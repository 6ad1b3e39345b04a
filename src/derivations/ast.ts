/**
 * The parsed form of one side of an equation. Spans are offsets into the math span's source.
 */

export interface Span {
  start: number;
  end: number;
}

/** A layer index: `[2]`, or `[l − 1]`, `[L]` relative to the layer variable / the last layer. */
export type Layer = { n: number } | { v: 'l' | 'L'; off: number };

/**
 * How two factors are joined: `\cdot` (the matrix product), juxtaposition (the matrix product, or
 * element by element where only that fits: see evaluate.ts's juxtapose), `*` / `\odot`, `\times`, `\circ`.
 */
export type MulOp = 'dot' | 'juxt' | 'elem' | 'times' | 'circ';

/** A size in a shape claim: a number, or a symbol such as `m`, `n_x`, `n_h`. */
export type Dim = number | string;

export interface SymbolNode {
  k: 'sym';
  /** `a`, `W`, `ŷ`, `𝓛`, `alpha`; with a subscript `x_1`. A gradient name keeps its `d`: `dW`. */
  name: string;
  /** The letter without `d`, for a gradient name (`W` for `dW`). */
  base: string;
  d: boolean;
  layer?: Layer;
  /** `a^{(i)}`: the example index. */
  example?: string;
  /** The raw subscript: `ij`, `1.`, `x` (for `n_x`). */
  sub?: string;
  /** `g'`: how many primes. */
  prime: number;
  s: Span;
}

export type Node =
  | { k: 'num'; v: number; s: Span }
  | SymbolNode
  | { k: 'neg'; a: Node; s: Span }
  | { k: 'add'; terms: { sign: 1 | -1; node: Node }[]; s: Span }
  | { k: 'mul'; factors: Node[]; ops: MulOp[]; s: Span }
  | { k: 'div'; a: Node; b: Node; s: Span }
  | { k: 'pow'; a: Node; e: Node; s: Span }
  | { k: 'T'; a: Node; s: Span }
  /** A function the notation knows: `log` (with `base`), `exp`, `sigma`, `relu`, `np.sum`, … */
  | { k: 'call'; fn: string; args: Node[]; kw: Record<string, Node>; base?: number; prime: number; layer?: Layer; s: Span }
  /** `f(x, y)`: a symbol before parentheses, a function application or a product decided by what the symbol is. */
  | { k: 'apply'; f: SymbolNode; args: Node[]; s: Span }
  /** `\frac{∂f}{∂x}`, `\frac{d}{dx}(…)`. */
  | { k: 'deriv'; f: Node; x: SymbolNode; partial: boolean; s: Span }
  /** `[Z > 0]`: 1 where the comparison holds, else 0. */
  | { k: 'iverson'; a: Node; op: '>' | '<' | '>=' | '<=' | '=' | '!='; b: Node; s: Span }
  /** A matrix of numbers, `\begin{bmatrix} 5 & -7 \\ 2 & 1 \end{bmatrix}`. */
  | { k: 'matrix'; rows: Node[][]; s: Span }
  /** `\sum_{i=1}^{m} body`: over the examples. */
  | { k: 'sum'; index: string; from: Node; to: Node; body: Node; s: Span }
  /** `\sum_{\text{axis}=1} (3 \times 7)` in a shape claim. */
  | { k: 'axisSum'; axis: number; a: Node; s: Span }
  /** `(3 \times 7)`, `(n_h \times m)`. */
  | { k: 'shape'; r: Dim; c: Dim; s: Span }
  /** `X_{(3 \times 7)}`: a quantity with the shape written under it. */
  | { k: 'claimed'; a: Node; r: Dim; c: Dim; claim: Span; s: Span }
  /** `\dots`, `...`, `?`: a term left to write. */
  | { k: 'blank'; s: Span };

/** A node's sub-expressions, in the order written. */
export function children(n: Node): Node[] {
  switch (n.k) {
    case 'num':
    case 'sym':
    case 'blank':
    case 'shape':
      return [];
    case 'neg':
    case 'T':
    case 'claimed':
    case 'axisSum':
      return [n.a];
    case 'add':
      return n.terms.map((t) => t.node);
    case 'mul':
      return n.factors;
    case 'div':
    case 'iverson':
      return [n.a, n.b];
    case 'pow':
      return [n.a, n.e];
    case 'call':
      return [...n.args, ...Object.values(n.kw)];
    case 'apply':
      return [n.f, ...n.args];
    case 'deriv':
      return [n.f, n.x];
    case 'matrix':
      return n.rows.flat();
    case 'sum':
      return [n.from, n.to, n.body];
  }
}

/** Why a side or an equation is not checked; the kinds the summary counts. */
export type SkipKind =
  | 'picture'
  | 'text'
  | 'index'
  | 'no-layer'
  | 'ambiguous-d'
  | 'undefined'
  | 'not-a-function-of'
  | 'update'
  | 'incomplete'
  | 'unsupported'
  | 'jacobian'
  | 'relation'
  | 'bare-function'
  | 'domain'
  | 'sum-of-losses'
  | 'layer-range'
  | 'shape-unknown'
  | 'condition'
  | 'budget'
  | 'ambiguous-product'
  | 'other-loss';

/**
 * Thrown where notation is not read. Not an Error: it is thrown often, for every picture and
 * sentence, and a stack trace for each would cost more than the check.
 */
export class NotUnderstood {
  constructor(
    readonly kind: SkipKind,
    readonly detail: string,
    readonly span?: Span,
  ) {}

  get message(): string {
    return `${this.kind}: ${this.detail}`;
  }
}
