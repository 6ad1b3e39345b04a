import { DataError } from './errors';

const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/**
 * Walks a delimited text field by field (RFC 4180 quoting: "a ""b""" is a"b"), keeping the
 * physical line number. A field is reported as bounds into the text, never as a new string,
 * so that the numeric columns of a large file can be parsed without a string per cell.
 */
export class FieldCursor {
  pos: number;
  line = 1;
  /** The line the current record starts on. */
  recordLine = 1;
  /** Bounds of the last field read (inside the quotes for a quoted field). */
  start = 0;
  end = 0;
  quoted = false;
  /** The quoted field contains doubled quotes, so its value is not just text[start, end). */
  escaped = false;
  /** The last field read ended its record. */
  last = false;

  constructor(
    readonly text: string,
    readonly delimiter: number,
    readonly fileName: string,
    start = 0,
  ) {
    this.pos = start;
  }

  /** Skips blank lines; false at the end of the text. */
  nextRecord(): boolean {
    const t = this.text;
    const n = t.length;
    for (;;) {
      let p = this.pos;
      while (p < n) {
        const c = t.charCodeAt(p);
        if (c === SPACE || (c === TAB && this.delimiter !== TAB)) p++;
        else break;
      }
      if (p >= n) {
        this.pos = n;
        return false;
      }
      const c = t.charCodeAt(p);
      if (c === LF || c === CR) {
        this.pos = p + (c === CR && t.charCodeAt(p + 1) === LF ? 2 : 1);
        this.line++;
        continue;
      }
      this.recordLine = this.line;
      this.last = false;
      return true;
    }
  }

  /** Reads the next field of the current record. */
  nextField(): void {
    const t = this.text;
    const n = t.length;
    const d = this.delimiter;
    let q = this.pos;
    while (q < n && t.charCodeAt(q) === SPACE) q++;
    let i: number;
    if (q < n && t.charCodeAt(q) === QUOTE) {
      const openLine = this.line;
      this.quoted = true;
      this.escaped = false;
      i = q + 1;
      for (;;) {
        const j = t.indexOf('"', i);
        if (j < 0) {
          throw new DataError(
            `${this.fileName}, line ${openLine}: a quoted field opens here but its closing quote (") never comes. ` +
              'Close the quote, or write a quote inside a quoted field as two quotes ("").',
            { file: this.fileName, line: openLine },
          );
        }
        this.countLines(i, j);
        if (t.charCodeAt(j + 1) === QUOTE) {
          this.escaped = true;
          i = j + 2;
          continue;
        }
        this.start = q + 1;
        this.end = j;
        i = j + 1;
        break;
      }
      while (i < n && t.charCodeAt(i) === SPACE) i++;
      if (i < n) {
        const c = t.charCodeAt(i);
        if (c !== d && c !== LF && c !== CR) {
          throw new DataError(
            `${this.fileName}, line ${this.line}: unexpected text after the closing quote of a quoted field. ` +
              'A quote inside a quoted field must be written as two quotes ("").',
            { file: this.fileName, line: this.line },
          );
        }
      }
    } else {
      this.quoted = false;
      this.escaped = false;
      i = this.pos;
      while (i < n) {
        const c = t.charCodeAt(i);
        if (c === d || c === LF || c === CR) break;
        i++;
      }
      this.start = this.pos;
      this.end = i;
    }
    if (i >= n) {
      this.pos = n;
      this.last = true;
      return;
    }
    const c = t.charCodeAt(i);
    if (c === d) {
      this.pos = i + 1;
      this.last = false;
    } else {
      this.pos = i + (c === CR && t.charCodeAt(i + 1) === LF ? 2 : 1);
      this.line++;
      this.last = true;
    }
  }

  /** The last field's value as a string, unquoted and trimmed. */
  value(): string {
    const s = this.text.slice(this.start, this.end);
    return (this.escaped ? s.replaceAll('""', '"') : s).trim();
  }

  /** Reads the rest of the current record and returns how many fields it had in all. */
  skipRest(fieldsSoFar: number): number {
    let count = fieldsSoFar;
    while (!this.last) {
      this.nextField();
      count++;
    }
    return count;
  }

  private countLines(from: number, to: number): void {
    const t = this.text;
    for (let k = from; k < to; k++) {
      const c = t.charCodeAt(k);
      if (c === LF || (c === CR && t.charCodeAt(k + 1) !== LF)) this.line++;
    }
  }
}
