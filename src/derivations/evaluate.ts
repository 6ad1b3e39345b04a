/**
 * Evaluating a side (its symbolic derivatives are differentiate.ts's; where it knows no rule, the
 * scope falls back to central differences). What a symbol, an application or a derivative means
 * depends on the world: the scalar world of the document's own definitions (scalarScope.ts) or the
 * backprop map on a random network (mapScope.ts); both implement Scope.
 */
import { type MulOp, type Node, NotUnderstood, type Span, type SymbolNode } from './ast';
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
