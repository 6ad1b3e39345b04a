/**
 * Evaluating a side, and differentiating one symbolically where the rules are known (else the
 * scope falls back to central differences). What a symbol, an application or a derivative means
 * depends on the world: the scalar world of the document's own definitions (scalarScope.ts) or the
 * backprop map on a random network (mapScope.ts); both implement Scope.
 */
import { children, type MulOp, type Node, NotUnderstood, type Span, type SymbolNode } from './ast';
import * as V from './values';
import { ShapeError, type Value } from './values';

export interface Scope {
  symbol(node: SymbolNode): Value;
  apply(node: Extract<Node, { k: 'apply' }>): Value;
  derivative(node: Extract<Node, { k: 'deriv' }>): Value;
  /** `\sum_{i=1}^{m}`: the body's values, one per value of the index. */
  sumOver(node: Extract<Node, { k: 'sum' }>): Value;
  /** In a derivative taken element by element, a product of two matrices has no meaning. */
  readonly elementwise: boolean;
}

/** A shape error with the operands that did not fit, for the notes' notation. */
export class OperandShapeError {
  constructor(
    readonly op: string,
    readonly at: Span,
    readonly left: { s: Span; shape: number[] },
    readonly right: { s: Span; shape: number[] },
  ) {}
}

/** A derivative rule that is not known symbolically: the scope differentiates numerically instead. */
export class NoRule {}

const SIGMA = (x: number): number => 1 / (1 + Math.exp(-x));

const FUNCTIONS: Record<string, (x: number) => number> = {
  exp: Math.exp,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  tanh: Math.tanh,
  sinh: Math.sinh,
  cosh: Math.cosh,
  sqrt: Math.sqrt,
  sigma: SIGMA,
  relu: (x) => (x > 0 ? x : 0),
  sign: Math.sign,
};

/** f′ of the functions with a prime the notes write (`\sigma'(z)`, `g'`). */
const DERIVATIVES: Record<string, (x: number) => number> = {
  exp: Math.exp,
  sin: Math.cos,
  cos: (x) => -Math.sin(x),
  tanh: (x) => 1 - Math.tanh(x) ** 2,
  sigma: (x) => SIGMA(x) * (1 - SIGMA(x)),
  relu: (x) => (x > 0 ? 1 : 0),
  log: (x) => 1 / x,
};

/** An operation of two values; operands that do not fit throw OperandShapeError with their places. */
export function binary(op: string, at: Span, a: { s: Span }, b: { s: Span }, x: Value, y: Value, f: (x: Value, y: Value) => Value): Value {
  try {
    return f(x, y);
  } catch (e) {
    if (e instanceof ShapeError) throw new OperandShapeError(op, at, { s: a.s, shape: x.shape }, { s: b.s, shape: y.shape });
    throw e;
  }
}

function callValue(node: Extract<Node, { k: 'call' }>, scope: Scope): Value {
  const { fn } = node;
  const arg = (i: number): Value => {
    const a = node.args[i];
    if (!a) throw new NotUnderstood('incomplete', `${fn} needs ${i + 1} argument(s)`, node.s);
    return evaluate(a, scope);
  };
  if (node.layer !== undefined) throw new NotUnderstood('unsupported', `${fn} with a layer index`, node.s);
  if (node.prime > 0) {
    if (node.prime > 1 || !DERIVATIVES[fn] || node.args.length !== 1 || node.base !== undefined) throw new NotUnderstood('unsupported', `${fn}${"'".repeat(node.prime)}`, node.s);
    return V.map(arg(0), DERIVATIVES[fn]!);
  }
  switch (fn) {
    case 'log': {
      if (node.args.length !== 1) throw new NotUnderstood('unsupported', 'log with more than one argument', node.s);
      const base = node.base ?? Math.E;
      return V.map(arg(0), (x) => Math.log(x) / Math.log(base));
    }
    case 'max':
    case 'min': {
      if (node.args.length !== 2) throw new NotUnderstood('unsupported', `${fn} of ${node.args.length} values`, node.s);
      const f = fn === 'max' ? Math.max : Math.min;
      return binary('elem', node.s, node.args[0]!, node.args[1]!, arg(0), arg(1), (x, y) => V.zip('elem', x, y, f));
    }
    case 'np.sum': {
      if (node.args.length !== 1) throw new NotUnderstood('unsupported', 'np.sum of more than one array', node.s);
      const axisNode = node.kw.axis;
      const keepNode = node.kw.keepdims;
      for (const k of Object.keys(node.kw)) if (k !== 'axis' && k !== 'keepdims') throw new NotUnderstood('unsupported', `np.sum(…, ${k}=…)`, node.s);
      const axis = axisNode ? evaluate(axisNode, scope).data[0]! : null;
      const keep = keepNode ? evaluate(keepNode, scope).data[0]! !== 0 : false;
      const a = arg(0);
      if (axis !== null && !(Number.isInteger(axis) && Math.abs(axis) < Math.max(1, a.shape.length) + (axis < 0 ? 1 : 0))) throw new NotUnderstood('unsupported', `axis=${axis} of an array of ${a.shape.length} dimensions`, node.s);
      if (scope.elementwise) throw new NotUnderstood('jacobian', 'a derivative through a sum', node.s);
      return V.sum(a, axis, keep);
    }
    case 'np.dot':
      if (node.args.length !== 2) throw new NotUnderstood('unsupported', 'np.dot of other than two arrays', node.s);
      return product('dot', node.s, node.args[0]!, node.args[1]!, arg(0), arg(1), scope);
    case 'np.multiply':
      if (node.args.length !== 2) throw new NotUnderstood('unsupported', 'np.multiply of other than two arrays', node.s);
      return binary('elem', node.s, node.args[0]!, node.args[1]!, arg(0), arg(1), V.times);
    default: {
      const f = FUNCTIONS[fn];
      if (!f) throw new NotUnderstood('unsupported', fn, node.s);
      if (node.args.length !== 1) throw new NotUnderstood('unsupported', `${fn} of ${node.args.length} values`, node.s);
      if (node.args[0]!.k === 'shape') throw new NotUnderstood('shape-unknown', 'a shape as an argument', node.s);
      return V.map(arg(0), f);
    }
  }
}

function product(op: MulOp, at: Span, a: { s: Span }, b: { s: Span }, x: Value, y: Value, scope: Scope): Value {
  if (op === 'elem') return binary('elem', at, a, b, x, y, V.times);
  if (op === 'juxt') return juxtapose(at, a, b, x, y, scope);
  if (V.isScalar(x) || V.isScalar(y)) return V.times(x, y);
  if (op === 'times' || op === 'circ') throw new NotUnderstood('unsupported', `${op === 'times' ? '×' : '∘'} between two arrays`, at);
  if (scope.elementwise) throw new NotUnderstood('jacobian', 'a derivative through a matrix product', at);
  return binary('dot', at, a, b, x, y, V.dot);
}

/**
 * A product by juxtaposition — `W^{[1]} X`, `\frac{1}{m} dZ^{[1]} X^T`, `A^{[2]}(1 - A^{[2]})`,
 * `a(1-a)` — read as the notes read it, or not read (never a false alarm):
 * - the matrix product where it fits: the notes write `z = Wa + b`, and between matrices nothing or
 *   `\cdot` is their matrix product;
 * - element by element where only that fits, both operands of one shape: the notes derive
 *   `\frac{da}{dz} = a(1-a)` for numbers and write it `A * (1-A)` for the matrices, so
 *   `A^{[2]}(1 - A^{[2]})` is that scalar formula written for the matrices; a matrix product of two
 *   (1 × m) does not exist and cannot be what is meant;
 * - operands of different shapes that only broadcast (`dZ^{[2]} A^{[1]}`: (1 × m) and (n_h × m)) are
 *   not read: a transpose may be missing as well as a `*`, and the notes broadcast only in a sum
 *   (`+ b^{[1]}`), never in a product;
 * - neither fitting is a shape error, as with `\cdot`.
 * `\cdot` itself stays the matrix product: the notes write elementwise products with `*`.
 */
export function juxtapose(at: Span, a: { s: Span }, b: { s: Span }, x: Value, y: Value, scope: Scope): Value {
  if (V.isScalar(x) || V.isScalar(y)) return V.times(x, y);
  if (V.dotFits(x.shape, y.shape)) {
    if (scope.elementwise) throw new NotUnderstood('jacobian', 'a derivative through a matrix product', at);
    return V.dot(x, y);
  }
  if (V.sameShape(x.shape, y.shape)) return V.times(x, y);
  if (V.broadcastShape(x.shape, y.shape)) throw new NotUnderstood('ambiguous-product', `(${x.shape.join(' × ')}) and (${y.shape.join(' × ')})`, { start: a.s.start, end: b.s.end });
  throw new OperandShapeError('dot', at, { s: a.s, shape: x.shape }, { s: b.s, shape: y.shape });
}

/**
 * What one check may still evaluate, counted in nodes: a text of a thousand chained definitions
 * must not hold the editor for minutes. Counted, not timed, so that the result never depends on
 * the machine's speed. checkMath sets it.
 */
export const work = { left: Infinity, used: 0 };

export function evaluate(node: Node, scope: Scope): Value {
  work.used++;
  if (--work.left < 0) throw new NotUnderstood('budget', 'more to evaluate than one check does', node.s);
  switch (node.k) {
    case 'num':
      return V.scalar(node.v);
    case 'sym':
      return scope.symbol(node);
    case 'neg':
      return V.map(evaluate(node.a, scope), (x) => -x);
    case 'add': {
      let acc: Value | null = null;
      let accNode: { s: Span } = node.terms[0]!.node;
      for (const t of node.terms) {
        let v = evaluate(t.node, scope);
        if (t.sign < 0) v = V.map(v, (x) => -x);
        acc = acc === null ? v : binary('add', t.node.s, accNode, t.node, acc, v, V.add);
        accNode = { s: { start: node.terms[0]!.node.s.start, end: t.node.s.end } };
      }
      return acc!;
    }
    case 'mul': {
      let acc = evaluate(node.factors[0]!, scope);
      // The product so far, from its first array on: a shape error names `X^T dZ`, not `1/m X^T dZ`.
      let from = node.factors[0]!.s.start;
      let accNode: { s: Span } = node.factors[0]!;
      for (let i = 1; i < node.factors.length; i++) {
        const f = node.factors[i]!;
        const v = evaluate(f, scope);
        if (V.isScalar(acc) && !V.isScalar(v)) from = f.s.start;
        acc = product(node.ops[i - 1]!, { start: accNode.s.end, end: f.s.start }, accNode, f, acc, v, scope);
        accNode = { s: { start: from, end: f.s.end } };
      }
      return acc;
    }
    case 'div':
      return binary('div', node.s, node.a, node.b, evaluate(node.a, scope), evaluate(node.b, scope), V.divide);
    case 'pow': {
      const e = evaluate(node.e, scope);
      if (!V.isOne(e)) throw new NotUnderstood('unsupported', 'a power with an array as exponent', node.s);
      const p = e.data[0]!;
      return V.map(evaluate(node.a, scope), (x) => x ** p);
    }
    case 'T':
      if (scope.elementwise) throw new NotUnderstood('jacobian', 'a derivative through a transpose', node.s);
      return V.transpose(evaluate(node.a, scope));
    case 'call':
      return callValue(node, scope);
    case 'apply':
      return scope.apply(node);
    case 'deriv':
      return scope.derivative(node);
    case 'iverson': {
      const cmp: Record<string, (x: number, y: number) => number> = {
        '>': (x, y) => +(x > y),
        '<': (x, y) => +(x < y),
        '>=': (x, y) => +(x >= y),
        '<=': (x, y) => +(x <= y),
        '=': (x, y) => +(x === y),
        '!=': (x, y) => +(x !== y),
      };
      return binary('elem', node.s, node.a, node.b, evaluate(node.a, scope), evaluate(node.b, scope), (x, y) => V.zip('elem', x, y, cmp[node.op]!));
    }
    case 'matrix': {
      const rows = node.rows.length;
      const cols = node.rows[0]!.length;
      const data: number[] = [];
      for (const row of node.rows) {
        for (const cell of row) {
          const v = evaluate(cell, scope);
          if (!V.isOne(v)) throw new NotUnderstood('unsupported', 'a matrix of matrices', cell.s);
          data.push(v.data[0]!);
        }
      }
      return V.matrix(rows, cols, data);
    }
    case 'sum':
      return scope.sumOver(node);
    case 'claimed':
      return evaluate(node.a, scope);
    case 'axisSum':
    case 'shape':
      throw new NotUnderstood('shape-unknown', 'a shape where a value is expected', node.s);
    case 'blank':
      throw new NotUnderstood('incomplete', 'a term not written yet', node.s);
  }
}

// ---------------------------------------------------------------- symbolic derivatives

const AT: Span = { start: 0, end: 0 };
const num = (v: number): Node => ({ k: 'num', v, s: AT });
const ZERO = num(0);
const ONE = num(1);
const isZero = (n: Node): boolean => n.k === 'num' && n.v === 0;
const isOneNode = (n: Node): boolean => n.k === 'num' && n.v === 1;
const call = (fn: string, arg: Node, extra: { base?: number; prime?: number } = {}): Node => ({ k: 'call', fn, args: [arg], kw: {}, prime: extra.prime ?? 0, ...(extra.base !== undefined ? { base: extra.base } : {}), s: AT });

function times(a: Node, b: Node, op: 'dot' | 'elem' = 'elem'): Node {
  if (isZero(a) || isZero(b)) return ZERO;
  if (isOneNode(a)) return b;
  if (isOneNode(b)) return a;
  return { k: 'mul', factors: [a, b], ops: [op], s: AT };
}

function plus(terms: { sign: 1 | -1; node: Node }[]): Node {
  const kept = terms.filter((t) => !isZero(t.node));
  if (kept.length === 0) return ZERO;
  if (kept.length === 1 && kept[0]!.sign === 1) return kept[0]!.node;
  return { k: 'add', terms: kept, s: AT };
}

function over(a: Node, b: Node): Node {
  if (isZero(a)) return ZERO;
  return { k: 'div', a, b, s: AT };
}

/** What differentiation needs of the world: the variable, and what a symbol or an application stands for. */
export interface DiffScope {
  /** Whether this symbol is the variable differentiated by. */
  isVariable(node: SymbolNode): boolean;
  /** A defined symbol's expression (an application's body with its arguments put in), else null. */
  expand(node: SymbolNode | Extract<Node, { k: 'apply' }>): Node | null;
}

/** d node / d x as an expression, taken element by element; throws NoRule where no rule is known. */
export function differentiate(node: Node, s: DiffScope): Node {
  const d = (n: Node): Node => differentiate(n, s);
  switch (node.k) {
    case 'num':
    case 'iverson':
    case 'matrix':
      return ZERO;
    case 'sym': {
      if (s.isVariable(node)) return ONE;
      const e = s.expand(node);
      return e ? d(e) : ZERO;
    }
    case 'apply': {
      const e = s.expand(node);
      if (!e) throw new NoRule();
      return d(e);
    }
    case 'neg':
      return plus([{ sign: -1, node: d(node.a) }]);
    case 'claimed':
      return d(node.a);
    case 'add':
      return plus(node.terms.map((t) => ({ sign: t.sign, node: d(t.node) })));
    case 'mul': {
      // Product rule; the factors keep their operators.
      const terms: { sign: 1; node: Node }[] = [];
      node.factors.forEach((_, i) => {
        const di = d(node.factors[i]!);
        if (isZero(di)) return;
        const factors = node.factors.map((f, j) => (j === i ? di : f));
        terms.push({ sign: 1, node: { k: 'mul', factors, ops: node.ops, s: AT } });
      });
      return plus(terms);
    }
    case 'div': {
      const da = d(node.a);
      const db = d(node.b);
      if (isZero(db)) return over(da, node.b);
      return over(plus([{ sign: 1, node: times(da, node.b) }, { sign: -1, node: times(node.a, db) }]), { k: 'pow', a: node.b, e: num(2), s: AT });
    }
    case 'pow': {
      const da = d(node.a);
      const de = d(node.e);
      if (isZero(de)) {
        if (isZero(da)) return ZERO;
        return times(times(node.e, { k: 'pow', a: node.a, e: plus([{ sign: 1, node: node.e }, { sign: -1, node: ONE }]), s: AT }), da);
      }
      // a^e = exp(e·log a): (a^e)' = a^e·(e′·log a + e·a′/a)
      return times(node, plus([{ sign: 1, node: times(de, call('log', node.a)) }, { sign: 1, node: times(node.e, over(da, node.a)) }]));
    }
    case 'call': {
      if (node.prime > 0 || node.layer !== undefined || node.args.length !== 1) {
        if (node.fn === 'max' && node.args.length === 2 && node.prime === 0) {
          const [a, b] = node.args as [Node, Node];
          const ga: Node = { k: 'iverson', a, op: '>', b, s: AT };
          const gb: Node = { k: 'iverson', a, op: '<=', b, s: AT };
          return plus([{ sign: 1, node: times(ga, d(a)) }, { sign: 1, node: times(gb, d(b)) }]);
        }
        throw new NoRule();
      }
      const u = node.args[0]!;
      const du = d(u);
      if (isZero(du)) return ZERO;
      let outer: Node;
      switch (node.fn) {
        case 'exp':
          outer = node;
          break;
        case 'log':
          outer = over(ONE, node.base === undefined ? u : times(u, num(Math.log(node.base))));
          break;
        case 'sqrt':
          outer = over(ONE, times(num(2), node));
          break;
        case 'sigma':
          outer = times(node, plus([{ sign: 1, node: ONE }, { sign: -1, node }]));
          break;
        case 'relu':
          outer = { k: 'iverson', a: u, op: '>', b: ZERO, s: AT };
          break;
        case 'tanh':
          outer = plus([{ sign: 1, node: ONE }, { sign: -1, node: { k: 'pow', a: node, e: num(2), s: AT } }]);
          break;
        case 'sin':
          outer = call('cos', u);
          break;
        case 'cos':
          outer = plus([{ sign: -1, node: call('sin', u) }]);
          break;
        case 'sinh':
          outer = call('cosh', u);
          break;
        case 'cosh':
          outer = call('sinh', u);
          break;
        default:
          throw new NoRule();
      }
      return times(outer, du);
    }
    default:
      // Transposes, sums, matrix products of the variable, derivatives of derivatives: numerically, if at all.
      throw new NoRule();
  }
}

/** Whether node depends on the variable (through definitions and applications). */
export function dependsOn(node: Node, s: DiffScope, seen: Set<Node> = new Set()): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  if (node.k === 'sym') {
    if (s.isVariable(node)) return true;
    const e = s.expand(node);
    return e ? dependsOn(e, s, seen) : false;
  }
  if (node.k === 'apply') {
    const e = s.expand(node);
    if (e) return dependsOn(e, s, seen);
  }
  if (node.k === 'deriv') return dependsOn(node.f, s, seen);
  return children(node).some((c) => dependsOn(c, s, seen));
}
