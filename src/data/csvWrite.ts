/**
 * CSV as the project writes it (predict's output, the history export): RFC 4180 fields separated
 * by commas, every record ending in LF. Text from the user's files is defused against spreadsheet
 * formulas as "CSV output" in docs/command-line.md describes, so that it can always be read back exactly.
 */
import { parseNumberAt } from './numbers';

export type CsvValue = string | number | null;

// A spreadsheet takes a cell starting with one of = + - @ (or a tab or CR before them) for a
// formula (OWASP, "CSV Injection"); the apostrophe is the marker itself, so it is escaped too.
const FORMULA_START = /^[=+\-@\t\r']/;

/**
 * One field: a number as it is, null as an empty field, text with an apostrophe in front when it
 * starts like a formula (but not when it is a plain number such as -0.5), quoted when it holds a
 * comma, a quote, CR or LF, or starts or ends with a space (which readers trim), quotes doubled.
 */
export function csvField(v: CsvValue): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const s = FORMULA_START.test(v) && Number.isNaN(parseNumberAt(v, 0, v.length, true)) ? `'${v}` : v;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One record, with its line end. */
export function csvRecord(cells: readonly CsvValue[]): string {
  return `${cells.map(csvField).join(',')}\n`;
}
