/**
 * The vocabulary of the notes' TeX that the statement reader (statements.ts) and the expression
 * parser (tokenCursor.ts … parse.ts) share: relations, function names, Greek letters, decorations,
 * the operators of a product; how brackets, braces and environments nest; braces that only group.
 */
import type { MulOp, Span } from './ast';
import type { Token } from './lexer';

export const OTHER_RELATIONS = new Set(['le', 'leq', 'ge', 'geq', 'neq', 'ne', 'approx', 'sim', 'simeq', 'propto', 'in', 'notin', 'subset', 'subseteq', 'gg', 'll', 'cong', 'leqslant', 'geqslant']);
export const EQUAL_COMMANDS = new Set(['coloneqq', 'coloneq', 'equiv', 'doteq', 'triangleq', 'eqqcolon']);

/** Known function names written as text: `\text{relu}`, `\text{np.sum}`, `\operatorname{sigmoid}`. */
export const TEXT_FUNCTIONS: Record<string, string> = {
  relu: 'relu',
  ReLU: 'relu',
  Relu: 'relu',
  RELU: 'relu',
  sigmoid: 'sigma',
  'np.sum': 'np.sum',
  sum: 'np.sum',
  'np.dot': 'np.dot',
  dot: 'np.dot',
  'np.exp': 'exp',
  'np.log': 'log',
  'np.tanh': 'tanh',
  'np.maximum': 'max',
  'np.multiply': 'np.multiply',
  'np.matmul': 'np.dot',
  exp: 'exp',
  log: 'log',
  ln: 'log',
  tanh: 'tanh',
  max: 'max',
  min: 'min',
  sign: 'sign',
};

/** `\text{…}` that is a word: a sentence, a remark, a picture's colour. */
export function isWordText(t: Token): boolean {
  if (t.kind !== 'text') return false;
  const s = t.text.trim();
  if (s === '') return false;
  if (TEXT_FUNCTIONS[s] !== undefined || /^(axis|keepdims|True|False|T|d)$/.test(s)) return false;
  return true;
}

export function opens(t: Token): string | null {
  if (t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{' || t.text === '\\{')) return t.text;
  if (t.kind === 'begin') return `begin:${t.text}`;
  return null;
}

export function closes(t: Token): string | null {
  if (t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}' || t.text === '\\}')) return t.text;
  if (t.kind === 'end') return `end:${t.text}`;
  return null;
}

export const PAIR: Record<string, string> = { '(': ')', '[': ']', '{': '}', '\\{': '\\}' };

/**
 * The depth of each token (0 at the top) — brackets, braces and environments nest. An opening
 * bracket closed by another kind (`[0, 1)`) is not nesting; a stray closer is just a token.
 */
export function depths(tokens: Token[]): number[] {
  const out: number[] = new Array<number>(tokens.length).fill(0);
  const stack: { close: string; at: number }[] = [];
  tokens.forEach((t, i) => {
    const c = closes(t);
    if (c !== null) {
      const k = stack.map((s) => s.close).lastIndexOf(c);
      if (k >= 0) stack.length = k;
      out[i] = stack.length;
      return;
    }
    out[i] = stack.length;
    const o = opens(t);
    if (o !== null) stack.push({ close: o.startsWith('begin:') ? `end:${o.slice(6)}` : PAIR[o]!, at: i });
  });
  return out;
}

export const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi',
  'rho', 'tau', 'upsilon', 'phi', 'varphi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Phi', 'Psi', 'Omega', 'pi', 'ell',
]);

/** Function names a learner may type as plain letters. */
export const LETTER_FUNCTIONS: Record<string, string> = { exp: 'exp', log: 'log', ln: 'log', sin: 'sin', cos: 'cos', tan: 'tan', tanh: 'tanh', sigmoid: 'sigma', relu: 'relu', max: 'max', min: 'min', sqrt: 'sqrt' };

export const FUNCTION_COMMANDS: Record<string, string> = {
  log: 'log', ln: 'log', exp: 'exp', sin: 'sin', cos: 'cos', tan: 'tan', tanh: 'tanh', sinh: 'sinh', cosh: 'cosh', max: 'max', min: 'min', sigma: 'sigma', sqrt: 'sqrt',
};

export const DECORATIONS: Record<string, string> = { hat: 'hat', widehat: 'hat', bar: 'bar', overline: 'bar', tilde: 'tilde', widetilde: 'tilde', check: 'check' };
export const TRANSPARENT = new Set(['mathbf', 'boldsymbol', 'bm', 'vec', 'underline', 'mathbb', 'pmb', 'mathnormal']);
export const MUL_COMMANDS: Record<string, MulOp> = { cdot: 'dot', times: 'times', odot: 'elem', ast: 'elem', circ: 'circ', star: 'elem', bullet: 'elem' };
export const BLANKS = new Set(['dots', 'ldots', 'cdots', 'vdots', 'ddots', 'dotsc', 'dotsb', 'dotsm']);
export const COMPARISONS: Record<string, '>' | '<' | '>=' | '<=' | '!='> = { '>': '>', '<': '<', ge: '>=', geq: '>=', le: '<=', leq: '<=', neq: '!=', ne: '!=', gt: '>', lt: '<' };

export function sp(tokens: Token[]): Span {
  return { start: tokens[0]?.start ?? 0, end: tokens[tokens.length - 1]?.end ?? 0 };
}

/** The raw text of a sub/superscript's tokens, for names: `x`, `h1`, `ij`, `1.`. */
export function rawText(tokens: Token[]): string {
  return tokens.map((t) => (t.kind === 'cmd' ? `\\${t.text}` : t.text)).join('');
}

/** How deep brackets, fractions and scripts may nest. */
export const MAX_NESTING = 100;

/** How many TeX arguments a command takes (their braces are not grouping). */
const ARITY: Record<string, number> = {
  frac: 2, dfrac: 2, tfrac: 2, cfrac: 2, binom: 2, underset: 2, overset: 2, stackrel: 2, textcolor: 2, colorbox: 2,
  sqrt: 1, hat: 1, widehat: 1, bar: 1, overline: 1, tilde: 1, widetilde: 1, check: 1, vec: 1, underline: 1, mathbf: 1, boldsymbol: 1, bm: 1,
  mathbb: 1, mathcal: 1, mathscr: 1, pmb: 1, mathnormal: 1, boxed: 1, underbrace: 1, overbrace: 1, color: 1, phantom: 1, substack: 1,
};

/**
 * Braces that only group (`{dZ^{[2]}} := {…}`, the `{}` KaTeX needs after a break) are not
 * brackets: TeX shows `{a + b} c` as a + bc. They are dropped; the braces of a command's or a
 * script's argument stay.
 */
export function flattenGroups(tokens: Token[]): Token[] {
  const out: Token[] = [];
  // Per open brace: is it a bare group (dropped with its closer)? And how many arguments the last command at this level still takes.
  const levels: { bare: boolean; pending: number }[] = [{ bare: false, pending: 0 }];
  let prev: Token | undefined;
  for (const t of tokens) {
    const level = levels[levels.length - 1]!;
    if (t.kind === 'op' && t.text === '{') {
      const argument = level.pending > 0 || (prev?.kind === 'op' && (prev.text === '^' || prev.text === '_'));
      if (level.pending > 0) level.pending--;
      levels.push({ bare: !argument, pending: 0 });
      if (argument) out.push(t);
    } else if (t.kind === 'op' && t.text === '}' && levels.length > 1) {
      const closed = levels.pop()!;
      if (!closed.bare) out.push(t);
    } else {
      if (level.pending > 0 && !(t.kind === 'op' && (t.text === '[' || t.text === ']')) && !(t.kind === 'op' && t.text === '^' && prev?.text === 'underbrace')) level.pending--;
      if (t.kind === 'cmd' && ARITY[t.text]) level.pending = ARITY[t.text]!;
      out.push(t);
    }
    prev = t;
  }
  return out;
}
