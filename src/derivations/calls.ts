/**
 * Applications and calls: `f(x, y)` and `g^{[l]}(Z)` (whether a product or a function's value
 * depends on what f is), and the known functions' arguments — `(…)` with commas and `axis=1`, or the
 * next factor (`\log a`) — with what stands between a function's name and its argument: primes, a
 * layer index, the logarithm's base, `\tanh^2(z)`'s power.
 */
import { type Layer, type Node, NotUnderstood, type SymbolNode } from './ast';
import { ExpressionReader } from './expression';
import type { Token } from './lexer';
import { depths, rawText, sp } from './notation';
import { parseLayer, shapeLiteral, subscript, superscript } from './scripts';

export abstract class CallReader extends ExpressionReader {
  /** `f(x, y)`: kept as an application; whether it is one or a product depends on what f is. */
  protected maybeApply(sym: SymbolNode): Node {
    const withPost = this.postfixSymbolOnly(sym);
    if (!this.is('op', '(')) return withPost;
    const open = this.next();
    const inner = this.until(')');
    const args = splitArgs(inner).map((a) => {
      if (a.some((x) => x.kind === 'op' && x.text === '=')) throw new NotUnderstood('unsupported', 'a keyword argument', sp(a));
      return this.sub(a).parseSide();
    });
    return { k: 'apply', f: withPost as SymbolNode, args, s: { start: sym.s.start, end: this.t[this.i - 1]?.end ?? open.end } };
  }

  /**
   * A symbol's own scripts before an application's parentheses: `g^{[l]}(Z)`, `g'(Z)`,
   * `\mathcal{L}_i(…)`. A power or transpose is left to postfix (it applies to the product).
   */
  private postfixSymbolOnly(sym: SymbolNode): Node {
    const save = this.i;
    let node: Node = sym;
    while (this.is('op', "'") || this.is('op', '^') || this.is('op', '_')) {
      const before = this.i;
      if (this.is('op', "'")) {
        this.i++;
        node = { ...(node as SymbolNode), prime: (node as SymbolNode).prime + 1 };
        continue;
      }
      const isSup = this.is('op', '^');
      this.i++;
      const g = this.group();
      const layerOnly = g[0]?.text === '[' || (g.length === 1 && (g[0]!.text === 'prime' || g[0]!.text === "'"));
      if ((isSup && !layerOnly) || node.k !== 'sym') {
        this.i = before;
        break;
      }
      node = isSup ? superscript(node, g, this.groupEnd, (t) => this.sub(t).parseSide()) : subscript(node, g, this.groupEnd);
      if (node.k !== 'sym') {
        this.i = save;
        return sym;
      }
    }
    if (!this.is('op', '(')) {
      this.i = save;
      return sym;
    }
    return node;
  }

  /** A function's arguments: `(…)` with commas and `axis=1`, or the next factor (`\log a`). */
  protected callRest(fn: string, t: Token): Node {
    const { call, power } = this.callBody(fn, t);
    return power === null ? call : { k: 'pow', a: call, e: power, s: call.s };
  }

  /** The call, and the power written between its name and its argument (`\tanh^2(z)`). */
  private callBody(fn: string, t: Token): { call: Node; power: Node | null } {
    let prime = 0;
    let power: Node | null = null;
    let layer: Layer | undefined;
    let base: number | undefined;
    for (;;) {
      if (this.is('op', "'")) {
        this.i++;
        prime++;
        continue;
      }
      if (this.is('op', '_') && fn === 'log') {
        this.i++;
        const sub = this.group();
        const b = sub.length === 1 && sub[0]!.kind === 'letter' && sub[0]!.text === 'e' ? Math.E : sub.length === 1 && sub[0]!.kind === 'num' ? Number(sub[0]!.text) : NaN;
        if (!(b > 0) || b === 1) throw new NotUnderstood('unsupported', `the logarithm's base "${rawText(sub)}"`, sp(sub));
        base = b;
        continue;
      }
      if (this.is('op', '^')) {
        const save = this.i;
        this.i++;
        const sup = this.group();
        if (sup[0]?.text === '[' || sup.every((x) => x.text === 'prime' || x.text === "'")) {
          const layerEnd = sup.findIndex((x) => x.text === ']');
          if (sup[0]?.text === '[') layer = parseLayer(sup.slice(1, layerEnd));
          prime += sup.filter((x) => x.text === 'prime' || x.text === "'").length;
          continue;
        }
        // `\tanh^2(z)` is (tanh z)²; not a power with brackets or a second one.
        if (power !== null || sup.some((x) => x.kind === 'op' && x.text !== '-')) {
          this.i = save;
          throw new NotUnderstood('unsupported', `a power of \\${fn} before its argument`, { start: t.start, end: sup[sup.length - 1]?.end ?? t.end });
        }
        power = this.sub(sup).parseSide();
        continue;
      }
      if (this.is('op', '_') && (fn === 'np.sum' || fn === 'max' || fn === 'min')) {
        this.i++;
        const sub = this.group();
        throw new NotUnderstood('unsupported', `the subscript "${rawText(sub)}"`, sp(sub));
      }
      break;
    }
    const extra = { prime, ...(layer ? { layer } : {}), ...(base !== undefined ? { base } : {}) };
    if (this.is('op', '(')) {
      this.i++;
      const inner = this.until(')');
      const args: Node[] = [];
      const kw: Record<string, Node> = {};
      for (const a of splitArgs(inner)) {
        const eq = a.findIndex((x) => x.kind === 'op' && x.text === '=');
        if (eq > 0) {
          const key = rawText(a.slice(0, eq)).replace(/\\?text\{?|\}/g, '').trim();
          const value = a.slice(eq + 1);
          const word = rawText(value).replace(/\\?text\{?|\}/g, '').trim();
          kw[key] = word === 'True' || word === 'False' ? { k: 'num', v: word === 'True' ? 1 : 0, s: sp(value) } : this.sub(value).parseSide();
        } else {
          const shape = shapeLiteral(a);
          args.push(shape ? { k: 'shape', r: shape.r, c: shape.c, s: sp(a) } : this.sub(a).parseSide());
        }
      }
      return { call: { k: 'call', fn, args, kw, ...extra, s: { start: t.start, end: this.t[this.i - 1]!.end } }, power };
    }
    if (!this.startsFactor()) throw new NotUnderstood('incomplete', `${fn} without an argument`, { start: t.start, end: t.end });
    const arg = this.factor();
    if (arg.k === 'derivOp' || arg.k === 'sumOp' || arg.k === 'axisSumOp') throw new NotUnderstood('unsupported', 'an operator as an argument', arg.s);
    return { call: { k: 'call', fn, args: [arg], kw: {}, ...extra, s: { start: t.start, end: arg.s.end } }, power };
  }
}

/** Arguments split at top-level commas. */
export function splitArgs(tokens: Token[]): Token[][] {
  const d = depths(tokens);
  const out: Token[][] = [[]];
  tokens.forEach((t, i) => {
    if (d[i] === 0 && t.kind === 'op' && t.text === ',') out.push([]);
    else out[out.length - 1]!.push(t);
  });
  return out.filter((a) => a.length > 0);
}
