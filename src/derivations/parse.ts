/**
 * From tokens to statements (chains of sides joined by `=` / `:=`) and from a side's tokens to its
 * expression. Only notation read the way the lecture notes mean it is parsed; anything else throws
 * NotUnderstood with the kind of notation it is (a picture, a sentence, index notation …), so that
 * it is listed as not checked, never reported wrong.
 */
import { children, type Dim, type Layer, type MulOp, type Node, NotUnderstood, type Span, type SymbolNode } from './ast';
import type { Token } from './lexer';

// ---------------------------------------------------------------- statements

export interface Side {
  tokens: Token[];
  start: number;
  end: number;
}

export interface Relation {
  op: '=' | ':=';
  start: number;
  end: number;
}

/** `s0 = s1 := s2`: sides.length === rels.length + 1. A statement starting with `=` has an empty first side. */
export interface Statement {
  sides: Side[];
  rels: Relation[];
  /** Starts with a relation: it goes on with the chain before it. */
  continues: boolean;
  start: number;
  end: number;
  /** A relation other than equality at the top (`<`, `\approx`, `\in`): the statement is not checked. */
  otherRelation?: string;
  /** A remark after `\quad`, a label or words: a chain does not go on from it. */
  note?: boolean;
}

/** Environments whose rows are statements of their own (a row starting with `=` goes on with the one before). */
const ROW_ENVIRONMENTS = /^(align\*?|aligned|alignedat|gather\*?|gathered|split|eqnarray\*?|multline\*?|equation\*?|array|flalign\*?)$/;
const MATRIX_ENVIRONMENTS = /^[pbBvV]?matrix\*?$|^smallmatrix$/;

/** Commands that end a statement: what follows is another one (or a remark). */
const SEPARATOR_COMMANDS = new Set([
  'Rightarrow', 'Longrightarrow', 'implies', 'iff', 'Leftrightarrow', 'Longleftrightarrow', 'Leftarrow', 'therefore', 'because',
  'uparrow', 'downarrow', 'Uparrow', 'Downarrow', 'rightarrow', 'longrightarrow', 'leftarrow', 'to', 'mapsto', 'quad', 'qquad', 'hfill',
  'text', 'label', 'tag', 'nonumber', 'notag', 'bullet', 'square', 'blacksquare', 'checkmark',
]);

const OTHER_RELATIONS = new Set(['le', 'leq', 'ge', 'geq', 'neq', 'ne', 'approx', 'sim', 'simeq', 'propto', 'in', 'notin', 'subset', 'subseteq', 'gg', 'll', 'cong', 'leqslant', 'geqslant']);
const EQUAL_COMMANDS = new Set(['coloneqq', 'coloneq', 'equiv', 'doteq', 'triangleq', 'eqqcolon']);

/** Known function names written as text: `\text{relu}`, `\text{np.sum}`, `\operatorname{sigmoid}`. */
const TEXT_FUNCTIONS: Record<string, string> = {
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

function opens(t: Token): string | null {
  if (t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{' || t.text === '\\{')) return t.text;
  if (t.kind === 'begin') return `begin:${t.text}`;
  return null;
}

function closes(t: Token): string | null {
  if (t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}' || t.text === '\\}')) return t.text;
  if (t.kind === 'end') return `end:${t.text}`;
  return null;
}

const PAIR: Record<string, string> = { '(': ')', '[': ']', '{': '}', '\\{': '\\}' };

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

function isSeparator(t: Token): boolean {
  if (t.kind === 'label') return true;
  if (t.kind === 'op' && (t.text === '\\\\' || t.text === ',' || t.text === ';')) return true;
  if (t.kind === 'cmd' && SEPARATOR_COMMANDS.has(t.text)) return true;
  return isWordText(t);
}

const isRelationToken = (t: Token | undefined): boolean => t !== undefined && ((t.kind === 'op' && (t.text === '=' || t.text === ':')) || (t.kind === 'cmd' && EQUAL_COMMANDS.has(t.text)));

/**
 * The tokens split at the top level's separators into pieces (a piece may be empty). Words
 * separate (`\frac{∂z}{∂a} \text{ für } z = Wa + b`) unless they are a side themselves
 * (`\text{LOSS} = …`).
 */
function pieces(tokens: Token[]): { tokens: Token[]; note: boolean }[] {
  const d = depths(tokens);
  const out: { tokens: Token[]; note: boolean }[] = [{ tokens: [], note: false }];
  tokens.forEach((t, i) => {
    const side = t.kind === 'text' && (isRelationToken(tokens[i - 1]) || isRelationToken(tokens[i + 1]));
    // After `\quad`, a label or words comes a remark: `= a(1 − a) \quad A * (1 − A)`.
    if (d[i] === 0 && isSeparator(t) && !side) out.push({ tokens: [], note: t.kind === 'label' || t.kind === 'text' || (out[out.length - 1]!.note && t.kind !== 'op') });
    else out[out.length - 1]!.tokens.push(t);
  });
  return out.filter((p) => p.tokens.length > 0);
}

/** `\boxed{…}` as the whole piece: its content. */
function unwrap(p: Token[]): Token[] {
  for (;;) {
    if (p.length >= 3 && p[0]!.kind === 'cmd' && /^(boxed|displaystyle)$/.test(p[0]!.text) && p[1]!.text === '{' && p[p.length - 1]!.text === '}') {
      const d = depths(p);
      if (d.slice(2, -1).every((x) => x >= 1)) {
        p = p.slice(2, -1);
        continue;
      }
    }
    if (p.length >= 1 && p[0]!.kind === 'cmd' && /^(displaystyle|circ|bullet|cdot|textstyle)$/.test(p[0]!.text)) {
      // A leading `\circ` or `\cdot` is a bullet, not an operator.
      p = p.slice(1);
      continue;
    }
    return p;
  }
}

/** When the piece is one row environment: its rows (align) or cells (array), else null. */
function rowsOf(p: Token[]): Token[][] | null {
  if (p.length < 2 || p[0]!.kind !== 'begin' || !ROW_ENVIRONMENTS.test(p[0]!.text)) return null;
  const last = p[p.length - 1]!;
  if (last.kind !== 'end' || last.text !== p[0]!.text) return null;
  const inner = p.slice(1, -1);
  const d = depths(inner);
  const array = p[0]!.text === 'array';
  const rows: Token[][] = [[]];
  inner.forEach((t, i) => {
    if (d[i] === 0 && t.kind === 'op' && t.text === '\\\\') rows.push([]);
    else if (d[i] === 0 && t.kind === 'op' && t.text === '&') {
      if (array) rows.push([]);
    } else rows[rows.length - 1]!.push(t);
  });
  return rows;
}

function statementOf(p: Token[]): Statement {
  const d = depths(p);
  const sides: Side[] = [];
  const rels: Relation[] = [];
  let current: Token[] = [];
  let otherRelation: string | undefined;
  const flush = (at: number): void => {
    sides.push({ tokens: current, start: current[0]?.start ?? at, end: current[current.length - 1]?.end ?? at });
    current = [];
  };
  for (let i = 0; i < p.length; i++) {
    const t = p[i]!;
    if (d[i] === 0) {
      const colonEq = t.kind === 'op' && t.text === ':' && p[i + 1]?.kind === 'op' && p[i + 1]!.text === '=' && p[i + 1]!.start === t.end;
      if (colonEq || (t.kind === 'op' && t.text === '=') || (t.kind === 'cmd' && EQUAL_COMMANDS.has(t.text))) {
        flush(t.start);
        const define = colonEq || t.text === 'coloneqq' || t.text === 'coloneq';
        rels.push({ op: define ? ':=' : '=', start: t.start, end: colonEq ? p[i + 1]!.end : t.end });
        if (colonEq) i++;
        continue;
      }
      if ((t.kind === 'op' && (t.text === '<' || t.text === '>')) || (t.kind === 'cmd' && OTHER_RELATIONS.has(t.text))) otherRelation ??= t.kind === 'cmd' ? `\\${t.text}` : t.text;
    }
    current.push(t);
  }
  flush(p[p.length - 1]?.end ?? 0);
  return {
    sides,
    rels,
    continues: rels.length > 0 && rels[0]!.start <= (sides[0]!.tokens[0]?.start ?? Infinity) && sides[0]!.tokens.length === 0,
    start: p[0]!.start,
    end: p[p.length - 1]!.end,
    ...(otherRelation ? { otherRelation } : {}),
  };
}

/**
 * The statements of a math span in order: rows of align/aligned/array environments, pieces
 * between `\quad`, `\Rightarrow`, `\\`, commas, labels and words. A statement that starts with a
 * relation continues the previous one; `continues` says so.
 */
export function statements(tokens: Token[]): Statement[] {
  const out: Statement[] = [];
  const visit = (ts: Token[], level: number): void => {
    for (const piece of pieces(ts)) {
      const p = unwrap(piece.tokens);
      if (p.length === 0) continue;
      const rows = level < MAX_NESTING ? rowsOf(p) : null;
      if (rows) {
        for (const row of rows) visit(row, level + 1);
        continue;
      }
      out.push({ ...statementOf(p), ...(piece.note ? { note: true } : {}) });
    }
  };
  visit(tokens, 0);
  return out;
}

// ---------------------------------------------------------------- expressions

type Marker =
  | { k: 'derivOp'; x: SymbolNode; partial: boolean; s: Span }
  | { k: 'sumOp'; index: string; from: Node; to: Node; s: Span }
  | { k: 'axisSumOp'; axis: number; s: Span };

type Factor = Node | Marker;

const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi',
  'rho', 'tau', 'upsilon', 'phi', 'varphi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Phi', 'Psi', 'Omega', 'pi', 'ell',
]);

/** Function names a learner may type as plain letters. */
const LETTER_FUNCTIONS: Record<string, string> = { exp: 'exp', log: 'log', ln: 'log', sin: 'sin', cos: 'cos', tan: 'tan', tanh: 'tanh', sigmoid: 'sigma', relu: 'relu', max: 'max', min: 'min', sqrt: 'sqrt' };

const FUNCTION_COMMANDS: Record<string, string> = {
  log: 'log', ln: 'log', exp: 'exp', sin: 'sin', cos: 'cos', tan: 'tan', tanh: 'tanh', sinh: 'sinh', cosh: 'cosh', max: 'max', min: 'min', sigma: 'sigma', sqrt: 'sqrt',
};

const DECORATIONS: Record<string, string> = { hat: 'hat', widehat: 'hat', bar: 'bar', overline: 'bar', tilde: 'tilde', widetilde: 'tilde', check: 'check' };
const TRANSPARENT = new Set(['mathbf', 'boldsymbol', 'bm', 'vec', 'underline', 'mathbb', 'pmb', 'mathnormal']);
const MUL_COMMANDS: Record<string, MulOp> = { cdot: 'dot', times: 'times', odot: 'elem', ast: 'elem', circ: 'circ', star: 'elem', bullet: 'elem' };
const BLANKS = new Set(['dots', 'ldots', 'cdots', 'vdots', 'ddots', 'dotsc', 'dotsb', 'dotsm']);
const COMPARISONS: Record<string, '>' | '<' | '>=' | '<=' | '!='> = { '>': '>', '<': '<', ge: '>=', geq: '>=', le: '<=', leq: '<=', neq: '!=', ne: '!=', gt: '>', lt: '<' };

function sp(tokens: Token[]): Span {
  return { start: tokens[0]?.start ?? 0, end: tokens[tokens.length - 1]?.end ?? 0 };
}

function symName(base: string, sub: string | undefined): string {
  return sub === undefined ? base : `${base}_${sub}`;
}

/** The raw text of a sub/superscript's tokens, for names: `x`, `h1`, `ij`, `1.`. */
function rawText(tokens: Token[]): string {
  return tokens.map((t) => (t.kind === 'cmd' ? `\\${t.text}` : t.text)).join('');
}

/** How deep brackets, fractions and scripts may nest. */
const MAX_NESTING = 100;

class Parser {
  private i = 0;

  /** `shared.depth`: the nesting across the parsers of one side (each group gets a parser of its own). */
  constructor(
    private readonly t: Token[],
    private readonly shared: { depth: number } = { depth: 0 },
  ) {}

  private sub(tokens: Token[]): Parser {
    return new Parser(tokens, this.shared);
  }

  private peek(o = 0): Token | undefined {
    return this.t[this.i + o];
  }

  private is(kind: Token['kind'], text?: string, o = 0): boolean {
    const t = this.peek(o);
    return t !== undefined && t.kind === kind && (text === undefined || t.text === text);
  }

  private next(): Token {
    const t = this.t[this.i++];
    if (!t) throw new NotUnderstood('incomplete', 'the formula ends here', this.endSpan());
    return t;
  }

  private endSpan(): Span {
    const last = this.t[this.t.length - 1];
    return { start: last?.end ?? 0, end: last?.end ?? 0 };
  }

  done(): boolean {
    return this.i >= this.t.length;
  }

  /** Where the last argument read ends (after its closing brace). */
  private groupEnd = 0;

  /** A TeX argument: `{…}` (its inner tokens) or one token. */
  private group(): Token[] {
    const t = this.next();
    const inner = t.kind === 'op' && t.text === '{' ? this.until('}') : [t];
    this.groupEnd = this.t[this.i - 1]!.end;
    return inner;
  }

  /** The tokens up to the closer matching an opener just consumed (the closer is consumed, not returned). */
  private until(close: string): Token[] {
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
  private envBody(name: string): Token[] {
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

  private startsFactor(): boolean {
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
        const a = factors.length === 1 ? factors[0]! : { k: 'mul' as const, factors: [...factors], ops: [...ops], s: { start: factors[0]!.s.start, end: factors[factors.length - 1]!.s.end } };
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
        take(this.factor(), 'dot');
        continue;
      }
      break;
    }
    if (factors.length === 1) return factors[0]!;
    return { k: 'mul', factors, ops, s: { start: factors[0]!.s.start, end: factors[factors.length - 1]!.s.end } };
  }

  private factor(): Factor {
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
  private postfix(node: Node): Node {
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
        node = this.superscript(node, sup, this.groupEnd);
        continue;
      }
      if (this.is('op', '_')) {
        this.i++;
        const sub = this.group();
        node = this.subscript(node, sub, this.groupEnd);
        continue;
      }
      return node;
    }
  }

  private superscript(node: Node, sup: Token[], end: number): Node {
    const s = { start: node.s.start, end };
    let rest = sup;
    let layer: Layer | undefined;
    let example: string | undefined;
    let transpose = false;
    let prime = 0;
    // `[l]`, then `T`, `(i)`, primes: `A^{[l-1]T}`, `a^{[2](i)}`, `g^{[l]\prime}`.
    if (rest[0]?.kind === 'op' && rest[0].text === '[') {
      const close = rest.findIndex((t) => t.kind === 'op' && t.text === ']');
      if (close < 0) throw new NotUnderstood('unsupported', 'a layer index without "]"', sp(sup));
      layer = parseLayer(rest.slice(1, close));
      rest = rest.slice(close + 1);
    }
    for (;;) {
      const t = rest[0];
      if (!t) break;
      if ((t.kind === 'letter' && t.text === 'T') || (t.kind === 'cmd' && /^(top|intercal|mathsf)$/.test(t.text)) || (t.kind === 'text' && t.text.trim() === 'T')) {
        transpose = true;
        rest = rest.slice(t.kind === 'cmd' && t.text === 'mathsf' ? 4 : 1);
        continue;
      }
      if ((t.kind === 'cmd' && t.text === 'prime') || (t.kind === 'op' && t.text === "'")) {
        prime++;
        rest = rest.slice(1);
        continue;
      }
      if (t.kind === 'op' && t.text === '(' && rest.length >= 3 && rest[2]!.kind === 'op' && rest[2]!.text === ')' && (rest[1]!.kind === 'letter' || rest[1]!.kind === 'num')) {
        example = rest[1]!.text;
        rest = rest.slice(3);
        continue;
      }
      break;
    }
    if (layer !== undefined || example !== undefined || transpose || prime > 0) {
      if (rest.length > 0) throw new NotUnderstood('unsupported', `the superscript "${rawText(sup)}"`, sp(sup));
      if (layer !== undefined || example !== undefined || prime > 0) {
        if (node.k === 'sym') {
          if ((layer !== undefined && node.layer !== undefined) || (example !== undefined && node.example !== undefined)) throw new NotUnderstood('unsupported', 'two layer indices', s);
          node = { ...node, ...(layer !== undefined ? { layer } : {}), ...(example !== undefined ? { example } : {}), prime: node.prime + prime, s };
        } else if (node.k === 'call' && example === undefined) {
          node = { ...node, ...(layer !== undefined ? { layer } : {}), prime: node.prime + prime, s };
        } else if (node.k === 'apply' && example === undefined && layer === undefined) {
          node = { ...node, f: { ...node.f, prime: node.f.prime + prime }, s };
        } else throw new NotUnderstood('unsupported', `a layer index on "${rawText(sup)}"`, s);
      }
      return transpose ? { k: 'T', a: node, s } : node;
    }
    if (sup.length === 1 && sup[0]!.kind === 'op' && sup[0]!.text === '*') throw new NotUnderstood('unsupported', 'a starred symbol', s);
    const e = this.sub(sup).parseSide();
    if (node.k === 'sym' && node.name === 'e' && !node.sub) return { k: 'call', fn: 'exp', args: [e], kw: {}, prime: 0, s };
    return { k: 'pow', a: node, e, s };
  }

  private subscript(node: Node, sub: Token[], end: number): Node {
    const s = { start: node.s.start, end };
    const claim = shapeLiteral(sub.length >= 2 && sub[0]!.text === '(' && sub[sub.length - 1]!.text === ')' ? sub.slice(1, -1) : sub);
    if (claim) return { k: 'claimed', a: node, r: claim.r, c: claim.c, claim: sp(sub), s };
    if (node.k === 'call' && node.fn === 'log') {
      const base = sub.length === 1 && sub[0]!.kind === 'letter' && sub[0]!.text === 'e' ? Math.E : sub.length === 1 && sub[0]!.kind === 'num' ? Number(sub[0]!.text) : NaN;
      if (!(base > 0) || base === 1) throw new NotUnderstood('unsupported', `the logarithm's base "${rawText(sub)}"`, s);
      return { ...node, base, s };
    }
    if (node.k !== 'sym' || node.sub !== undefined) throw new NotUnderstood(sub.some((t) => t.kind === 'text') ? 'text' : 'unsupported', `the subscript "${rawText(sub)}"`, s);
    if (sub.some((t) => t.kind === 'text' && isWordText(t))) throw new NotUnderstood('text', `the subscript "${rawText(sub)}"`, s);
    if (!sub.every((t) => t.kind === 'letter' || t.kind === 'num' || (t.kind === 'op' && (t.text === '.' || t.text === ',')) || (t.kind === 'cmd' && GREEK.has(t.text)))) {
      throw new NotUnderstood('unsupported', `the subscript "${rawText(sub)}"`, s);
    }
    const text = rawText(sub);
    return { ...node, sub: text, name: symName(node.name, text), s };
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

  private primary(): Factor {
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
          return { ...inner, name: `d${inner.name}`, base: inner.name, d: true, s: { start: t.start, end: inner.s.end } };
        }
        const sym = this.bareSymbol()!;
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

  /** Whether a name starts at offset o: a letter, a Greek letter, a decoration. */
  private startsName(o: number): boolean {
    const t = this.peek(o);
    if (!t) return false;
    if (t.kind === 'letter') return true;
    return t.kind === 'cmd' && (GREEK.has(t.text) || DECORATIONS[t.text] !== undefined || TRANSPARENT.has(t.text) || t.text === 'mathcal');
  }

  /** `f(x, y)`: kept as an application; whether it is one or a product depends on what f is. */
  private maybeApply(sym: SymbolNode): Node {
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
      node = isSup ? this.superscript(node, g, this.groupEnd) : this.subscript(node, g, this.groupEnd);
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

  /** A function's arguments: `(…)` with commas and `axis=1`, or the next factor (`\log a`). */
  private callRest(fn: string, t: Token): Node {
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
        return this.sub(this.group()).parseSide();
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

/** Arguments split at top-level commas. */
function splitArgs(tokens: Token[]): Token[][] {
  const d = depths(tokens);
  const out: Token[][] = [[]];
  tokens.forEach((t, i) => {
    if (d[i] === 0 && t.kind === 'op' && t.text === ',') out.push([]);
    else out[out.length - 1]!.push(t);
  });
  return out.filter((a) => a.length > 0);
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

/** A size in a shape: `3`, `m`, `n_x`, `n_{h1}`, `n^{[l]}`. */
function dimOf(tokens: Token[]): Dim | null {
  if (tokens.length === 1 && tokens[0]!.kind === 'num' && /^\d+$/.test(tokens[0]!.text)) return Number(tokens[0]!.text);
  if (tokens.length === 0 || tokens[0]!.kind !== 'letter') return null;
  if (!tokens.every((t) => t.kind === 'letter' || t.kind === 'num' || (t.kind === 'op' && /^[_^{}[\]+-]$/.test(t.text)))) return null;
  return rawText(tokens).replace(/[{}]/g, '');
}

/** `3 \times 7`, `n_h \times m`: a shape literal's two sizes. */
export function shapeLiteral(tokens: Token[]): { r: Dim; c: Dim } | null {
  const x = tokens.findIndex((t) => t.kind === 'cmd' && t.text === 'times');
  if (x < 0) return null;
  const r = dimOf(tokens.slice(0, x));
  const c = dimOf(tokens.slice(x + 1));
  return r !== null && c !== null ? { r, c } : null;
}

function parseLayer(tokens: Token[]): Layer {
  const text = rawText(tokens).replace(/\s+/g, '').replace(/\\ell/g, 'l');
  if (/^\d+$/.test(text)) return { n: Number(text) };
  const m = /^([lL])(?:([+-])(\d+))?$/.exec(text);
  if (m) return { v: m[1] as 'l' | 'L', off: m[2] ? (m[2] === '-' ? -1 : 1) * Number(m[3]) : 0 };
  throw new NotUnderstood('unsupported', `the layer index [${text}]`, sp(tokens));
}

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

/** The expression of a side; throws NotUnderstood. */
export function parseSide(tokens: Token[]): Node {
  return new Parser(flattenGroups(tokens)).parseSide();
}
