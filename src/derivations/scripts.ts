/**
 * What a sub- or superscript says: a layer index `[l-1]`, a transpose, an example `(i)`, primes, a
 * power (superscript); an entry's index, a shape claim `_{(3 \times 7)}`, a logarithm's base
 * (subscript). Also the sizes of a shape literal `(n_h \times m)` and a layer index.
 */
import { type Dim, type Layer, type Node, NotUnderstood } from './ast';
import type { Token } from './lexer';
import { GREEK, isWordText, rawText, sp } from './notation';

function symName(base: string, sub: string | undefined): string {
  return sub === undefined ? base : `${base}_${sub}`;
}

/** `^{…}` after a node; `read` parses a power's exponent. */
export function superscript(node: Node, sup: Token[], end: number, read: (tokens: Token[]) => Node): Node {
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
  const e = read(sup);
  if (node.k === 'sym' && node.name === 'e' && !node.sub) return { k: 'call', fn: 'exp', args: [e], kw: {}, prime: 0, s };
  return { k: 'pow', a: node, e, s };
}

export function subscript(node: Node, sub: Token[], end: number): Node {
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

export function parseLayer(tokens: Token[]): Layer {
  const text = rawText(tokens).replace(/\s+/g, '').replace(/\\ell/g, 'l');
  if (/^\d+$/.test(text)) return { n: Number(text) };
  const m = /^([lL])(?:([+-])(\d+))?$/.exec(text);
  if (m) return { v: m[1] as 'l' | 'L', off: m[2] ? (m[2] === '-' ? -1 : 1) * Number(m[3]) : 0 };
  throw new NotUnderstood('unsupported', `the layer index [${text}]`, sp(tokens));
}
