/**
 * Reading a CSV/TSV table: the dataset to train on (features and a label column), or the features a
 * model predicts from. Each problem is a DataError naming the file, line and column.
 */
import { basename } from 'node:path';
import type { Matrix } from '../core/matrix';
import { FieldCursor } from './cursor';
import { DataError, listForMessage } from './errors';
import { MAX_DISTINCT_LABELS, labelMapping } from './labels';
import { isNonFiniteWord, parseNumber, parseNumberAt } from './numbers';
import { DELIMITER_NAMES, type Delimiter, type LabelChoice, type TableSniff, columnsForMessage, noDataError, resolveLabel, sniffTable, startOf } from './sniff';
import { readTextFile } from './textFile';

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

/**
 * Reads and parses a CSV/TSV file. Everything that can go wrong, including a missing or
 * unreadable file, a directory, a device or FIFO, a binary, UTF-16 or non-UTF-8 file, is a DataError.
 */
export async function loadDatasetFile(path: string, options: { label?: LabelChoice; ignore?: readonly string[] }): Promise<Dataset> {
  return parseDataset(await readTextFile(path), { fileName: path, label: options.label, ignore: options.ignore });
}
