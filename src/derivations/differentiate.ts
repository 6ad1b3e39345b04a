/**
 * Differentiating a side symbolically where the rules are known (sum, product, quotient, power, the
 * chain rule through exp, log, σ, relu, tanh, sin, cos, √); where no rule is known NoRule is thrown
 * and the scope differentiates numerically instead. Taken element by element: the result is
 * evaluated in a scope where a matrix product has no meaning.
 */
import { children, type Node, type Span, type SymbolNode } from './ast';

/** A derivative rule that is not known symbolically: the scope differentiates numerically instead. */
export class NoRule {}

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
