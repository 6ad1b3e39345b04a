/**
 * From a side's tokens to its expression: what a factor is — a number, a name (`dW^{[2]}`,
 * `\hat{y}`, `\mathcal{L}`), a known function, brackets and `[Z > 0]`, a fraction or a
 * derivative, a sum, a matrix of numbers. The parser's lower layers read the rest: tokenCursor.ts
 * (tokens), expression.ts (sums and products), calls.ts (applications and calls), scripts.ts.
 * Only notation read the way the lecture notes mean it is parsed; anything else throws
 * NotUnderstood with the kind of notation it is (a picture, a sentence, index notation …), so that
 * it is listed as not checked, never reported wrong.
 */
import { children, type Node, NotUnderstood, type Span, type SymbolNode } from './ast';
import { CallReader } from './calls';
import type { Factor } from './expression';
import type { Token } from './lexer';
import { BLANKS, COMPARISONS, DECORATIONS, depths, flattenGroups, FUNCTION_COMMANDS, GREEK, LETTER_FUNCTIONS, rawText, TEXT_FUNCTIONS, TRANSPARENT } from './notation';
import { shapeLiteral } from './scripts';

const MATRIX_ENVIRONMENTS = /^[pbBvV]?matrix\*?$|^smallmatrix$/;

class Parser extends CallReader {
  protected sub(tokens: Token[]): Parser {
    return new Parser(tokens, this.shared);
  }

  private symbol(t: Token, base: string): SymbolNode {
    return { k: 'sym', name: base, base, d: false, prime: 0, s: { start: t.start, end: t.end } };
  }

  /** A letter, a Greek letter or a decorated one (`\hat{y}`, `\mathcal{L}`), without sub/superscripts. */
  private bareSymbol(): SymbolNode | null {
    const t = this.peek();
    if (!t) return null;
    if (t.kind === 'letter') {
      this.i++;
      return this.symbol(t, t.text === 'ŷ' ? 'ŷ' : t.text);
    }
    if (t.kind === 'cmd' && GREEK.has(t.text)) {
      this.i++;
      return this.symbol(t, t.text === 'ell' ? 'l' : t.text);
    }
    if (t.kind === 'cmd' && (DECORATIONS[t.text] || TRANSPARENT.has(t.text) || t.text === 'mathcal' || t.text === 'mathscr')) {
      this.i++;
      const inner = this.sub(this.group());
      const sym = inner.bareSymbol();
      if (!sym || !inner.done()) throw new NotUnderstood('unsupported', `\\${t.text} of more than a letter`, { start: t.start, end: t.end });
      const end = this.t[this.i - 1]!.end;
      let name = sym.name;
      if (t.text === 'mathcal' || t.text === 'mathscr') name = sym.name === 'L' ? '𝓛' : `cal${sym.name}`;
      else if (DECORATIONS[t.text] === 'hat') name = sym.name === 'y' ? 'ŷ' : sym.name === 'Y' ? 'Ŷ' : `hat${sym.name}`;
      else if (DECORATIONS[t.text]) name = `${DECORATIONS[t.text]}${sym.name}`;
      return { ...sym, name, base: name, s: { start: t.start, end } };
    }
    return null;
  }

  protected primary(): Factor {
    const t = this.peek();
    if (!t) throw new NotUnderstood('incomplete', 'a term is missing', this.endSpan());
    const at = { start: t.start, end: t.end };
    switch (t.kind) {
      case 'num':
        this.i++;
        return { k: 'num', v: Number(t.text), s: at };
      case 'letter': {
        // Letters written together: `exp(x)` without a backslash is exp, `loss` a word, `ya` a product.
        let run = 1;
        while (this.peek(run)?.kind === 'letter' && this.peek(run)!.start === this.peek(run - 1)!.end) run++;
        if (run >= 2) {
          const word = this.t.slice(this.i, this.i + run).map((x) => x.text).join('');
          const fn = Object.keys(LETTER_FUNCTIONS).filter((f) => word.startsWith(f)).sort((a, b) => b.length - a.length)[0];
          if (fn) {
            this.i += fn.length;
            return this.callRest(LETTER_FUNCTIONS[fn]!, t);
          }
          if (run >= 3) throw new NotUnderstood('text', `"${word}"`, { start: t.start, end: this.peek(run - 1)!.end });
        }
        if (t.text === 'd' && this.startsName(1)) {
          this.i++;
          const inner = this.bareSymbol()!;
          const d: SymbolNode = { ...inner, name: `d${inner.name}`, base: inner.name, d: true, s: { start: t.start, end: inner.s.end } };
          this.notNumbered(d);
          return d;
        }
        const sym = this.bareSymbol()!;
        this.notNumbered(sym);
        return this.maybeApply(sym);
      }
      case 'text':
        return this.textPrimary(t);
      case 'label':
        throw new NotUnderstood('text', `"${t.text}"`, at);
      case 'other':
        throw new NotUnderstood(/[●○■□▲△★☆♦◆]/u.test(t.text) ? 'picture' : 'unsupported', `"${t.text}"`, at);
      case 'begin':
        return this.environment();
      case 'end':
        throw new NotUnderstood('unsupported', `\\end{${t.text}}`, at);
      case 'op':
        return this.opPrimary(t);
      case 'cmd':
        return this.cmdPrimary(t);
    }
  }

  /**
   * `A1`, `dW2`, `Z1` — a name with a number written right after it, as code names its variables —
   * is not A times 1: it is A^[1], or an entry a_1, and which is not said, so it is not read.
   */
  private notNumbered(sym: SymbolNode): void {
    const n = this.peek();
    if (n?.kind === 'num' && n.start === sym.s.end && /^\d+$/.test(n.text)) throw new NotUnderstood('index', `${sym.name}${n.text}`, { start: sym.s.start, end: n.end });
  }

  /** Whether a name starts at offset o: a letter, a Greek letter, a decoration. */
  private startsName(o: number): boolean {
    const t = this.peek(o);
    if (!t) return false;
    if (t.kind === 'letter') return true;
    return t.kind === 'cmd' && (GREEK.has(t.text) || DECORATIONS[t.text] !== undefined || TRANSPARENT.has(t.text) || t.text === 'mathcal');
  }

  private textPrimary(t: Token): Factor {
    const s = t.text.trim();
    this.i++;
    if (s === 'd') return this.symbol(t, 'd');
    if (/^[A-Za-z]$/.test(s)) return this.maybeApply(this.symbol(t, s));
    const fn = TEXT_FUNCTIONS[s];
    if (fn) return this.callRest(fn, t);
    if (/^(True|False)$/.test(s)) return { k: 'num', v: s === 'True' ? 1 : 0, s: { start: t.start, end: t.end } };
    if (/^[\s●○■□\-—–_.·]*$/u.test(s) || /\b(blue|green|red|yellow|grey|gray|dots?)\b/i.test(s) || /●/u.test(s)) throw new NotUnderstood('picture', `"${s}"`, { start: t.start, end: t.end });
    throw new NotUnderstood('text', `"${s}"`, { start: t.start, end: t.end });
  }

  private opPrimary(t: Token): Factor {
    const at = { start: t.start, end: t.end };
    if (t.text === '(' || t.text === '[' || t.text === '\\{') {
      this.i++;
      const close = t.text === '(' ? ')' : t.text === '[' ? ']' : '\\}';
      const inner = this.until(close);
      const s = { start: t.start, end: this.t[this.i - 1]!.end };
      if (t.text === '(') {
        const shape = shapeLiteral(inner);
        if (shape) return { k: 'shape', r: shape.r, c: shape.c, s };
      }
      const iv = iverson(inner, s, (t) => this.sub(t));
      if (iv) return iv;
      if (inner.length === 0) throw new NotUnderstood('incomplete', 'empty brackets', s);
      const e = this.sub(inner).parseSide();
      return { ...e, s: e.k === 'sym' ? e.s : s } as Node;
    }
    if (t.text === '{') {
      this.i++;
      const inner = this.until('}');
      if (inner.length === 0) throw new NotUnderstood('incomplete', 'an empty group', at);
      return this.sub(inner).parseSide();
    }
    if (t.text === '.' && this.is('op', '.', 1) && this.is('op', '.', 2)) {
      this.i += 3;
      return { k: 'blank', s: { start: t.start, end: this.t[this.i - 1]!.end } };
    }
    if (t.text === '?') {
      this.i++;
      return { k: 'blank', s: at };
    }
    throw new NotUnderstood('unsupported', `"${t.text}"`, at);
  }

  private cmdPrimary(t: Token): Factor {
    const at = { start: t.start, end: t.end };
    const name = t.text;
    if (name === 'frac' || name === 'dfrac' || name === 'tfrac' || name === 'cfrac') {
      this.i++;
      return this.fraction(t);
    }
    if (FUNCTION_COMMANDS[name]) {
      this.i++;
      if (name === 'sqrt') {
        if (this.is('op', '[')) {
          this.i++;
          const index = this.until(']');
          const arg = this.sub(this.group()).parseSide();
          const n = this.sub(index).parseSide();
          return { k: 'pow', a: arg, e: { k: 'div', a: { k: 'num', v: 1, s: at }, b: n, s: at }, s: { start: t.start, end: this.t[this.i - 1]!.end } };
        }
        const arg = this.sub(this.group()).parseSide();
        return { k: 'call', fn: 'sqrt', args: [arg], kw: {}, prime: 0, s: { start: t.start, end: this.t[this.i - 1]!.end } };
      }
      return this.callRest(FUNCTION_COMMANDS[name]!, t);
    }
    if (name === 'sum') {
      this.i++;
      return this.sumOperator(t);
    }
    if (BLANKS.has(name)) {
      this.i++;
      return { k: 'blank', s: at };
    }
    if (GREEK.has(name) || DECORATIONS[name] || TRANSPARENT.has(name) || name === 'mathcal' || name === 'mathscr') {
      if ((DECORATIONS[name] || TRANSPARENT.has(name)) && !this.decoratesLetter()) {
        // \underline{z}^{[1]} is z; \underline{\text{…}} or \mathbf{W x} is a group.
        this.i++;
        const inner = this.group();
        if (inner.length === 1 && inner[0]!.kind === 'num' && inner[0]!.text === '1') return this.ones(t);
        return this.sub(inner).parseSide();
      }
      const sym = this.bareSymbol()!;
      return this.maybeApply(sym);
    }
    if (name === 'boxed' || name === 'displaystyle' || name === 'textstyle' || name === 'mathrm' || name === 'phantom') {
      this.i++;
      if (name === 'displaystyle' || name === 'textstyle') return this.primary();
      return this.sub(this.group()).parseSide();
    }
    if (name === 'underbrace' || name === 'overbrace') {
      this.i++;
      const inner = this.group();
      if (this.is('op', name === 'underbrace' ? '_' : '^')) {
        this.i++;
        this.group();
      }
      return this.sub(inner).parseSide();
    }
    if (name === 'underset' || name === 'overset' || name === 'stackrel') {
      this.i++;
      this.group();
      const inner = this.group();
      if (inner.length === 0) throw new NotUnderstood('picture', 'an empty box', at);
      return this.sub(inner).parseSide();
    }
    if (name === 'textcolor' || name === 'color' || name === 'colorbox') {
      this.i++;
      this.group();
      if (name === 'color') return this.primary();
      return this.sub(this.group()).parseSide();
    }
    if (name === 'partial') throw new NotUnderstood('unsupported', '∂ outside a fraction', at);
    if (name === 'nabla') throw new NotUnderstood('unsupported', 'a gradient vector ∇', at);
    if (name === 'infty') throw new NotUnderstood('unsupported', '∞', at);
    if (name === 'lvert' || name === 'vert' || name === 'lVert') throw new NotUnderstood('unsupported', 'a norm or an absolute value', at);
    throw new NotUnderstood('unsupported', `\\${name}`, at);
  }

  /**
   * `\mathbb{1}(Z > 0)`, `\mathbf{1}[Z > 0]`: the indicator, [Z > 0]. Else `\mathbf{1}` is a vector of
   * ones (`\frac{1}{m} dZ \mathbf{1}` is db) whose length is not said: not read, never the number 1.
   */
  private ones(t: Token): Factor {
    if (this.is('op', '(') || this.is('op', '[')) {
      const p = this.primary();
      if (p.k === 'iverson') return p;
    }
    throw new NotUnderstood('unsupported', 'a vector of ones', { start: t.start, end: this.t[this.i - 1]!.end });
  }

  /** `\hat{y}` and the like decorate one letter (then they name a symbol). */
  private decoratesLetter(): boolean {
    const g = this.peek(1);
    if (!g) return false;
    if (g.kind === 'letter') return true;
    if (g.kind === 'op' && g.text === '{') {
      const a = this.peek(2);
      const b = this.peek(3);
      return (a?.kind === 'letter' || (a?.kind === 'cmd' && GREEK.has(a.text))) && b?.kind === 'op' && b.text === '}';
    }
    return false;
  }

  private fraction(t: Token): Factor {
    const num = this.group();
    const den = this.group();
    const s = { start: t.start, end: this.t[this.i - 1]!.end };
    const dn = differential(num);
    const dd = differential(den);
    if (dn && dd) {
      const xp = this.sub(dd.rest);
      const x = xp.bareSymbol();
      if (!x) throw new NotUnderstood('unsupported', `a derivative by "${rawText(dd.rest)}"`, s);
      const xs = xp.postfix(x);
      if (!xp.done() || xs.k !== 'sym') throw new NotUnderstood(xs.k === 'pow' ? 'unsupported' : 'unsupported', `a derivative by "${rawText(dd.rest)}"`, s);
      if (dn.rest.length === 0) return { k: 'derivOp', x: xs, partial: dn.partial, s };
      if (dn.rest[0]!.kind === 'op' && dn.rest[0]!.text === '^') throw new NotUnderstood('unsupported', 'a higher derivative', s);
      const f = this.sub(dn.rest).parseSide();
      return { k: 'deriv', f, x: xs, partial: dn.partial, s };
    }
    if (num.length === 0 || den.length === 0) throw new NotUnderstood('incomplete', 'an empty fraction', s);
    return { k: 'div', a: this.sub(num).parseSide(), b: this.sub(den).parseSide(), s };
  }

  private sumOperator(t: Token): Factor {
    const at = { start: t.start, end: t.end };
    let lower: Token[] | null = null;
    let upper: Token[] | null = null;
    while (this.is('op', '_') || this.is('op', '^')) {
      const which = this.next().text;
      const g = this.group();
      if (which === '_') lower = g;
      else upper = g;
    }
    const s = { start: t.start, end: this.t[this.i - 1]!.end };
    if (lower && lower.length >= 1 && lower[0]!.kind === 'text' && lower[0]!.text.trim() === 'axis') {
      const eq = lower.findIndex((x) => x.text === '=');
      const axis = eq > 0 ? Number(lower[eq + 1]?.text) : NaN;
      if (axis === 0 || axis === 1) return { k: 'axisSumOp', axis, s };
    }
    if (!lower || !upper) throw new NotUnderstood('unsupported', 'a sum without its bounds', at);
    const eq = lower.findIndex((x) => x.kind === 'op' && x.text === '=');
    if (eq !== 1 || lower[0]!.kind !== 'letter') throw new NotUnderstood('unsupported', `a sum over "${rawText(lower)}"`, s);
    return { k: 'sumOp', index: lower[0]!.text, from: this.sub(lower.slice(2)).parseSide(), to: this.sub(upper).parseSide(), s };
  }

  private environment(): Node {
    const begin = this.next();
    const body = this.envBody(begin.text);
    const s = { start: begin.start, end: this.t[this.i - 1]!.end };
    if (!MATRIX_ENVIRONMENTS.test(begin.text)) throw new NotUnderstood('picture', `\\begin{${begin.text}}`, s);
    const d = depths(body);
    const rows: Token[][][] = [[[]]];
    body.forEach((x, k) => {
      if (d[k] === 0 && x.kind === 'op' && x.text === '\\\\') rows.push([[]]);
      else if (d[k] === 0 && x.kind === 'op' && x.text === '&') rows[rows.length - 1]!.push([]);
      else rows[rows.length - 1]![rows[rows.length - 1]!.length - 1]!.push(x);
    });
    while (rows.length > 1 && rows[rows.length - 1]!.every((c) => c.length === 0)) rows.pop();
    const cells = rows.map((row) =>
      row.map((cell) => {
        if (cell.some((x) => x.kind === 'text' || x.kind === 'other')) throw new NotUnderstood('picture', 'a matrix drawn with words or dots', s);
        if (cell.some((x) => x.kind === 'cmd' && BLANKS.has(x.text))) throw new NotUnderstood('picture', 'a matrix with elided entries', s);
        const n = this.sub(cell).parseSide();
        if (hasSymbol(n)) throw new NotUnderstood('index', 'a matrix of symbols', s);
        return n;
      }),
    );
    if (cells.some((r) => r.length !== cells[0]!.length)) throw new NotUnderstood('unsupported', 'rows of different lengths', s);
    return { k: 'matrix', rows: cells, s };
  }
}

function hasSymbol(n: Node): boolean {
  return n.k === 'sym' || n.k === 'sum' || children(n).some(hasSymbol);
}

/** `d…` / `\partial …` / `\mathrm{d}…`: the kind and what follows the d. */
function differential(tokens: Token[]): { partial: boolean; rest: Token[] } | null {
  const t = tokens[0];
  if (!t) return null;
  if (t.kind === 'cmd' && t.text === 'partial') return { partial: true, rest: tokens.slice(1) };
  if ((t.kind === 'letter' && t.text === 'd') || (t.kind === 'text' && t.text.trim() === 'd')) return { partial: false, rest: tokens.slice(1) };
  return null;
}

/** `[Z > 0]`, `(z > 0)`: a comparison at the top of the brackets. */
function iverson(inner: Token[], s: Span, parser: (t: Token[]) => Parser): Node | null {
  const d = depths(inner);
  const k = inner.findIndex((t, i) => d[i] === 0 && ((t.kind === 'op' && (t.text === '>' || t.text === '<')) || (t.kind === 'cmd' && COMPARISONS[t.text] !== undefined)));
  if (k < 0) return null;
  const t = inner[k]!;
  let op = t.kind === 'op' ? (t.text as '>' | '<') : COMPARISONS[t.text]!;
  let right = inner.slice(k + 1);
  if (right[0]?.kind === 'op' && right[0].text === '=' && (op === '>' || op === '<')) {
    op = op === '>' ? '>=' : '<=';
    right = right.slice(1);
  }
  return { k: 'iverson', a: parser(inner.slice(0, k)).parseSide(), op, b: parser(right).parseSide(), s };
}

/** The expression of a side; throws NotUnderstood. */
export function parseSide(tokens: Token[]): Node {
  return new Parser(flattenGroups(tokens)).parseSide();
}
