/**
 * The tokens of the LaTeX inside one math span of a Markdown text. Offsets are into the span's own
 * source; the caller maps them back to the document's lines and columns. Pure, no I/O.
 */

export type TokenKind =
  /** `\frac`, `\cdot`, `\,` */
  | 'cmd'
  /** One letter: `a`, `W`, `ŷ` (a few Unicode letters stand for their TeX). */
  | 'letter'
  | 'num'
  /** `+ - * / = ( ) [ ] { } ^ _ & , : ; < > | ! ' .` and `\\` (a row break) */
  | 'op'
  /** `\text{…}`, `\mathrm{…}`, `\operatorname{…}`: `text` is what the braces hold. */
  | 'text'
  /** A label, not math: `①`, `\textcircled{4}`, `•`, an arrow. */
  | 'label'
  /** `\begin{name}` (with an array's column spec consumed) and `\end{name}`; `text` is the name. */
  | 'begin'
  | 'end'
  /** Anything else: `●`, `◦`, emoji. */
  | 'other';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const TEXT_COMMANDS = new Set(['text', 'textrm', 'textit', 'textbf', 'textsf', 'texttt', 'textnormal', 'mbox', 'mathrm', 'operatorname', 'mathit', 'mathsf', 'mathtt', 'textup']);

/** Unicode a learner may type instead of TeX. */
const UNICODE_COMMANDS: Record<string, string> = {
  '·': 'cdot',
  '⋅': 'cdot',
  '×': 'times',
  '∘': 'circ',
  '⊙': 'odot',
  '∂': 'partial',
  'σ': 'sigma',
  'α': 'alpha',
  'β': 'beta',
  'θ': 'theta',
  'λ': 'lambda',
  'π': 'pi',
  'ε': 'epsilon',
  '∑': 'sum',
  '√': 'sqrt',
  '≤': 'le',
  '≥': 'ge',
  '≠': 'neq',
  '≈': 'approx',
  '⇒': 'Rightarrow',
  '⟹': 'Rightarrow',
  '∇': 'nabla',
  '…': 'dots',
  '⋯': 'cdots',
  '⋮': 'vdots',
  'ℓ': 'ell',
};

const UNICODE_OPS: Record<string, string> = { '−': '-', '–': '-', '∗': '*' };

/** Labels: circled numbers, bullets and arrows mark where a statement ends. */
const LABEL = /[\u2460-\u2473\u24ea\u2776-\u277f•↑↓→←↗↘⟶]/u;

const NUMBER = /[0-9]*(?:\.[0-9]+)?/y;
/** `0{,}5`: TeX's decimal comma, as German text writes 0.5. */
const DECIMAL_COMMA = /\{,\}([0-9]+)/y;

function isLetter(c: string): boolean {
  return /^[A-Za-z]$/.test(c);
}

/** The text between the braces that open at `open` (`src[open] === '{'`), and the index after the closing one. */
function braced(src: string, open: number): { text: string; next: number } | null {
  if (src[open] !== '{') return null;
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return { text: src.slice(open + 1, i), next: i + 1 };
  }
  return null;
}

function skipSpaces(src: string, i: number): number {
  while (i < src.length && /\s/.test(src[i]!)) i++;
  return i;
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, text: string, start: number, end: number): void => void out.push({ kind, text, start, end });
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c) || c === '~') {
      i++;
      continue;
    }
    if (c === '\\') {
      const next = src[i + 1];
      if (next === undefined) {
        push('other', '\\', i, i + 1);
        i++;
        continue;
      }
      if (!isLetter(next)) {
        // `\\` a row break, `\,` `\;` `\!` `\:` `\ ` spaces, `\{` `\}` braces, `\|`, `\$`.
        if (next === '\\') push('op', '\\\\', i, i + 2);
        else if (next === '{' || next === '}') push('op', next === '{' ? '\\{' : '\\}', i, i + 2);
        else if (/[,;:! ]/.test(next)) {
          /* a space */
        } else push('cmd', next, i, i + 2);
        i += 2;
        continue;
      }
      let j = i + 1;
      while (j < src.length && isLetter(src[j]!)) j++;
      const name = src.slice(i + 1, j);
      if (name === 'begin' || name === 'end') {
        const arg = braced(src, skipSpaces(src, j));
        if (!arg) {
          push('other', `\\${name}`, i, j);
          i = j;
          continue;
        }
        let k = arg.next;
        // An array's (or alignedat's) column spec is not content.
        if (name === 'begin' && /^(array|alignedat|subarray)$/.test(arg.text.trim())) {
          const spec = braced(src, skipSpaces(src, k));
          if (spec) k = spec.next;
        }
        push(name === 'begin' ? 'begin' : 'end', arg.text.trim(), i, k);
        i = k;
        continue;
      }
      if (TEXT_COMMANDS.has(name) || name === 'textcircled') {
        const arg = braced(src, skipSpaces(src, j));
        if (arg) {
          push(name === 'textcircled' ? 'label' : 'text', arg.text, i, arg.next);
          i = arg.next;
          continue;
        }
      }
      if (name === 'quad' || name === 'qquad') push('label', name, i, j);
      else if (name === 'left' || name === 'right' || /^[bB]igg?[lr]?$/.test(name)) {
        // `\left(` is `(`; `\left.` is nothing.
        const k = skipSpaces(src, j);
        const d = src[k];
        if (d === '.') i = k + 1;
        else if (d === '\\' && (src[k + 1] === '{' || src[k + 1] === '}' || src[k + 1] === '|')) {
          push('op', src[k + 1] === '|' ? '|' : `\\${src[k + 1]}`, i, k + 2);
          i = k + 2;
        } else if (d === '\\') {
          // \left\langle, \left\lvert …
          let e = k + 1;
          while (e < src.length && isLetter(src[e]!)) e++;
          push('cmd', src.slice(k + 1, e), i, e);
          i = e;
        } else if (d !== undefined) {
          push('op', d, i, k + 1);
          i = k + 1;
        } else i = k;
        continue;
      } else push('cmd', name, i, j);
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      let text = NUMBER.exec(src)![0];
      let end = i + text.length;
      DECIMAL_COMMA.lastIndex = end;
      const decimals = text.includes('.') ? null : DECIMAL_COMMA.exec(src);
      if (decimals) {
        text = `${text}.${decimals[1]!}`;
        end = DECIMAL_COMMA.lastIndex;
      }
      push('num', text, i, end);
      i = end;
      continue;
    }
    if (isLetter(c)) {
      push('letter', c, i, i + 1);
      i++;
      continue;
    }
    if ('+-*/=()[]{}^_&,:;<>|!\'.?'.includes(c)) {
      push('op', c, i, i + 1);
      i++;
      continue;
    }
    const cp = String.fromCodePoint(src.codePointAt(i)!);
    const len = cp.length;
    if (UNICODE_COMMANDS[cp]) push('cmd', UNICODE_COMMANDS[cp], i, i + len);
    else if (UNICODE_OPS[cp]) push('op', UNICODE_OPS[cp], i, i + len);
    else if (cp === 'ŷ') push('letter', 'ŷ', i, i + len);
    else if (LABEL.test(cp)) push('label', cp, i, i + len);
    else push('other', cp, i, i + len);
    i += len;
  }
  return out;
}
