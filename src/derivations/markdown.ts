/**
 * The math in a Markdown text: `$…$` and `\(…\)` inline, `$$…$$`, `\[…\]` and a bare
 * `\begin{align}…\end{align}` (equation, gather, …) as displays; never inside code (fenced blocks,
 * backtick spans) or HTML comments. Each span keeps where its source starts, so that a token's
 * offset maps back to a line and column of the text (1-based, in UTF-16 units as editors count).
 */

export interface MathSpan {
  /** The TeX between the delimiters (with the \begin/\end of a bare environment). */
  src: string;
  /** Offset of src[0] in the text. */
  offset: number;
  display: boolean;
}

const FENCE = /( {0,3})(`{3,}|~{3,})/y;
const ENVIRONMENT = /\\begin\{(align\*?|equation\*?|gather\*?|multline\*?|eqnarray\*?|flalign\*?)\}/y;

export function mathSpans(text: string): MathSpan[] {
  const out: MathSpan[] = [];
  let i = 0;
  let lineStart = true;
  let fence: string | null = null;
  while (i < text.length) {
    if (lineStart) {
      FENCE.lastIndex = i;
      const line = FENCE.exec(text);
      if (line) {
        const mark = line[2]!;
        if (fence === null) fence = mark[0]!.repeat(mark.length);
        else if (mark[0] === fence[0] && mark.length >= fence.length) fence = null;
        const end = text.indexOf('\n', i);
        i = end < 0 ? text.length : end + 1;
        continue;
      }
    }
    if (fence !== null) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
      lineStart = true;
      continue;
    }
    const c = text[i]!;
    lineStart = false;
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (c === '`') {
      let n = 1;
      while (text[i + n] === '`') n++;
      const run = '`'.repeat(n);
      const close = text.indexOf(run, i + run.length);
      i = close < 0 ? i + run.length : close + run.length;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const close = text.indexOf('-->', i + 4);
      i = close < 0 ? text.length : close + 3;
      continue;
    }
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '[' || next === '(') {
        const close = text.indexOf(next === '[' ? '\\]' : '\\)', i + 2);
        if (close > 0) {
          out.push({ src: text.slice(i + 2, close), offset: i + 2, display: next === '[' });
          i = close + 2;
          continue;
        }
      }
      ENVIRONMENT.lastIndex = i;
      const env = ENVIRONMENT.exec(text);
      if (env) {
        const endTag = `\\end{${env[1]}}`;
        const close = text.indexOf(endTag, i);
        if (close > 0) {
          out.push({ src: text.slice(i, close + endTag.length), offset: i, display: true });
          i = close + endTag.length;
          continue;
        }
      }
      i += 2; // `\$` is a dollar sign, not math
      continue;
    }
    if (c === '$') {
      if (text[i + 1] === '$') {
        const close = text.indexOf('$$', i + 2);
        if (close < 0) {
          i += 2;
          continue;
        }
        out.push({ src: text.slice(i + 2, close), offset: i + 2, display: true });
        i = close + 2;
        continue;
      }
      // Inline: closed on the same line by a `$` not escaped.
      let j = i + 1;
      while (j < text.length && text[j] !== '\n' && !(text[j] === '$' && text[j - 1] !== '\\')) j++;
      if (j < text.length && text[j] === '$' && j > i + 1) {
        out.push({ src: text.slice(i + 1, j), offset: i + 1, display: false });
        i = j + 1;
        continue;
      }
      i++;
      continue;
    }
    i++;
  }
  return out;
}

/** Offsets to 1-based lines and columns. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.starts.push(i + 1);
  }

  at(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}
