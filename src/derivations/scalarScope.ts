/**
 * The scalar world: the document's own definitions (`\mathcal{L}(a, y) = …`, `a = \sigma(z)`) in
 * force, every other symbol a free number drawn at a few test points. Derivatives come from the
 * definitions, symbolically where the rules are known, else by central differences, the other
 * symbols held as they depend.
 */
import { children, type Node, NotUnderstood, type SymbolNode } from './ast';
import { type DiffScope, dependsOn, differentiate, NoRule } from './differentiate';
import { evaluate, juxtapose, type Scope } from './evaluate';
import { createRng } from '../core/rng';
import * as V from './values';
import type { Value } from './values';

export type Definition = { kind: 'value'; node: Node; line: number } | { kind: 'fn'; params: string[]; body: Node; line: number };

/** Symbols that name functions by convention: `f(x)` is an application, never f·x. */
const FUNCTION_NAMES = new Set(['f', 'g', 'h', 'F', 'G', 'H', '𝓛', 'J', 'phi', 'varphi', 'psi', 'calL', 'calJ']);

/** How many test points, and how many of them lie in (0.1, 0.9), where logs and a(1 − a) are defined. */
export const POINTS = 6;
export const NARROW = 3;

export class Definitions {
  readonly defs = new Map<string, Definition>();
  /** A function's arguments as last written, `𝓛(a, y)`: the bare `𝓛` means 𝓛 of them. */
  readonly args = new Map<string, string[]>();

  /** Whether name's definition refers (through others) to target. */
  reaches(name: string, target: string, seen = new Set<string>()): boolean {
    if (seen.has(name)) return false;
    seen.add(name);
    const def = this.defs.get(name);
    if (!def) return false;
    const body = def.kind === 'value' ? def.node : def.body;
    const params = def.kind === 'fn' ? new Set(def.params) : new Set<string>();
    return symbolsOf(body).some((s) => !params.has(s) && (s === target || this.reaches(s, target, seen)));
  }

  /**
   * name := node. A definition through its own name is an update (θ := θ − α·∇J), not recorded.
   * Older definitions that would now go round in a circle through name are dropped: notes reuse a
   * letter for a new quantity (z = Wa + b after a = σ(z)).
   */
  define(name: string, def: Definition): boolean {
    const body = def.kind === 'value' ? def.node : def.body;
    const params = def.kind === 'fn' ? new Set(def.params) : new Set<string>();
    const used = symbolsOf(body).filter((s) => !params.has(s));
    if (used.includes(name)) return false;
    // Only when the new definition leads back to its own name is there a circle to break.
    if (used.some((s) => this.reaches(s, name))) {
      for (const s of used) {
        for (const other of [...this.defs.keys()]) if (other !== name && (other === s || this.reaches(s, other)) && this.reaches(other, name)) this.defs.delete(other);
      }
    }
    this.defs.set(name, def);
    if (def.kind === 'fn') this.args.set(name, def.params);
    else this.args.delete(name);
    return true;
  }
}

/** The names of the symbols in a node (applications' function names too). */
export function symbolsOf(node: Node): string[] {
  const out: string[] = [];
  const walk = (n: Node): void => {
    if (n.k === 'sym') out.push(n.name);
    children(n).forEach(walk);
  };
  walk(node);
  return out;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** One test point: each free symbol's value, drawn when first asked for. */
export class Point {
  readonly values = new Map<string, Value>();
  /** Where the names asked for are noted, while a side is evaluated. */
  touched: Set<string> | null = null;

  constructor(readonly k: number) {}

  get(name: string): Value {
    this.touched?.add(name);
    let v = this.values.get(name);
    if (!v) {
      const u = createRng(hash(name), this.k + 1).uniform();
      v = V.scalar(this.k < NARROW ? 0.1 + 0.8 * u : -2 + 4 * u);
      this.values.set(name, v);
    }
    return v;
  }
}

function substitute(node: Node, bind: Map<string, Node>): Node {
  const s = (x: Node): Node => substitute(x, bind);
  switch (node.k) {
    case 'sym':
      return node.layer === undefined && node.example === undefined && bind.has(node.name) ? bind.get(node.name)! : node;
    case 'apply':
      return { ...node, args: node.args.map(s) };
    case 'neg':
    case 'T':
    case 'claimed':
    case 'axisSum':
      return { ...node, a: s(node.a) } as Node;
    case 'add':
      return { ...node, terms: node.terms.map((t) => ({ sign: t.sign, node: s(t.node) })) };
    case 'mul':
      return { ...node, factors: node.factors.map(s) };
    case 'div':
      return { ...node, a: s(node.a), b: s(node.b) };
    case 'iverson':
      return { ...node, a: s(node.a), b: s(node.b) };
    case 'pow':
      return { ...node, a: s(node.a), e: s(node.e) };
    case 'call':
      return { ...node, args: node.args.map(s), kw: Object.fromEntries(Object.entries(node.kw).map(([k, v]) => [k, s(v)])) };
    case 'deriv':
      return { ...node, f: s(node.f) };
    case 'matrix':
      return { ...node, rows: node.rows.map((r) => r.map(s)) };
    case 'sum':
      return { ...node, from: s(node.from), to: s(node.to), body: s(node.body) };
    default:
      return node;
  }
}

const CONSTANTS: Record<string, number> = { e: Math.E, pi: Math.PI };

export class ScalarScope implements Scope, DiffScope {
  private readonly memo = new Map<string, Value>();
  private readonly visiting = new Set<string>();
  /** Function parameters while a body is evaluated (only the innermost call's). */
  private frame: Map<string, Value> | null = null;
  private variable: string | null = null;
  private depth = 0;

  constructor(
    private readonly defs: Definitions,
    private readonly point: Point,
    /** Lowercase letters that read as their uppercase in this statement (z is a column of Z). */
    private readonly folds: ReadonlyMap<string, string>,
    private readonly overrides: ReadonlyMap<string, Value> = new Map(),
    readonly elementwise = false,
  ) {}

  /** The name a symbol stands for here: folded to its uppercase, L read as 𝓛 when only 𝓛 is defined. */
  name(node: SymbolNode): string {
    let name = this.folds.get(node.name) ?? node.name;
    if (name === 'L' && !this.defs.defs.has('L') && this.defs.defs.has('𝓛')) name = '𝓛';
    return name;
  }

  private check(node: SymbolNode): void {
    if (node.layer !== undefined || node.example !== undefined) throw new NotUnderstood('unsupported', `${node.name} with an index`, node.s);
    if (node.prime > 0) throw new NotUnderstood('unsupported', `${node.name}′`, node.s);
  }

  symbol(node: SymbolNode): Value {
    this.check(node);
    const name = this.name(node);
    if (this.frame?.has(name)) return this.frame.get(name)!;
    if (this.overrides.has(name)) return this.overrides.get(name)!;
    const def = this.defs.defs.get(name);
    if (def?.kind === 'value') return this.global(name, def.node);
    if (def?.kind === 'fn') return this.apply({ k: 'apply', f: node, args: this.currentArgs(name, node), s: node.s });
    if (node.d) throw new NotUnderstood('ambiguous-d', node.name, node.s);
    if (FUNCTION_NAMES.has(name)) throw new NotUnderstood('undefined', `${node.name} is not defined`, node.s);
    if (CONSTANTS[name] !== undefined) return V.scalar(CONSTANTS[name]!);
    return this.point.get(name);
  }

  private currentArgs(name: string, node: SymbolNode): Node[] {
    const args = this.defs.args.get(name);
    if (!args) throw new NotUnderstood('bare-function', node.name, node.s);
    return args.map((a) => ({ k: 'sym', name: a, base: a, d: false, prime: 0, s: node.s }));
  }

  /** A defined symbol's value: once per scope, outside any function's parameters. */
  private global(name: string, node: Node): Value {
    const hit = this.memo.get(name);
    if (hit) return hit;
    if (this.visiting.has(name)) throw new NotUnderstood('unsupported', `${name} is defined through itself`, node.s);
    this.visiting.add(name);
    const saved = this.frame;
    this.frame = null;
    try {
      const v = evaluate(node, this);
      this.memo.set(name, v);
      return v;
    } finally {
      this.frame = saved;
      this.visiting.delete(name);
    }
  }

  apply(node: Extract<Node, { k: 'apply' }>): Value {
    const name = this.name(node.f);
    const def = this.defs.defs.get(name);
    if (node.f.prime === 1 && def?.kind === 'fn' && def.params.length === 1 && node.args.length === 1 && node.f.layer === undefined) {
      // f′(u): the derivative of f's body by its parameter, at u.
      const p = def.params[0]!;
      const at = evaluate(node.args[0]!, this);
      const param: SymbolNode = { k: 'sym', name: p, base: p, d: false, prime: 0, s: node.s };
      const inner = new ScalarScope(this.defs, this.point, this.folds, new Map([...this.overrides, [p, at]]));
      return inner.derivative({ k: 'deriv', f: { k: 'apply', f: { ...node.f, prime: 0 }, args: [param], s: node.s }, x: param, partial: false, s: node.s });
    }
    this.check(node.f);
    if (def?.kind === 'fn') {
      if (def.params.length !== node.args.length) throw new NotUnderstood('unsupported', `${node.f.name} takes ${def.params.length} argument(s)`, node.s);
      const values = node.args.map((a) => evaluate(a, this));
      if (this.depth > 50) throw new NotUnderstood('unsupported', `${name} calls itself`, node.s);
      const saved = this.frame;
      this.frame = new Map(def.params.map((p, i) => [p, values[i]!]));
      this.depth++;
      try {
        return evaluate(def.body, this);
      } finally {
        this.depth--;
        this.frame = saved;
      }
    }
    const named = this.valueApplication(node);
    if (named) return evaluate(named, this);
    if (def === undefined && FUNCTION_NAMES.has(name)) throw new NotUnderstood('undefined', `${node.f.name} is not defined`, node.s);
    if (node.args.length !== 1) throw new NotUnderstood('undefined', `${node.f.name} is not a function`, node.s);
    // a(1 − a): a product by juxtaposition.
    return juxtapose(node.s, node.f, node.args[0]!, this.symbol(node.f), evaluate(node.args[0]!, this), this);
  }

  /** `𝓛(a, y)` of a 𝓛 defined without arguments, in a and y: its value itself. */
  private valueApplication(node: Extract<Node, { k: 'apply' }>): Node | null {
    const def = this.defs.defs.get(this.name(node.f));
    if (def?.kind !== 'value' || node.args.length < 2) return null;
    const names = node.args.map((a) => (a.k === 'sym' && a.layer === undefined ? a.name : null));
    const free = new Set(symbolsOf(def.node));
    if (names.every((x) => x !== null && free.has(x))) return def.node;
    throw new NotUnderstood('bare-function', `${node.f.name} was defined without its arguments`, node.s);
  }

  // ---- derivatives

  isVariable(node: SymbolNode): boolean {
    return node.layer === undefined && node.example === undefined && this.name(node) === this.variable && !this.frame;
  }

  expand(node: SymbolNode | Extract<Node, { k: 'apply' }>): Node | null {
    if (++this.depth > 200) throw new NotUnderstood('unsupported', 'definitions that go round in a circle', node.s);
    try {
      if (node.k === 'sym') {
        if (node.layer !== undefined || node.example !== undefined) return null;
        const name = this.name(node);
        if (name === this.variable || this.overrides.has(name)) return null;
        const def = this.defs.defs.get(name);
        if (def?.kind === 'value') return def.node;
        if (def?.kind === 'fn') return this.expand({ k: 'apply', f: node, args: this.currentArgs(name, node), s: node.s });
        return null;
      }
      const def = this.defs.defs.get(this.name(node.f));
      if (def?.kind === 'fn' && def.params.length === node.args.length) return substitute(def.body, new Map(def.params.map((p, i) => [p, node.args[i]!])));
      const named = def?.kind === 'value' ? this.valueApplication(node) : null;
      if (named) return named;
      if (def === undefined && !FUNCTION_NAMES.has(this.name(node.f)) && node.args.length === 1) return { k: 'mul', factors: [node.f, node.args[0]!], ops: ['juxt'], s: node.s };
      return null;
    } finally {
      this.depth--;
    }
  }

  derivative(node: Extract<Node, { k: 'deriv' }>): Value {
    const x = node.x;
    this.check(x);
    if (x.d) throw new NotUnderstood('ambiguous-d', x.name, x.s);
    const variable = this.name(x);
    if (this.defs.defs.get(variable)?.kind === 'fn') throw new NotUnderstood('unsupported', `a derivative by the function ${x.name}`, x.s);
    const by = new ScalarScope(this.defs, this.point, this.folds, this.overrides);
    by.variable = variable;
    if (!dependsOn(node.f, by)) throw new NotUnderstood('not-a-function-of', `${rawName(node.f)} of ${x.name}`, node.s);
    let d: Node | null = null;
    try {
      d = differentiate(node.f, by);
    } catch (e) {
      if (!(e instanceof NoRule)) throw e;
    }
    if (d) return evaluate(d, new ScalarScope(this.defs, this.point, this.folds, this.overrides, true));
    // No rule: central differences, x moved and everything that depends on it recomputed.
    const x0 = this.symbol(x);
    if (!V.isScalar(x0)) throw new NotUnderstood('jacobian', `a derivative by the array ${x.name}`, x.s);
    const h = 1e-6 * Math.max(1, Math.abs(x0.data[0]!));
    const at = (dx: number): Value => evaluate(node.f, new ScalarScope(this.defs, this.point, this.folds, new Map([...this.overrides, [variable, V.scalar(x0.data[0]! + dx)]])));
    const plus = at(h);
    const minus = at(-h);
    return V.map(V.sub(plus, minus), (t) => t / (2 * h));
  }

  sumOver(node: Extract<Node, { k: 'sum' }>): Value {
    const from = evaluate(node.from, this);
    const to = evaluate(node.to, this);
    const a = from.data[0]!;
    const b = to.data[0]!;
    if (!V.isOne(from) || !V.isOne(to) || !Number.isInteger(a) || !Number.isInteger(b) || b - a > 1000) throw new NotUnderstood('unsupported', 'a sum without whole-number bounds', node.s);
    let acc: Value = V.scalar(0);
    const saved = this.frame;
    for (let k = a; k <= b; k++) {
      this.frame = new Map([...(saved ?? []), [node.index, V.scalar(k)]]);
      try {
        acc = V.add(acc, evaluate(node.body, this));
      } finally {
        this.frame = saved;
      }
    }
    return acc;
  }
}

function rawName(node: Node): string {
  return node.k === 'sym' ? node.name : node.k === 'apply' ? node.f.name : 'it';
}
