/**
 * Shape claims: `(1 \times 3) = (1 \times 7) \circ (7 \times 3)` checked by the rules of matrix
 * products (here `\circ` and `\cdot` are the matrix product, `*` is element by element with
 * broadcasting, and juxtaposition is read as between values: the matrix product, or element by
 * element where only that fits — see evaluate.ts's juxtapose), and `A^{[1]}\;(3 \times 7)` checked
 * against the sizes the document's other claims give the same symbols.
 */
import { children, type Dim, type Node, NotUnderstood, type Span } from './ast';
import { dimSymbol } from '../shared/tex';

export type Shape = { r: Dim; c: Dim } | 'scalar';

export class ClaimError {
  constructor(
    readonly kind: 'product' | 'broadcast',
    readonly left: Shape,
    readonly right: Shape,
    readonly at: Span,
  ) {}
}

export function dimText(d: Dim): string {
  return String(d);
}

export function shapeText(s: Shape): string {
  return s === 'scalar' ? '(1 × 1)' : `(${dimText(s.r)} × ${dimText(s.c)})`;
}

const sameDim = (a: Dim, b: Dim): boolean => String(a).replace(/[{}\s]/g, '') === String(b).replace(/[{}\s]/g, '');

export function sameShape(a: Shape, b: Shape): boolean {
  const norm = (s: Shape): { r: Dim; c: Dim } => (s === 'scalar' ? { r: 1, c: 1 } : s);
  const x = norm(a);
  const y = norm(b);
  return sameDim(x.r, y.r) && sameDim(x.c, y.c);
}

/** numpy's broadcast of two shapes, or null. */
function broadcastOf(a: Shape, b: Shape): Shape | null {
  if (a === 'scalar') return b;
  if (b === 'scalar') return a;
  const one = (x: Dim, y: Dim): Dim | null => (sameDim(x, y) ? x : x === 1 ? y : y === 1 ? x : null);
  const r = one(a.r, b.r);
  const c = one(a.c, b.c);
  return r === null || c === null ? null : { r, c };
}

function broadcast(a: Shape, b: Shape, at: Span): Shape {
  const s = broadcastOf(a, b);
  if (!s) throw new ClaimError('broadcast', a, b, at);
  return s;
}

/** Whether a side is written in shapes: it holds a `(r \times c)` (a shape under a quantity is a claim about it, not this). */
export function isShapeSide(node: Node): boolean {
  if (node.k === 'shape' || node.k === 'axisSum') return true;
  if (node.k === 'claimed' || node.k === 'sym') return false;
  return children(node).some(isShapeSide);
}

/** The shape a side written in shapes has; throws ClaimError where the rules are broken. */
export function shapeOf(node: Node): Shape {
  switch (node.k) {
    case 'shape':
      return { r: node.r, c: node.c };
    case 'num':
      return 'scalar';
    case 'neg':
      return shapeOf(node.a);
    case 'T': {
      const s = shapeOf(node.a);
      return s === 'scalar' ? s : { r: s.c, c: s.r };
    }
    case 'axisSum': {
      const s = shapeOf(node.a);
      if (s === 'scalar') return s;
      return node.axis === 1 ? { r: s.r, c: 1 } : { r: 1, c: s.c };
    }
    case 'add': {
      let acc = shapeOf(node.terms[0]!.node);
      for (const t of node.terms.slice(1)) acc = broadcast(acc, shapeOf(t.node), t.node.s);
      return acc;
    }
    case 'div':
      return broadcast(shapeOf(node.a), shapeOf(node.b), node.s);
    case 'mul': {
      let acc = shapeOf(node.factors[0]!);
      node.factors.slice(1).forEach((f, i) => {
        const s = shapeOf(f);
        const op = node.ops[i]!;
        const at = { start: node.factors[i]!.s.end, end: f.s.start };
        if (acc === 'scalar' || s === 'scalar') acc = acc === 'scalar' ? s : acc;
        else if (op === 'elem') acc = broadcast(acc, s, at);
        else if (op === 'times') throw new NotUnderstood('unsupported', '× between shapes', at);
        else if (op === 'juxt' && !sameDim(acc.c, s.r) && sameShape(acc, s)) {
          // (1 × m)(1 × m): element by element, as a product by juxtaposition of one shape is read (evaluate.ts's juxtapose).
        } else if (op === 'juxt' && !sameDim(acc.c, s.r) && broadcastOf(acc, s)) {
          throw new NotUnderstood('ambiguous-product', `${shapeText(acc)} ${shapeText(s)}`, { start: node.factors[i]!.s.start, end: f.s.end });
        } else {
          if (!sameDim(acc.c, s.r)) throw new ClaimError('product', acc, s, at);
          acc = { r: acc.r, c: s.c };
        }
      });
      return acc;
    }
    case 'call': {
      if (node.args.length !== 1) throw new NotUnderstood('unsupported', `${node.fn} of shapes`, node.s);
      const s = shapeOf(node.args[0]!);
      if (node.fn === 'np.sum') return 'scalar';
      return s;
    }
    default:
      throw new NotUnderstood('shape-unknown', 'a value among shapes', node.s);
  }
}

/** The operands of a product of shapes at the top of a side, in order: `(1 × 7) ∘ (7 × 3)` → two. */
export function productOperands(node: Node): Node[] {
  if (node.k === 'mul' && node.ops.every((o) => o === 'dot' || o === 'juxt' || o === 'circ')) return node.factors.filter((f) => f.k !== 'num' && f.k !== 'div');
  return [node];
}

/** A layer's size in the notes' words: n_x, n_h (n_{h1} …), n_y. */
export function sizeName(l: number, L: number): string {
  return l === L ? 'n_y' : dimSymbol(l, L);
}

/** A size of the network: a layer's (n_x is layer 0), the examples', or the 1 of a bias's column. */
export type Size = number | 'm' | 'one';

/** The sizes of a quantity's rows and columns. */
export function quantitySizes(key: string, layer: number): [Size, Size] | null {
  switch (key) {
    case 'A':
    case 'Z':
    case 'dA':
    case 'dZ':
      return [layer, 'm'];
    case 'W':
    case 'dW':
      return [layer, layer - 1];
    case 'b':
    case 'db':
      return [layer, 'one'];
    default:
      return null;
  }
}

interface Binding {
  value: number;
  line: number;
  cell?: number;
}

/** The sizes the document's claims give its symbols: the first claim of a size wins, a later one that differs is a finding. */
export class DocSizes {
  private readonly sizes = new Map<string, Binding>();

  constructor(readonly L: number) {}

  private name(s: Size): string {
    return s === 'm' ? 'm' : s === 'one' ? '1' : sizeName(s, this.L);
  }

  /** Binds each size of a quantity's claimed shape; returns the conflicts. */
  bind(sizes: [Size, Size], claimed: { r: Dim; c: Dim }, at: { line: number; cell?: number }): { name: string; value: number; before: Binding }[] {
    const out: { name: string; value: number; before: Binding }[] = [];
    sizes.forEach((s, i) => {
      const c = i === 0 ? claimed.r : claimed.c;
      if (typeof c !== 'number') return;
      const name = this.name(s);
      const before = s === 'one' ? { value: 1, line: at.line } : this.sizes.get(name);
      if (before === undefined) this.sizes.set(name, { value: c, line: at.line, ...(at.cell !== undefined ? { cell: at.cell } : {}) });
      else if (before.value !== c) out.push({ name, value: c, before });
    });
    return out;
  }

  /** `(n_h × m)`: a quantity's shape in symbols. */
  symbolic(sizes: [Size, Size]): string {
    return `(${this.name(sizes[0])} × ${this.name(sizes[1])})`;
  }
}
