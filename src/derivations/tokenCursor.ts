/**
 * The expression parser's place in a side's tokens: looking ahead, a TeX argument (`{…}` or one
 * token), the tokens up to a matching closer or `\end{…}`. The parser's layers (expression.ts,
 * calls.ts, parse.ts) read through it.
 */
import { NotUnderstood, type Span } from './ast';
import type { Token } from './lexer';
import { closes, opens, PAIR, sp } from './notation';

export class TokenCursor {
  protected i = 0;

  /** `shared.depth`: the nesting across the parsers of one side (each group gets a parser of its own). */
  constructor(
    protected readonly t: Token[],
    protected readonly shared: { depth: number } = { depth: 0 },
  ) {}


  protected peek(o = 0): Token | undefined {
    return this.t[this.i + o];
  }

  protected is(kind: Token['kind'], text?: string, o = 0): boolean {
    const t = this.peek(o);
    return t !== undefined && t.kind === kind && (text === undefined || t.text === text);
  }

  protected next(): Token {
    const t = this.t[this.i++];
    if (!t) throw new NotUnderstood('incomplete', 'the formula ends here', this.endSpan());
    return t;
  }

  protected endSpan(): Span {
    const last = this.t[this.t.length - 1];
    return { start: last?.end ?? 0, end: last?.end ?? 0 };
  }

  done(): boolean {
    return this.i >= this.t.length;
  }

  /** Where the last argument read ends (after its closing brace). */
  protected groupEnd = 0;

  /** A TeX argument: `{…}` (its inner tokens) or one token. */
  protected group(): Token[] {
    const t = this.next();
    const inner = t.kind === 'op' && t.text === '{' ? this.until('}') : [t];
    this.groupEnd = this.t[this.i - 1]!.end;
    return inner;
  }

  /** The tokens up to the closer matching an opener just consumed (the closer is consumed, not returned). */
  protected until(close: string): Token[] {
    // Nesting as depths() counts it, stopping at the closer.
    const start = this.i;
    const stack: string[] = [close];
    for (let k = start; k < this.t.length; k++) {
      const t = this.t[k]!;
      const c = closes(t);
      if (c !== null) {
        const at = stack.lastIndexOf(c);
        if (at >= 0) stack.length = at;
        if (stack.length === 0) {
          this.i = k + 1;
          return this.t.slice(start, k);
        }
        continue;
      }
      const o = opens(t);
      if (o !== null) stack.push(o.startsWith('begin:') ? `end:${o.slice(6)}` : PAIR[o]!);
    }
    throw new NotUnderstood('unsupported', `a "${close}" is missing`, sp(this.t.slice(start)));
  }

  /** Tokens up to a matching \end{name}. */
  protected envBody(name: string): Token[] {
    const start = this.i;
    let depth = 0;
    for (let k = start; k < this.t.length; k++) {
      const t = this.t[k]!;
      if (t.kind === 'begin' && t.text === name) depth++;
      if (t.kind === 'end' && t.text === name) {
        if (depth === 0) {
          this.i = k + 1;
          return this.t.slice(start, k);
        }
        depth--;
      }
    }
    throw new NotUnderstood('unsupported', `\\end{${name}} is missing`, sp(this.t.slice(start)));
  }
}
