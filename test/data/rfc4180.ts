// A strict RFC 4180 reader for the tests, independent of the project's own CSV code: it throws on
// anything the RFC does not allow (a quote or a line break in an unquoted field, text after a
// closing quote, an unclosed quote), so that malformed output fails loudly instead of being guessed at.

/** The records of a CSV text; each record ends in LF or CRLF (the last one may end the text). */
export function readRfc4180(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return records;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error(`unclosed quote in ${JSON.stringify(text.slice(0, 200))}`);
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const start = i;
      while (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
        if (text[i] === '"' || text[i] === '\r') throw new Error(`${JSON.stringify(text[i])} in an unquoted field at ${i}`);
        i++;
      }
      field = text.slice(start, i);
    }
    record.push(field);
    if (i === n) {
      records.push(record);
      return records;
    }
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else if (text[i] === '\n') i++;
    else throw new Error(`text after a closing quote at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
    records.push(record);
    record = [];
    if (i === n) return records;
  }
}

/** A text field as it was before writing: the rule of docs/command-line.md is one leading apostrophe to remove. */
export function undefused(field: string): string {
  return field.startsWith("'") ? field.slice(1) : field;
}

/** Strings that break naive CSV, HTML or spreadsheets, to use as column names and label values. */
export const HOSTILE = [
  'a,b',
  'say "hi"',
  'two\r\nlines',
  'cr\ronly',
  'lf\nonly',
  "=cmd|' /C calc'!A0",
  '<script>alert(1)</script>',
  '</td>',
  'Größe 🌸 日本語',
  '',
  '+1+2',
  '-x',
  '@SUM(A1:A2)',
  '\t=1',
  "'quoted",
  ' padded ',
  '&amp; <b>bold</b>',
] as const;
