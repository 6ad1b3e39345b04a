// `backprop-map check` of the math in Markdown: a FILE.md, or a notebook's Markdown cells beside
// its code. Lines as the code check prints them (FILE:LINE:COL, or FILE, cell N, line L), then one
// summary of what was checked and what not, in English or German.
import type { NotebookCell } from '../checker/notebook';
import { checkMath, type MathSource } from '../derivations/check';
import { type Lang, messages, skipKey } from '../derivations/messages';
import type { MathResult } from '../derivations/types';
import { EXIT } from './command';

/** A notebook's Markdown cells, numbered among all its cells as the code check numbers them. */
export function markdownSources(cells: NotebookCell[]): MathSource[] {
  return cells.flatMap((c, i) => (c.markdown ? [{ text: c.text, cell: i + 1 }] : []));
}

export function checkNotebookMath(cells: NotebookCell[], file: string, lang: Lang): MathResult {
  return checkMath(markdownSources(cells), { file, lang });
}

/** The findings as lines, and the summary (nothing when the text has no equation). */
export function mathLines(result: MathResult, file: string, lang: Lang): string[] {
  const say = messages(lang);
  const out = result.findings.map((f) => {
    const at = f.cell === undefined ? `${file}:${f.line}:${f.column}` : `${file}, cell ${f.cell}, line ${f.line}`;
    return `${at}: ${f.severity}: ${f.message} [${f.code}]`;
  });
  const s = result.summary;
  if (s.equations === 0) return out;
  const kinds = Object.entries(s.skippedKinds)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => `${n} × ${say(skipKey(k as never))}`)
    .join('; ');
  out.push(say('summary', { equations: s.equations, checked: s.checked, wrong: s.wrong, definitions: s.definitions, skipped: s.skipped, kinds: kinds ? say('notCheckedKinds', { list: kinds }) : '' }));
  if (s.examples === 'rows') out.push(say('readInRows'));
  return out;
}

/** 1 a step is wrong, 2 nothing could be checked, else 0. */
export function mathExitCode(result: MathResult): number {
  if (result.findings.some((f) => f.severity === 'error')) return EXIT.checkFailed;
  return result.summary.checked > 0 || result.summary.relations['not-written'] > 0 ? EXIT.ok : EXIT.badInput;
}

/** Prints a math check as the command does (lines, or --json's object); resolves to its exit status. */
export function writeMath(result: MathResult, args: { file: string; json: boolean; lang: Lang }, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): number {
  if (args.json) stdout.write(JSON.stringify(result, null, 2) + '\n');
  else for (const l of mathLines(result, args.file, args.lang)) stdout.write(l + '\n');
  if (!args.json && result.summary.checked === 0 && result.findings.length === 0) stderr.write(`backprop-map check: ${messages(args.lang)('nothingChecked', { file: args.file })}\n`);
  return mathExitCode(result);
}
