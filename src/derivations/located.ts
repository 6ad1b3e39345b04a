/**
 * A side as parsed, located in its source (a file's lines, or a notebook cell's); the TeX of a
 * side or of a part of it; why a side is not read; a value and a hint as the reports show them.
 */
import type { Node, NotUnderstood, Span } from './ast';
import type { LineIndex, MathSpan } from './markdown';
import { formatNumber, type Lang } from './messages';
import type { MathLocation, SkipReason } from './types';
import type { Value } from './values';

/** One side as parsed, with where it is. */
export interface ParsedSide {
  node: Node | null;
  skip: SkipReason | null;
  /** The math span's source and its place, for the TeX of the side's parts. */
  span: MathSpan;
  source: SourceCtx;
  s: Span;
}

export interface SourceCtx {
  lines: LineIndex;
  cell?: number;
}

export function locate(src: SourceCtx, span: MathSpan, s: Span): MathLocation {
  const a = src.lines.at(span.offset + s.start);
  const b = src.lines.at(span.offset + Math.max(s.end, s.start));
  return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column, ...(src.cell !== undefined ? { cell: src.cell } : {}) };
}

/** Why a side is not checked, with the part not read in the side's own TeX (the error may come from a definition elsewhere: then its words). */
export function skipOf(e: NotUnderstood, side: { span: MathSpan; s: Span }): SkipReason {
  const s = e.span;
  const inside = s !== undefined && s.end > s.start && s.start >= side.s.start && s.end <= side.s.end;
  return { kind: e.kind, detail: inside ? side.span.src.slice(s.start, s.end).trim() : e.detail };
}

export function tex(side: ParsedSide, s: Span = side.s): string {
  return side.span.src.slice(s.start, s.end).trim();
}

export function locOf(r: MathLocation): MathLocation {
  return { line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn, ...(r.cell !== undefined ? { cell: r.cell } : {}) };
}

/** A hint as a sentence: capitalised, unless it starts with code (`np.sum`). */
export function capital(s: string): string {
  return /^[a-zäöü]+[\s,]/.test(s) ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

/** A value as the reports show it: a number, or a matrix's first entries. */
export function show(v: Value, lang: Lang): string {
  if (v.data.length === 1) return formatNumber(v.data[0]!, lang);
  const first = Array.from(v.data.slice(0, 3), (x) => formatNumber(x, lang)).join(lang === 'de' ? '; ' : ', ');
  return `[${first}${v.data.length > 3 ? ', …' : ''}]`;
}
