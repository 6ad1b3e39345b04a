/**
 * The arithmetic of a side: sums, products (by juxtaposition, `\cdot`, `*`, `\odot`, `/`),
 * signed factors, and the scripts and primes after a factor; operators that take the rest of a
 * product (`\frac{d}{dz}`, `\sum_{i=1}^m`). What a single factor is — a name, a call, a
 * fraction, brackets, a matrix — the layers above read (calls.ts, parse.ts).
 */
import { type MulOp, type Node, NotUnderstood, type Span, type SymbolNode } from './ast';
import type { Token } from './lexer';
import { EQUAL_COMMANDS, MAX_NESTING, MUL_COMMANDS, OTHER_RELATIONS } from './notation';
import { subscript, superscript } from './scripts';
import { TokenCursor } from './tokenCursor';

export type Marker =
  | { k: 'derivOp'; x: SymbolNode; partial: boolean; s: Span }
  | { k: 'sumOp'; index: string; from: Node; to: Node; s: Span }
  | { k: 'axisSumOp'; axis: number; s: Span };

export type Factor = Node | Marker;

const spanOf = (f: Node[]): Span => ({ start: f[0]!.s.start, end: f[f.length - 1]!.s.end });

/**
 * A product's factors joined. Matrix products (written together or with `\cdot`) bind tighter than
 * element-by-element ones (`*`, `\odot`): `g'(Z^{[1]}) * W^{[2]T} dZ^{[2]}` is g′ times the product
 * W^{[2]T} dZ^{[2]}, as it is meant, not (g′ * W^{[2]T}) dZ^{[2]}; otherwise left to right.
 */
function joined(factors: Node[], ops: MulOp[]): Node {
  if (factors.length === 1) return factors[0]!;
  const matrix = (op: MulOp): boolean => op === 'dot' || op === 'juxt';
  if (!ops.includes('elem') || !ops.some(matrix)) return { k: 'mul', factors, ops, s: spanOf(factors) };
  const groups: Node[] = [];
  const between: MulOp[] = [];
  let run: Node[] = [factors[0]!];
  let runOps: MulOp[] = [];
  const close = (): void => void groups.push(run.length === 1 ? run[0]! : { k: 'mul', factors: run, ops: runOps, s: spanOf(run) });
  ops.forEach((op, i) => {
    if (matrix(op)) {
      run.push(factors[i + 1]!);
      runOps.push(op);
      return;
    }
    close();
    between.push(op);
    run = [factors[i + 1]!];
    runOps = [];
  });
  close();
  return { k: 'mul', factors: groups, ops: between, s: spanOf(factors) };
}

export abstract class ExpressionReader extends TokenCursor {
  /** One factor: a number, a name, a call, brackets, a fraction, a matrix, or an operator. */
  protected abstract primary(): Factor;

  /** A reader of other tokens (a group's, a script's) at the same nesting. */
  protected abstract sub(tokens: Token[]): ExpressionReader;

  parseSide(): Node {
    if (this.t.length === 0) throw new NotUnderstood('incomplete', 'an empty side', this.endSpan());
    const n = this.expr();
    if (!this.done()) {
      const t = this.peek()!;
      throw new NotUnderstood(t.kind === 'other' ? 'picture' : 'unsupported', `"${t.text}" is not read here`, { start: t.start, end: t.end });
    }
    return n;
  }

  expr(): Node {
    // Sub-parsers nest with the brackets; a bound keeps a hostile text from exhausting the stack.
    if (++this.shared.depth > MAX_NESTING) throw new NotUnderstood('unsupported', 'brackets nested too deep');
    try {
      return this.exprAt();
    } finally {
      this.shared.depth--;
    }
  }

  private exprAt(): Node {
    const first = this.peek();
    const terms: { sign: 1 | -1; node: Node }[] = [];
    let sign: 1 | -1 = 1;
    if (this.is('op', '-')) {
      this.i++;
      sign = -1;
    } else if (this.is('op', '+')) this.i++;
    terms.push({ sign, node: this.term() });
    while (this.is('op', '+') || this.is('op', '-') || this.is('cmd', 'pm') || this.is('cmd', 'mp')) {
      const t = this.next();
      if (t.kind === 'cmd') throw new NotUnderstood('unsupported', '± has two values', { start: t.start, end: t.end });
      terms.push({ sign: t.text === '-' ? -1 : 1, node: this.term() });
    }
    if (terms.length === 1 && sign === 1) return terms[0]!.node;
    const last = terms[terms.length - 1]!.node;
    const s = { start: first?.start ?? 0, end: last.s.end };
    if (terms.length === 1) return { k: 'neg', a: terms[0]!.node, s };
    return { k: 'add', terms, s };
  }

  private mulOp(): MulOp | '/' | null {
    const t = this.peek();
    if (!t) return null;
    if (t.kind === 'op' && t.text === '*') return 'elem';
    if (t.kind === 'op' && t.text === '/') return '/';
    if (t.kind === 'cmd' && t.text === 'div') return '/';
    if (t.kind === 'cmd' && MUL_COMMANDS[t.text]) return MUL_COMMANDS[t.text]!;
    return null;
  }

  protected startsFactor(): boolean {
    const t = this.peek();
    if (!t) return false;
    switch (t.kind) {
      case 'num':
      case 'letter':
      case 'text':
      case 'begin':
      case 'other':
        return true;
      case 'op':
        return t.text === '(' || t.text === '[' || t.text === '{' || t.text === '\\{' || t.text === '.' || t.text === '?' || t.text === '|';
      case 'cmd':
        return !MUL_COMMANDS[t.text] && !OTHER_RELATIONS.has(t.text) && !EQUAL_COMMANDS.has(t.text) && t.text !== 'div' && t.text !== 'pm' && t.text !== 'mp';
      default:
        return false;
    }
  }

  term(): Node {
    const factors: Node[] = [];
    const ops: MulOp[] = [];
    const take = (f: Factor, op: MulOp | null): void => {
      if (f.k === 'derivOp' || f.k === 'sumOp' || f.k === 'axisSumOp') {
        // An operator takes the rest of the product: `\frac{d}{dz} (1 + e^{-z})^{-1}`, `\sum_{i=1}^m L(…)`.
        if (!this.startsFactor()) throw new NotUnderstood('incomplete', 'nothing follows the operator', f.s);
        let operand: Node;
        if (f.k === 'axisSumOp') {
          const p = this.primary();
          if (p.k === 'derivOp' || p.k === 'sumOp' || p.k === 'axisSumOp') throw new NotUnderstood('unsupported', 'an operator after a sum', p.s);
          operand = this.postfix(p);
        } else operand = this.term();
        const s = { start: f.s.start, end: operand.s.end };
        const node: Node =
          f.k === 'derivOp'
            ? { k: 'deriv', f: operand, x: f.x, partial: f.partial, s }
            : f.k === 'sumOp'
              ? { k: 'sum', index: f.index, from: f.from, to: f.to, body: operand, s }
              : { k: 'axisSum', axis: f.axis, a: operand, s };
        if (op) ops.push(op);
        factors.push(node);
        return;
      }
      if (op) ops.push(op);
      factors.push(f);
    };
    take(this.factor(), null);
    for (;;) {
      const op = this.mulOp();
      if (op === '/') {
        this.i++;
        const b = this.factor();
        if (b.k === 'derivOp' || b.k === 'sumOp' || b.k === 'axisSumOp') throw new NotUnderstood('unsupported', 'an operator after /', b.s);
        const a = joined([...factors], [...ops]);
        factors.length = 0;
        ops.length = 0;
        factors.push({ k: 'div', a, b, s: { start: a.s.start, end: b.s.end } });
        continue;
      }
      if (op) {
        this.i++;
        take(this.factor(), op);
        continue;
      }
      if (this.startsFactor()) {
        take(this.factor(), 'juxt');
        continue;
      }
      break;
    }
    return joined(factors, ops);
  }

  protected factor(): Factor {
    if (this.is('op', '-') || this.is('op', '+')) {
      const t = this.next();
      const f = this.factor();
      if (f.k === 'derivOp' || f.k === 'sumOp' || f.k === 'axisSumOp') throw new NotUnderstood('unsupported', 'a sign before an operator', f.s);
      return t.text === '-' ? { k: 'neg', a: f, s: { start: t.start, end: f.s.end } } : f;
    }
    const p = this.primary();
    if (p.k === 'derivOp' || p.k === 'sumOp' || p.k === 'axisSumOp') return p;
    return this.postfix(p);
  }

  /** `^…`, `_…` and primes after a primary. */
  protected postfix(node: Node): Node {
    for (;;) {
      if (this.is('op', "'")) {
        const t = this.next();
        if (node.k === 'sym') node = { ...node, prime: node.prime + 1, s: { start: node.s.start, end: t.end } };
        else if (node.k === 'call') node = { ...node, prime: node.prime + 1, s: { start: node.s.start, end: t.end } };
        else throw new NotUnderstood('unsupported', 'a prime on an expression', { start: node.s.start, end: t.end });
        continue;
      }
      if (this.is('op', '^')) {
        this.i++;
        const sup = this.group();
        node = superscript(node, sup, this.groupEnd, (t) => this.sub(t).parseSide());
        continue;
      }
      if (this.is('op', '_')) {
        this.i++;
        const sub = this.group();
        node = subscript(node, sub, this.groupEnd);
        continue;
      }
      return node;
    }
  }
}
