import { basename } from 'node:path';
import type { Matrix } from '../core/matrix';
import { FieldCursor } from './cursor';
import { DataError, listForMessage } from './errors';
import { isNonFiniteWord, parseNumber, parseNumberAt } from './numbers';
import { readTextFile } from './textFile';

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

export interface Dataset {
  /** A file name without its folders, or `sample:NAME`. */
  name: string;
  /** (n_x × m): one row per feature, one column per example. */
  X: Matrix;
  /** (1 × m), 0 or 1. */
  Y: Matrix;
  featureNames: string[];
  labelName: string;
  /** The original label value that became 0 and the one that became 1. */
  labels: { '0': string; '1': string };
  /** False only when the label column already held exactly the values 0 and 1. */
  labelMapped: boolean;
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
const DELIMITER_NAMES: Record<Delimiter, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };
// In order of preference: y comes last, as it is also a common name for a coordinate.
const LABEL_NAMES = ['label', 'target', 'class', 'diagnosis', 'y'];
const SNIFF_RECORDS = 50;
/** Distinct label values kept for the error message about a label column with too many. */
const MAX_DISTINCT_LABELS = 1000;

function startOf(text: string): number {
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

function noDataError(fileName: string): DataError {
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

function columnsForMessage(columns: readonly string[]): string {
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

interface Where {
  fileName: string;
  line: number;
  column: number;
  name: string;
}

function at(w: Where): string {
  return `${w.fileName}, line ${w.line}, column ${w.column} (${JSON.stringify(w.name)})`;
}

function cellError(w: Where, raw: string, commaDecimal: boolean, labelName: string | null): DataError {
  const loc = { file: w.fileName, line: w.line, column: w.column };
  if (raw === '') {
    return new DataError(
      `${at(w)}: the cell is empty. Every feature column needs a number in every row; fill in the value or remove the row.`,
      loc,
    );
  }
  const shown = JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  const v = parseNumber(raw, commaDecimal);
  if (isNonFiniteWord(raw) || v === Infinity || v === -Infinity) {
    return new DataError(
      `${at(w)}: ${shown} is not a finite number. Missing, NaN and infinite values are not supported; ` +
        'fill in the value or remove the row.',
      loc,
    );
  }
  const mark = commaDecimal ? 'a decimal point or a decimal comma' : 'a decimal point';
  const which = labelName === null ? 'Every feature column' : `Every column except the label (${JSON.stringify(labelName)})`;
  const hint = labelName === null ? '' : ` If ${JSON.stringify(w.name)} is meant to be the label, choose it as the label column.`;
  return new DataError(
    `${at(w)}: ${shown} is not a number. ${which} must hold plain numbers such as -1.5 or 2e-3, ` +
      `written with ${mark} and without thousands separators.${hint}`,
    loc,
  );
}

function raggedError(fileName: string, line: number, found: number, columns: readonly string[], hasHeader: boolean, delimiter: Delimiter): DataError {
  const expected = columns.length;
  const ref = hasHeader ? 'the header on line 1 has' : 'the first row has';
  return new DataError(
    `${fileName}, line ${line}: this row has ${found} field${found === 1 ? '' : 's'}, but ${ref} ${expected}. ` +
      `Every row needs one value per column, separated by ${DELIMITER_NAMES[delimiter]}s; look for a missing or extra ` +
      `${DELIMITER_NAMES[delimiter]}, or for a value with a ${DELIMITER_NAMES[delimiter]} in it that needs quotes.`,
    { file: fileName, line },
  );
}

/** [negative, positive] answers, compared ignoring case. */
const YES_NO: readonly [string, string][] = [
  ['no', 'yes'],
  ['nein', 'ja'],
  ['false', 'true'],
  ['falsch', 'wahr'],
  ['n', 'y'],
  ['n', 'j'],
  ['f', 't'],
  ['negative', 'positive'],
  ['neg', 'pos'],
  ['-', '+'],
];

/**
 * Orders the two label values: which one becomes 0 and which 1.
 * 1. Numbers: 0 and 1 stay as they are; any other pair is ordered ascending (2/4 → 0/1).
 * 2. A yes/no pair (yes/no, ja/nein, true/false, y/n, positive/negative, pos/neg, +/−, any case):
 *    the negative answer becomes 0, the positive 1.
 * 3. Anything else: in the strings' sort order (code points), so B/M gives B → 0, M → 1.
 */
export function orderLabelPair(a: string, b: string): [string, string] {
  const na = parseNumber(a, false);
  const nb = parseNumber(b, false);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na < nb ? [a, b] : [b, a];
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  for (const [no, yes] of YES_NO) {
    if (la === no && lb === yes) return [a, b];
    if (la === yes && lb === no) return [b, a];
  }
  return a < b ? [a, b] : [b, a];
}

/** Lines in the text: an upper bound on the number of data rows. */
function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 10) n++;
  return n;
}

// featureRow[j] for a column j that is not a feature.
const LABEL = -1;
const IGNORED = -2;

interface Scan {
  X: Matrix;
  /** Per example: the index of its label value in `distinctList` (MAX_DISTINCT_LABELS past the cap). */
  codes: Int32Array;
  distinctList: string[];
  overflow: boolean;
}

/**
 * Reads every data row: column j's numbers go straight into row featureRow[j] of X (one
 * Float64Array for the whole matrix), the label column's cells become codes of distinct values.
 * `labelName` is null when there is no label column.
 */
function scanTable(text: string, fileName: string, sniff: TableSniff, featureRow: Int32Array, nx: number, labelName: string | null): Scan {
  const { columns, delimiter, hasHeader } = sniff;
  const commaDecimal = delimiter !== ',';
  const nCols = columns.length;
  const capacity = countLines(text);
  const data = new Float64Array(nx * capacity);
  const codes = new Int32Array(labelName === null ? 0 : capacity);
  const distinct = new Map<string, number>();
  const distinctList: string[] = [];
  let overflow = false;
  let lastLabel = '';
  let lastCode = -1;

  const cur = new FieldCursor(text, delimiter.charCodeAt(0), fileName, startOf(text));
  if (hasHeader && cur.nextRecord()) cur.skipRest(0);
  let m = 0;
  while (cur.nextRecord()) {
    const line = cur.recordLine;
    for (let j = 0; j < nCols; j++) {
      if (cur.last) throw raggedError(fileName, line, j, columns, hasHeader, delimiter);
      cur.nextField();
      const r = featureRow[j]!;
      if (r >= 0) {
        let v: number;
        if (cur.quoted) v = parseNumber(cur.value(), commaDecimal);
        else v = parseNumberAt(text, cur.start, cur.end, commaDecimal);
        if (!Number.isFinite(v)) {
          const raw = cur.quoted ? cur.value() : text.slice(cur.start, cur.end).trim();
          throw cellError({ fileName, line, column: j + 1, name: columns[j]! }, raw, commaDecimal, labelName);
        }
        data[r * capacity + m] = v;
      } else if (r === LABEL) {
        const value = cur.value();
        if (value === '') {
          throw new DataError(
            `${at({ fileName, line, column: j + 1, name: columns[j]! })}: the label is empty. Every row needs a label.`,
            { file: fileName, line, column: j + 1 },
          );
        }
        if (value !== lastLabel || lastCode < 0) {
          let code = distinct.get(value);
          if (code === undefined) {
            if (distinct.size < MAX_DISTINCT_LABELS) {
              code = distinct.size;
              distinct.set(value, code);
              distinctList.push(value);
            } else {
              overflow = true;
              code = MAX_DISTINCT_LABELS;
            }
          }
          lastLabel = value;
          lastCode = code;
        }
        codes[m] = lastCode;
      }
    }
    let j = nCols;
    for (; j < sniff.fields && !cur.last; j++) {
      cur.nextField();
      if (cur.value() !== '') {
        throw new DataError(
          `${fileName}, line ${line}, column ${j + 1}: ${JSON.stringify(cur.value())} stands in a column without a name that ` +
            'is empty in the first lines, so it was taken for the empty field left by a separator at the end of each line. ' +
            'Give the column a name in the header, or remove the value.',
          { file: fileName, line, column: j + 1 },
        );
      }
    }
    if (!cur.last) throw raggedError(fileName, line, cur.skipRest(j), columns, hasHeader, delimiter);
    m++;
  }

  if (m === 0) {
    if (hasHeader) {
      throw new DataError(`${fileName} has a header row (line 1) but no rows of data below it.`, { file: fileName, line: 1 });
    }
    throw noDataError(fileName);
  }
  // Move each feature's values together so the first nx·m numbers are X, row-major (n_x × m).
  for (let r = 1; r < nx; r++) data.copyWithin(r * m, r * capacity, r * capacity + m);
  const X: Matrix = { rows: nx, cols: m, data: m === capacity ? data : data.subarray(0, nx * m) };
  return { X, codes: codes.subarray(0, m), distinctList, overflow };
}

/**
 * Parses a CSV/TSV text into a binary classification dataset: every column but the label is a
 * feature. Throws DataError with the file, line and column of the first problem.
 */
export function parseDataset(text: string, options: { fileName: string; label?: LabelChoice; ignore?: readonly string[] }): Dataset {
  const fileName = options.fileName;
  const sniff = sniffTable(text, fileName);
  const { columns } = sniff;
  const labelCol = resolveLabel(columns, options.label, fileName);
  const labelName = columns[labelCol]!;
  const ignored = ignoredColumns(columns, options.ignore ?? [], labelCol, fileName);
  const featureRow = new Int32Array(columns.length);
  let nx = 0;
  for (let j = 0; j < columns.length; j++) featureRow[j] = j === labelCol ? LABEL : ignored.has(j) ? IGNORED : nx++;

  const { X, codes, distinctList, overflow } = scanTable(text, fileName, sniff, featureRow, nx, labelName);
  const m = X.cols;
  const { map, zero, one } = labelMapping(distinctList, overflow, {
    fileName,
    labelName,
    labelCol,
    m,
    columns,
    suggested: sniff.suggestedLabel,
  });
  const y = new Float64Array(m);
  for (let k = 0; k < m; k++) y[k] = map[codes[k]!]!;
  return {
    name: basename(fileName),
    X,
    Y: { rows: 1, cols: m, data: y },
    featureNames: columns.filter((_, j) => featureRow[j]! >= 0),
    labelName,
    labels: { '0': zero, '1': one },
    labelMapped: !(zero === '0' && one === '1'),
  };
}

/** The 0-based columns to leave out (an id, a date …), by name or 1-based number; never the label or every feature. */
function ignoredColumns(columns: readonly string[], ignore: readonly string[], labelCol: number, fileName: string): Set<number> {
  const ignored = new Set(ignore.map((c) => resolveLabel(columns, c, fileName)));
  if (ignored.has(labelCol)) {
    throw new DataError(
      `${fileName}: ${JSON.stringify(columns[labelCol])} (column ${labelCol + 1}) is the label column; it cannot also be left out.`,
      { file: fileName, column: labelCol + 1 },
    );
  }
  if (ignored.size >= columns.length - 1) {
    throw new DataError(`${fileName}: leaving out ${listForMessage(ignore, 20)} leaves no feature column besides the label.`, { file: fileName });
  }
  return ignored;
}

export interface FeatureTable {
  /** (n_x × m), the rows in the order of the requested feature names. */
  X: Matrix;
  /** Columns of the file that are not among the features (a label column, an id …). */
  ignoredColumns: string[];
}

/**
 * Reads the columns `featureNames` (a model's inputs) from a CSV/TSV text, for prediction.
 * With a header the columns are found by name, in any order, and other columns are ignored;
 * without one the file must have exactly those columns, or those and a last (label) column.
 */
export function parseFeatures(text: string, options: { fileName: string; featureNames: readonly string[] }): FeatureTable {
  const { fileName, featureNames } = options;
  const sniff = sniffTable(text, fileName);
  const { columns } = sniff;
  const nx = featureNames.length;
  const featureRow = new Int32Array(columns.length).fill(IGNORED);
  if (sniff.hasHeader) {
    const missing: string[] = [];
    featureNames.forEach((name, r) => {
      let j = columns.indexOf(name);
      if (j < 0) j = columns.findIndex((c) => c.toLowerCase() === name.toLowerCase());
      if (j < 0 || featureRow[j] !== IGNORED) missing.push(name);
      else featureRow[j] = r;
    });
    if (missing.length > 0) {
      throw new DataError(
        `${fileName} lacks ${missing.length === 1 ? 'the feature column' : 'the feature columns'} ${listForMessage(missing, 20)} ` +
          `that the model was trained on. Its columns are ${columnsForMessage(columns)}.`,
        { file: fileName, line: 1 },
      );
    }
  } else if (columns.length === nx || columns.length === nx + 1) {
    for (let r = 0; r < nx; r++) featureRow[r] = r;
  } else {
    throw new DataError(
      `${fileName} has ${columns.length} columns and no header row, but the model expects ${nx} feature${nx === 1 ? '' : 's'} ` +
        `(${listForMessage(featureNames, 20)}), optionally followed by a label column. Add a header row naming the columns, ` +
        'or keep only the feature columns, in the model\'s order.',
      { file: fileName, line: 1 },
    );
  }
  const { X } = scanTable(text, fileName, sniff, featureRow, nx, null);
  return { X, ignoredColumns: columns.filter((_, j) => featureRow[j] === IGNORED) };
}

interface LabelContext {
  fileName: string;
  labelName: string;
  labelCol: number;
  m: number;
  columns: readonly string[];
  suggested: number;
}

/** 0/1 for each distinct label string; DataError unless there are exactly two values. */
function labelMapping(
  distinctList: readonly string[],
  overflow: boolean,
  ctx: LabelContext,
): { map: number[]; zero: string; one: string } {
  // Spellings of the same number (1 and 1.0) are one value.
  const groupOf: number[] = [];
  const groups: string[] = [];
  const numbers = distinctList.map((s) => parseNumber(s, false));
  if (!overflow && numbers.every(Number.isFinite)) {
    const byValue = new Map<number, number>();
    numbers.forEach((v, k) => {
      let g = byValue.get(v);
      if (g === undefined) {
        g = groups.length;
        byValue.set(v, g);
        groups.push(distinctList[k]!);
      }
      groupOf.push(g);
    });
  } else {
    distinctList.forEach((s, k) => {
      groups.push(s);
      groupOf.push(k);
    });
  }
  const what = `the label column ${JSON.stringify(ctx.labelName)} (column ${ctx.labelCol + 1})`;
  if (groups.length === 1) {
    throw new DataError(
      `${ctx.fileName}: ${what} has the same value, ${JSON.stringify(groups[0])}, in all ${ctx.m} rows. ` +
        'A binary classifier needs examples of two classes.',
      { file: ctx.fileName, column: ctx.labelCol + 1 },
    );
  }
  if (groups.length > 2 || overflow) {
    const count = overflow ? `more than ${MAX_DISTINCT_LABELS}` : String(groups.length);
    const hint =
      ctx.suggested !== ctx.labelCol
        ? ` Is ${JSON.stringify(ctx.columns[ctx.suggested])} (column ${ctx.suggested + 1}) the label? Then choose it as the label column.`
        : ' Choose the column that holds the two classes as the label column.';
    throw new DataError(
      `${ctx.fileName}: ${what} must have exactly two distinct values, but it has ${count}: ` +
        `${listForMessage(groups, 8, overflow ? groups.length + 1 : groups.length)}.${hint}`,
      { file: ctx.fileName, column: ctx.labelCol + 1 },
    );
  }
  const [zero, one] = orderLabelPair(groups[0]!, groups[1]!);
  const map = groupOf.map((g) => (groups[g] === one ? 1 : 0));
  return { map, zero, one };
}

/**
 * Reads and parses a CSV/TSV file. Everything that can go wrong, including a missing or
 * unreadable file, a directory, a device or FIFO, a binary, UTF-16 or non-UTF-8 file, is a DataError.
 */
export async function loadDatasetFile(path: string, options: { label?: LabelChoice; ignore?: readonly string[] }): Promise<Dataset> {
  return parseDataset(await readTextFile(path), { fileName: path, label: options.label, ignore: options.ignore });
}
