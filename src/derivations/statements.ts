/**
 * From a math span's tokens to its statements: chains of sides joined by `=` / `:=`, split at the
 * top level's `\quad`, `\Rightarrow`, `\\`, commas, labels and words, and at the rows of align and
 * array environments. A statement that starts with a relation goes on with the chain before it; one
 * with another relation at the top (`<`, `\approx`) is marked so, and is not checked.
 */
import type { Token } from './lexer';
import { depths, EQUAL_COMMANDS, isWordText, MAX_NESTING, OTHER_RELATIONS } from './notation';

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

/** Commands that end a statement: what follows is another one (or a remark). */
const SEPARATOR_COMMANDS = new Set([
  'Rightarrow', 'Longrightarrow', 'implies', 'iff', 'Leftrightarrow', 'Longleftrightarrow', 'Leftarrow', 'therefore', 'because',
  'uparrow', 'downarrow', 'Uparrow', 'Downarrow', 'rightarrow', 'longrightarrow', 'leftarrow', 'to', 'mapsto', 'quad', 'qquad', 'hfill',
  'text', 'label', 'tag', 'nonumber', 'notag', 'bullet', 'square', 'blacksquare', 'checkmark',
]);

function isSeparator(t: Token): boolean {
  if (t.kind === 'label') return true;
  if (t.kind === 'op' && (t.text === '\\\\' || t.text === ',' || t.text === ';')) return true;
  if (t.kind === 'cmd' && SEPARATOR_COMMANDS.has(t.text)) return true;
  return isWordText(t);
}

const isRelationToken = (t: Token | undefined): boolean => t !== undefined && ((t.kind === 'op' && (t.text === '=' || t.text === ':')) || (t.kind === 'cmd' && EQUAL_COMMANDS.has(t.text)));

/**
 * `0,5` without spaces: a decimal comma (German text writes σ(0) = 0,5) or a list — not a place where
 * one statement ends and the next begins; the side it is in is not read, as it is ambiguous (TeX's
 * unambiguous `0{,}5` is a number: see the lexer).
 */
function isDecimalComma(tokens: Token[], i: number): boolean {
  const [a, t, b] = [tokens[i - 1], tokens[i]!, tokens[i + 1]];
  return t.kind === 'op' && t.text === ',' && a?.kind === 'num' && b?.kind === 'num' && a.end === t.start && b.start === t.end;
}

/**
 * The tokens split at the top level's separators into pieces (a piece may be empty). Words
 * separate (`\frac{∂z}{∂a} \text{ für } z = Wa + b`) unless they are a side themselves
 * (`\text{LOSS} = …`); a decimal comma does not separate.
 */
function pieces(tokens: Token[]): { tokens: Token[]; note: boolean }[] {
  const d = depths(tokens);
  const out: { tokens: Token[]; note: boolean }[] = [{ tokens: [], note: false }];
  tokens.forEach((t, i) => {
    const joins = (t.kind === 'text' && (isRelationToken(tokens[i - 1]) || isRelationToken(tokens[i + 1]))) || isDecimalComma(tokens, i);
    // After `\quad`, a label or words comes a remark: `= a(1 − a) \quad A * (1 − A)`.
    if (d[i] === 0 && isSeparator(t) && !joins) out.push({ tokens: [], note: t.kind === 'label' || t.kind === 'text' || (out[out.length - 1]!.note && t.kind !== 'op') });
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
