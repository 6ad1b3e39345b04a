// Shared by the derivation tests: checking a text, and where a piece of it is.
import { checkMarkdown } from '../../src/derivations/check';
import type { Lang } from '../../src/derivations/messages';
import type { EquationReport, MathFinding, MathResult } from '../../src/derivations/types';

export function check(text: string, lang: Lang = 'en'): MathResult {
  return checkMarkdown(text, { lang, file: 'test.md' });
}

/** 1-based line and column of the `nth` (0-based) occurrence of `needle` in `text`. */
export function where(text: string, needle: string, nth = 0): { line: number; column: number } {
  let at = -1;
  for (let k = 0; k <= nth; k++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" occurs fewer than ${nth + 1} times`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** The findings as `line:column code`, for one look at all of them. */
export function placed(findings: MathFinding[]): string[] {
  return findings.map((f) => `${f.line}:${f.column} ${f.code}`);
}

/** The equation whose source starts with `start`. */
export function equation(r: MathResult, start: string): EquationReport {
  const e = r.equations.find((x) => x.tex.startsWith(start));
  if (!e) throw new Error(`no equation starting with ${start}; there are: ${r.equations.map((x) => x.tex).join(' | ')}`);
  return e;
}
