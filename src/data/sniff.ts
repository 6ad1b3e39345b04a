/**
 * A table's layout from its first lines: the delimiter, the decimal mark, whether there is a
 * header, its columns and the likely label column; and which column is the label.
 */
import { FieldCursor } from './cursor';
import { DataError, listForMessage } from './errors';
import { parseNumber } from './numbers';

export type Delimiter = ',' | ';' | '\t';

export interface TableSniff {
  delimiter: Delimiter;
  /** Decimal commas (1,5) were seen in the first lines; only possible with ; or tab. */
  decimalComma: boolean;
  hasHeader: boolean;
  /** The header's names, or col1 … when there is no header. */
  columns: string[];
  /**
   * Fields per record. More than columns.length when the lines end in a separator (as some
   * spreadsheet exports write them): the unnamed, empty columns this leaves at the end are not
   * columns of the table.
   */
  fields: number;
  /** 0-based: a column named label, target, class, diagnosis or y (any case, in that preference), else the last. */
  suggestedLabel: number;
}

/**
 * Which column is the label.
 * - a number: the 0-based column index (as `TableSniff.suggestedLabel`);
 * - a string: a column name (exact, else ignoring case), else a 1-based column number written
 *   as text ("3" is the third column, the one named col3 in a file without header);
 * - null or absent: the last column.
 */
export type LabelChoice = string | number | null | undefined;

const DELIMITERS: readonly Delimiter[] = ['\t', ';', ','];
export const DELIMITER_NAMES: Record<Delimiter, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };
// In order of preference: y comes last, as it is also a common name for a coordinate.
const LABEL_NAMES = ['label', 'target', 'class', 'diagnosis', 'y'];
const SNIFF_RECORDS = 50;

export function startOf(text: string): number {
  return text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

/** The first `max` records split by `delimiter`, as trimmed strings. */
function sampleRecords(text: string, delimiter: Delimiter, fileName: string, max: number): string[][] {
  const cur = new FieldCursor(text, delimiter.charCodeAt(0), fileName, startOf(text));
  const out: string[][] = [];
  while (out.length < max && cur.nextRecord()) {
    const rec: string[] = [];
    do {
      cur.nextField();
      rec.push(cur.value());
    } while (!cur.last);
    out.push(rec);
  }
  return out;
}

function isNumeric(s: string, commaDecimal: boolean): boolean {
  return Number.isFinite(parseNumber(s, commaDecimal));
}

export function noDataError(fileName: string): DataError {
  return new DataError(`${fileName} is empty: it has no rows of data.`, { file: fileName });
}

/**
 * Detects the delimiter, decimal mark and header from the first lines only: cheap enough to
 * run on every keystroke-sized change. Throws DataError for an empty or one-column file.
 */
export function sniffTable(text: string, fileName: string): TableSniff {
  let best: { delimiter: Delimiter; records: string[][]; consistent: number; numeric: number } | null = null;
  let anyRecords = false;
  let quoteError: DataError | null = null;
  for (const delimiter of DELIMITERS) {
    let records: string[][];
    try {
      records = sampleRecords(text, delimiter, fileName, SNIFF_RECORDS);
    } catch (e) {
      // An unbalanced quote: reported only if no delimiter reads the first lines cleanly.
      if (!(e instanceof DataError)) throw e;
      quoteError ??= e;
      continue;
    }
    if (records.length === 0) continue;
    anyRecords = true;
    const counts = new Map<number, number>();
    for (const r of records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    let mode = 0;
    let modeCount = 0;
    for (const [len, k] of counts) {
      if (k > modeCount || (k === modeCount && len > mode)) [mode, modeCount] = [len, k];
    }
    if (mode < 2) continue;
    const commaDecimal = delimiter !== ',';
    let numeric = 0;
    for (const r of records) for (const cell of r) if (isNumeric(cell, commaDecimal)) numeric++;
    const consistent = modeCount / records.length;
    if (
      best === null ||
      consistent > best.consistent ||
      (consistent === best.consistent && numeric > best.numeric)
    ) {
      best = { delimiter, records, consistent, numeric };
    }
  }
  if (best === null) {
    if (quoteError) throw quoteError;
    if (!anyRecords) throw noDataError(fileName);
    throw new DataError(
      `${fileName} has only one column. A dataset needs at least one feature column and a label column, ` +
        'separated by commas, semicolons or tabs.',
      { file: fileName, line: 1 },
    );
  }
  const { delimiter, records } = best;
  const commaDecimal = delimiter !== ',';
  const decimalComma = commaDecimal && records.some((r) => r.some((c) => /^[+-]?\d*,\d+([eE][+-]?\d+)?$/.test(c)));
  const first = records[0]!;
  const hasHeader = looksLikeHeader(records, commaDecimal);
  const dataRecords = hasHeader ? records.slice(1) : records;
  let kept = first.length;
  while (kept > 2 && first[kept - 1] === '' && dataRecords.every((r) => (r[kept - 1] ?? '') === '')) kept--;
  const names = first.slice(0, kept);
  const columns = hasHeader ? names.map((name, j) => name || `col${j + 1}`) : names.map((_, j) => `col${j + 1}`);
  const lower = columns.map((c) => c.toLowerCase());
  const named = LABEL_NAMES.map((n) => lower.indexOf(n)).find((j) => j >= 0);
  return { delimiter, decimalComma, hasHeader, columns, fields: first.length, suggestedLabel: named ?? columns.length - 1 };
}

/**
 * The first record is a header when none of its cells is a number, or when its columns vote for
 * it: a column of numbers below counts +1 when it starts with a name and −1 when it starts with
 * a number; a column of at most two words below (a label) counts +1 when it starts with another
 * word and −1 when with one of them. So `age,2019,label` above data is a header, while a typo in
 * a first row of data stays data.
 */
function looksLikeHeader(records: readonly string[][], commaDecimal: boolean): boolean {
  const [first, ...below] = records;
  if (first!.every((cell) => !isNumeric(cell, commaDecimal))) return true;
  if (below.length === 0) return false;
  let votes = 0;
  first!.forEach((cell, j) => {
    const column = below.map((r) => r[j] ?? '');
    if (column.every((c) => isNumeric(c, commaDecimal))) {
      votes += isNumeric(cell, commaDecimal) ? -1 : 1;
    } else if (column.every((c) => c !== '' && !isNumeric(c, commaDecimal))) {
      const words = new Set(column);
      if (words.size <= 2) votes += words.has(cell) ? -1 : 1;
    }
  });
  return votes > 0;
}

export function columnsForMessage(columns: readonly string[]): string {
  return listForMessage(columns, 20);
}

/** The 0-based index of the label column; DataError listing the columns when there is none. */
export function resolveLabel(columns: readonly string[], label: LabelChoice, fileName: string): number {
  if (label === null || label === undefined || label === '') return columns.length - 1;
  const n = columns.length;
  if (typeof label === 'number') {
    if (Number.isInteger(label) && label >= 0 && label < n) return label;
    throw new DataError(
      `${fileName} has no column number ${label + 1}; it has ${n} columns: ${columnsForMessage(columns)}.`,
      { file: fileName },
    );
  }
  const wanted = label.trim();
  let j = columns.indexOf(wanted);
  if (j < 0) j = columns.findIndex((c) => c.toLowerCase() === wanted.toLowerCase());
  if (j >= 0) return j;
  if (/^\d+$/.test(wanted)) {
    const k = Number(wanted);
    if (k >= 1 && k <= n) return k - 1;
  }
  throw new DataError(
    `${fileName} has no column ${JSON.stringify(wanted)}. Its columns are ${columnsForMessage(columns)} ` +
      `(choose one by name, or by its number 1 … ${n}).`,
    { file: fileName },
  );
}
