// A Jupyter notebook as one more source for the derivation checker: its code cells in order make
// one Python program (as when the notebook runs top to bottom, a later definition wins), magics
// blanked; the program's lines map back to the cell and the line in it.
import type { CheckOptions, CheckerRunner } from './runner';
import type { CheckResult, GradientResult } from './types';

/** A cell as the checker needs it: code or not, and its text. */
export interface NotebookCell {
  code: boolean;
  text: string;
}

/** A file that is not an nbformat 4 notebook; the message says why in a few words. */
export class NotebookError extends Error {}

/** The cells of an .ipynb file's text (nbformat 4: `cells`, each with `cell_type` and `source`). */
export function readNotebook(json: string): NotebookCell[] {
  let nb: unknown;
  try {
    nb = JSON.parse(json.startsWith('\ufeff') ? json.slice(1) : json);
  } catch (e) {
    throw new NotebookError(`it is not a Jupyter notebook: its text is not JSON (${(e as Error).message})`);
  }
  if (typeof nb !== 'object' || nb === null || !Array.isArray((nb as { cells?: unknown }).cells)) {
    throw new NotebookError('it is not a Jupyter notebook: it has no list of "cells"');
  }
  const format = (nb as { nbformat?: unknown }).nbformat;
  if (format !== 4) {
    throw new NotebookError(`it is a notebook of nbformat ${JSON.stringify(format ?? null)}, and the checker reads nbformat 4 (open and save it in Jupyter or VS Code to convert it)`);
  }
  return ((nb as { cells: unknown[] }).cells).map((c, i) => {
    const cell = (typeof c === 'object' && c !== null ? c : {}) as { cell_type?: unknown; source?: unknown };
    const source = cell.source;
    const text = typeof source === 'string' ? source : Array.isArray(source) && source.every((s) => typeof s === 'string') ? source.join('') : null;
    if (text === null) throw new NotebookError(`it is not a valid notebook: the "source" of cell ${i + 1} is neither a text nor a list of texts`);
    return { code: cell.cell_type === 'code', text };
  });
}

/** One line of the program: the 1-based number of its cell (among all cells) and its line there. */
export interface CellLine {
  cell: number;
  line: number;
}

export interface NotebookProgram {
  text: string;
  /** `at[k]` is where line k + 1 of the program comes from. */
  at: CellLine[];
}

// IPython's own syntax at the start of a line: `%matplotlib inline`, `%%time`, `!pip install …`
// (but not a continued `!= b`), which Python cannot parse. `%run helper.py` is kept: the checker
// resolves it like an import of the file beside the notebook.
const LINE_MAGIC = /^(\s*)(?:%(?!run\s)[A-Za-z%]|!(?!=))/;
// Cell magics whose body is still the cell's Python code; any other (`%%bash`, `%%writefile`)
// makes the whole cell something else.
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug']);

function cellLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The notebook's code cells as one program. A magic line becomes `pass` at its indentation, so
 * that a block holding it stays a block and every line keeps its number.
 */
export function notebookProgram(cells: NotebookCell[]): NotebookProgram {
  const lines: string[] = [];
  const at: CellLine[] = [];
  cells.forEach((cell, index) => {
    if (!cell.code) return;
    const own = cellLines(cell.text);
    const cellMagic = /^\s*%%(\w+)/.exec(own.find((l) => l.trim() !== '') ?? '');
    const notPython = cellMagic !== null && !PYTHON_CELL_MAGICS.has(cellMagic[1]!);
    own.forEach((text, i) => {
      const magic = LINE_MAGIC.exec(text);
      lines.push(notPython ? '' : magic ? `${magic[1]}pass` : text);
      at.push({ cell: index + 1, line: i + 1 });
    });
  });
  return { text: lines.map((l) => l + '\n').join(''), at };
}

/** A result for the program with every location (and every "line N" in its texts) in cells. */
export function mapToCells(result: CheckResult, program: NotebookProgram): CheckResult {
  const first = program.at[0] ?? { cell: 1, line: 1 };
  const place = (line: number): CellLine => program.at[line - 1] ?? program.at[program.at.length - 1] ?? first;
  const relabel = (text: string): string =>
    text.replace(/\bline (\d+)\b/g, (_, n: string) => {
      const p = place(Number(n));
      return `cell ${p.cell}, line ${p.line}`;
    });
  const gradient = (g: GradientResult): GradientResult => ({ ...g, ...(g.line !== null ? place(g.line) : {}), hint: g.hint === null ? null : relabel(g.hint) });
  return {
    ...result,
    reports: result.reports.map((r) => ({
      ...r,
      ...place(r.line),
      message: relabel(r.message),
      related: r.related.map((x) => ({ ...x, ...place(x.line), message: relabel(x.message) })),
      ...(r.fix
        ? { fix: { ...r.fix, edits: r.fix.edits.map((e) => ({ ...e, ...place(e.line), endLine: place(e.endLine).line })) } }
        : {}),
    })),
    gradients: result.gradients.map(gradient),
    units: result.units.map((u) => ({ ...u, ...place(u.line), endLine: place(u.endLine).line, reason: u.reason === null ? null : relabel(u.reason), gradients: u.gradients.map(gradient) })),
    functions: result.functions.map((f) => ({ ...f, ...place(f.line), endLine: place(f.endLine).line })),
    traces: result.traces.map((t) => ({ ...t, ...place(t.line) })),
  };
}

/** Checks a notebook's cells; every location in the result names its cell. */
export async function checkNotebook(runner: CheckerRunner, cells: NotebookCell[], fileName: string, options: CheckOptions = {}): Promise<CheckResult> {
  const program = notebookProgram(cells);
  return mapToCells(await runner.check(program.text, fileName, options), program);
}
