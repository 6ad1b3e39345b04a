/**
 * What a hover over a checked equation says: where it was evaluated, each side's shape and value
 * there, and each step's verdict (or why it is not checked). Plain lines; the editor escapes them.
 */
import { type Lang, messages, skipKey } from './messages';
import type { EquationReport } from './types';

/** The equation whose source contains the 1-based position (in a notebook: of that cell's equations). */
export function equationAt(equations: readonly EquationReport[], line: number, column: number): EquationReport | undefined {
  const inside = (e: EquationReport): boolean =>
    (line > e.line || (line === e.line && column >= e.column)) && (line < e.endLine || (line === e.endLine && column <= e.endColumn));
  // The innermost: the one that starts last.
  return equations.filter(inside).sort((a, b) => b.line - a.line || b.column - a.column)[0];
}

export function hoverLines(e: EquationReport, lang: Lang): string[] {
  const say = messages(lang);
  const out: string[] = [];
  if (e.testPoint && e.verdict !== 'skipped') out.push(say('hoverTitle', { point: e.testPoint }));
  for (const s of e.sides) {
    if (s.skipped) out.push(`${s.tex}: ${say('notCheckedBecause', { why: say(skipKey(s.skipped.kind)) })}`);
    else if (s.shape || s.value) out.push(say('hoverSide', { side: s.tex, shape: s.shape ?? '', value: s.value ? `${s.shape ? ' ' : ''}${s.value}` : '' }));
  }
  const ok = e.relations.filter((r) => r.verdict === 'ok').length;
  if (ok > 0) out.push(say('hoverOk', { n: ok }));
  for (const r of e.relations) {
    if ((r.verdict === 'wrong' || r.verdict === 'shape') && r.message) out.push(say('hoverWrong', { message: r.message }));
    else if (r.verdict === 'skipped' && r.skipped && !e.sides.some((s) => s.skipped?.kind === r.skipped!.kind)) out.push(`${r.op}: ${say('notCheckedBecause', { why: say(skipKey(r.skipped.kind)) })}`);
    else if (r.note) out.push(`${r.op}: ${r.note}`);
  }
  return [...new Set(out)];
}
