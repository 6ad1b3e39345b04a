// A Jupyter notebook as one more source for the derivation checker: its code cells in order make
// one Python program (as when the notebook runs top to bottom, a later definition wins), magics
// blanked; the program's lines map back to the cell and the line in it.
import { MAX_CHECK_CHARS, MAX_NOTEBOOK_BYTES, failure, megabytes, refusal, tooLarge } from './input';
import type { CheckOptions, CheckerRunner } from './runner';
import type { CheckResult, GradientResult } from './types';

/** A cell as the checker needs it: code or not, and its text. */
export interface NotebookCell {
  code: boolean;
  /** A Markdown cell: its math is checked too (src/derivations). */
  markdown?: boolean;
  text: string;
}

/** A file that is not an nbformat 4 notebook; the message says why in a few words. */
export class NotebookError extends Error {}

const CELL_TYPES = ['code', 'markdown', 'raw'];

/** A value from a file for a message: short, one line, control characters escaped. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The cells of an .ipynb file's text (nbformat 4: `cells`, each with `cell_type` and `source`). */
export function readNotebook(json: string): NotebookCell[] {
  let nb: unknown;
  try {
    nb = JSON.parse(json.startsWith('\ufeff') ? json.slice(1) : json);
  } catch (e) {
    // The engine's message quotes the text around the fault: its control characters are escaped.
    const why = (e as Error).message.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    throw new NotebookError(`it is not a Jupyter notebook: its text is not JSON (${why})`);
  }
  if (typeof nb !== 'object' || nb === null || !Array.isArray((nb as { cells?: unknown }).cells)) {
    throw new NotebookError('it is not a Jupyter notebook: it has no list of "cells"');
  }
  const format = (nb as { nbformat?: unknown }).nbformat;
  if (format === undefined) throw new NotebookError('it is not a valid notebook: it has no "nbformat" (open and save it in Jupyter or VS Code to repair it)');
  if (typeof format === 'number' && !Number.isFinite(format)) {
    throw new NotebookError('its "nbformat" is a number too large to be a version, and the checker reads nbformat 4 (open and save it in Jupyter or VS Code to repair it)');
  }
  if (format !== 4) {
    throw new NotebookError(`it is a notebook of nbformat ${shown(format)}, and the checker reads nbformat 4 (open and save it in Jupyter or VS Code to convert it)`);
  }
  return ((nb as { cells: unknown[] }).cells).map((c, i) => {
    const cell = (typeof c === 'object' && c !== null ? c : {}) as { cell_type?: unknown; source?: unknown };
    if (!CELL_TYPES.includes(cell.cell_type as string)) {
      const what = cell.cell_type === undefined ? 'has no "cell_type"' : `has the "cell_type" ${shown(cell.cell_type)}`;
      throw new NotebookError(
        `it is not a valid notebook: cell ${i + 1} ${what}, where nbformat 4 knows "code", "markdown" and "raw" (open the notebook in Jupyter or VS Code, fix or delete that cell and save it)`,
      );
    }
    const source = cell.source;
    const text = typeof source === 'string' ? source : Array.isArray(source) && source.every((s) => typeof s === 'string') ? source.join('') : null;
    if (text === null) throw new NotebookError(`it is not a valid notebook: the "source" of cell ${i + 1} is neither a text nor a list of texts`);
    return { code: cell.cell_type === 'code', markdown: cell.cell_type === 'markdown', text };
  });
}

/** A character takes at most 12 bytes in JSON (a surrogate pair escaped, `\\ud83c\\udf38`). */
const MAX_JSON_BYTES_PER_CHAR = 12;

/**
 * The bytes that the `source` of the code cells take in a notebook file (escapes included), found by
 * a scan that makes no string of them; null where the file is not the JSON object a notebook is
 * (parsing it then says why). As for JSON.parse, a key given twice counts with its last value; a
 * key or type written with escapes is not recognised, which only counts less.
 */
export function codeSourceBytes(bytes: Buffer): number | null {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const bad = new Error('not a notebook');
  const space = () => {
    while (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09) i++;
  };
  const at = (byte: number): boolean => {
    space();
    return bytes[i] === byte;
  };
  /** A string's length in bytes between its quotes; its end found by Buffer.indexOf. */
  const string = (): number => {
    if (!at(0x22)) throw bad;
    const start = ++i;
    for (;;) {
      const quote = bytes.indexOf(0x22, i);
      if (quote < 0) throw bad;
      let slashes = 0;
      while (bytes[quote - 1 - slashes] === 0x5c) slashes++;
      i = quote + 1;
      if (slashes % 2 === 0) return quote - start;
    }
  };
  /** A key, when it is a short one written plainly; '' for any other. */
  const key = (): string => {
    const start = at(0x22) ? i + 1 : -1;
    const length = string();
    return length <= 16 ? bytes.toString('latin1', start, start + length) : '';
  };
  /** Any value, passed over: strings by their quotes, objects and arrays by their depth. */
  const skip = () => {
    let depth = 0;
    for (;;) {
      const b = bytes[i];
      if (b === undefined) throw bad;
      if (b === 0x22) string();
      else if (b === 0x7b || b === 0x5b) {
        depth++;
        i++;
      } else if (b === 0x7d || b === 0x5d) {
        if (depth === 0) return;
        depth--;
        i++;
      } else if (b === 0x2c && depth === 0) return;
      else i++;
    }
  };
  /** A container's items up to its closing byte: `item` reads one (an object's: key and colon read). */
  const items = (open: number, close: number, item: (key: string) => void) => {
    if (!at(open)) throw bad;
    i++;
    if (at(close)) {
      i++;
      return;
    }
    for (;;) {
      let name = '';
      if (open === 0x7b) {
        name = key();
        if (!at(0x3a)) throw bad;
        i++;
      }
      space();
      item(name);
      if (at(0x2c)) i++;
      else if (at(close)) {
        i++;
        return;
      } else throw bad;
    }
  };
  const object = (member: (key: string) => void) => items(0x7b, 0x7d, member);
  const array = (element: () => void) => items(0x5b, 0x5d, element);
  let total = 0;
  try {
    object((name) => {
      if (name !== 'cells') return skip();
      total = 0;
      array(() => {
        if (bytes[i] !== 0x7b) return skip();
        let code = false;
        let source = 0;
        object((field) => {
          if (field === 'cell_type' && bytes[i] === 0x22) {
            const start = i + 1;
            code = string() === 4 && bytes.toString('latin1', start, start + 4) === 'code';
          } else if (field === 'source' && bytes[i] === 0x22) source = string();
          else if (field === 'source' && bytes[i] === 0x5b) {
            source = 0;
            array(() => {
              if (bytes[i] === 0x22) source += string();
              else skip();
            });
          } else skip();
        });
        if (code) total += source;
      });
    });
  } catch (e) {
    if (e === bad || e instanceof RangeError) return null;
    throw e;
  }
  return total;
}

/**
 * A notebook file's refusal when its size, or the size of its code cells' sources, shows it over
 * the limit without parsing it; null when only its cells can tell. `size`: the file's size (from
 * stat), `bytes`: its content, once read.
 */
export function notebookTooLarge(file: string, size: number, bytes?: Buffer): CheckResult | null {
  if (size > MAX_NOTEBOOK_BYTES) {
    const message =
      `the notebook file has ${megabytes(size)}, more than the checker reads (notebooks of up to ${megabytes(MAX_NOTEBOOK_BYTES)}); ` +
      'what makes a notebook that large is its outputs: clear them ("Clear All Outputs" in Jupyter or VS Code) and save it — nothing was checked';
    return { ...failure(file, 'file-too-large', message), durationMs: 0 };
  }
  if (bytes === undefined || size <= MAX_CHECK_CHARS) return null;
  const source = codeSourceBytes(bytes);
  return source !== null && source > MAX_JSON_BYTES_PER_CHAR * MAX_CHECK_CHARS ? tooLarge(file, `the notebook's code cells have ${megabytes(source)} of text`) : null;
}

/** A notebook's code cells, refused at once when they are too large or hold what Python cannot read (at the cell and line). */
export function notebookRefusal(cells: NotebookCell[], fileName: string): CheckResult | null {
  const program = notebookProgram(cells);
  const refused = refusal(program.text, fileName, true);
  return refused === null ? null : mapToCells({ ...refused, durationMs: 0 }, program);
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
  // A helper module's reports and units keep their lines: they are the module's, not the program's.
  return {
    ...result,
    reports: result.reports.map((r) => r.file !== undefined ? r : ({
      ...r,
      ...place(r.line),
      message: relabel(r.message),
      related: r.related.map((x) => x.file !== undefined ? x : ({ ...x, ...place(x.line), message: relabel(x.message) })),
      ...(r.fix
        ? { fix: { ...r.fix, edits: r.fix.edits.map((e) => ({ ...e, ...place(e.line), endLine: place(e.endLine).line })) } }
        : {}),
    })),
    gradients: result.gradients.map(gradient),
    units: result.units.map((u) => u.file !== undefined ? u : ({ ...u, ...place(u.line), endLine: place(u.endLine).line, reason: u.reason === null ? null : relabel(u.reason), gradients: u.gradients.map(gradient) })),
    functions: result.functions.map((f) => ({ ...f, ...place(f.line), endLine: place(f.endLine).line })),
    traces: result.traces.map((t) => ({ ...t, ...place(t.line) })),
  };
}

/** Checks a notebook's cells; every location in the result names its cell. */
export async function checkNotebook(runner: CheckerRunner, cells: NotebookCell[], fileName: string, options: CheckOptions = {}): Promise<CheckResult> {
  const program = notebookProgram(cells);
  return mapToCells(await runner.check(program.text, fileName, { ...options, notebook: true }), program);
}
