// The file `backprop-map check` is given, read as Python would read it — or refused, before any
// Python starts: by its stat() alone when it is not a regular file or is over the size limit
// (nothing is read then, whatever its size), else by its bytes.
import { isUtf8 } from 'node:buffer';
import { type Stats, readFileSync, statSync } from 'node:fs';
import { megabytes, overLimitBySize, refusal, tooLarge } from '../checker/input';
import { NotebookError, type NotebookCell, notebookRefusal, notebookTooLarge, readNotebook } from '../checker/notebook';
import type { CheckResult } from '../checker/types';
import { firstInvalidUtf8, fsErrorReason, lineAt, notAFileReason } from '../data/textFile';

export type CheckedFile =
  /** The text, and for a notebook its cells. */
  | { text: string; cells: NotebookCell[] | null }
  /** Refused as a check result (too large, unreadable to Python): printed as any result is. */
  | { refused: CheckResult }
  /** Not readable at all: "cannot read FILE: <error>". */
  | { error: string };

const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

function utf16(bytes: Uint8Array): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

/**
 * The file's text as Python reads it: UTF-8, or the encoding a PEP 263 `# -*- coding: … -*-` line
 * in the first two lines names. Bytes that are not valid in it are an error naming their line, not
 * replacement characters that would turn into a baffling syntax error.
 */
export function decodeSource(bytes: Uint8Array): { text: string } | { error: string } {
  if (utf16(bytes)) return { error: 'it is saved as UTF-16, which Python cannot read as source code; save it as UTF-8' };
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 400)).split(/\r?\n|\r/).slice(0, 2);
  const declared = head.map((l) => CODING.exec(l)?.[1]).find((x) => x !== undefined);
  let encoding = 'utf-8';
  if (declared && !/^utf[-_]?8/i.test(declared)) {
    // Python's spellings (latin-1, cp1252, iso8859_15) to the WHATWG labels TextDecoder knows.
    const label = declared
      .toLowerCase()
      .replace(/_/g, '-')
      .replace(/^latin-1$/, 'latin1')
      .replace(/^cp(125\d)$/, 'windows-$1')
      .replace(/^iso-?8859-(\d+)$/, 'iso-8859-$1');
    try {
      new TextDecoder(label);
      encoding = label;
    } catch {
      return { error: `its coding line names "${declared}", an encoding this program does not know; save it as UTF-8` };
    }
  }
  try {
    return { text: new TextDecoder(encoding, { fatal: true }).decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const line = bad < 0 ? 1 : lineAt(bytes, bad);
    return { error: `it is not ${encoding === 'utf-8' ? 'UTF-8' : encoding} text (line ${line} has a byte that is not); save it as UTF-8, or name its encoding in a first-line comment such as "# -*- coding: latin-1 -*-"` };
  }
}

/** A notebook's JSON text: UTF-8 only (nbformat's rule; a coding line cannot help JSON). */
function decodeNotebook(bytes: Buffer): { text: string } | { error: string } {
  const advice = (from: string) => `convert it to UTF-8 (${from}\`iconv -f ${from === '' ? 'UTF-16' : 'LATIN1'} -t UTF-8 OLD.ipynb > NEW.ipynb\`)`;
  if (utf16(bytes)) return { error: `it is saved as UTF-16, but a Jupyter notebook is UTF-8 JSON: ${advice('')}` };
  if (!isUtf8(bytes)) {
    const bad = firstInvalidUtf8(bytes);
    return { error: `it is not UTF-8 (line ${lineAt(bytes, bad)} has a byte that is not), but a Jupyter notebook is UTF-8 JSON: ${advice('from Latin-1, say: ')}` };
  }
  return { text: bytes.toString('utf8') };
}

/** Reads the file to check; see CheckedFile. */
export function readCheckedFile(path: string): CheckedFile {
  const notebook = /\.ipynb$/i.test(path);
  let info: Stats;
  try {
    // stat() before opening: a FIFO would block the open, a device would never end.
    info = statSync(path);
  } catch (e) {
    return { error: fsErrorReason(e) };
  }
  if (info.isDirectory()) return { error: 'it is a folder; give the path of a Python file or a notebook' };
  const notAFile = notAFileReason(info);
  if (notAFile !== null) return { error: notAFile };
  const bySize = notebook ? notebookTooLarge(path, info.size) : overLimitBySize(info.size) ? tooLarge(path, `the file has ${megabytes(info.size)}`) : null;
  if (bySize !== null) return { refused: bySize };
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return { error: fsErrorReason(e) };
  }
  if (notebook) {
    const byCells = notebookTooLarge(path, bytes.length, bytes);
    if (byCells !== null) return { refused: byCells };
    const decoded = decodeNotebook(bytes);
    if ('error' in decoded) return decoded;
    let cells: NotebookCell[];
    try {
      cells = readNotebook(decoded.text);
    } catch (e) {
      if (e instanceof NotebookError) return { error: e.message };
      throw e;
    }
    const refused = notebookRefusal(cells, path);
    return refused !== null ? { refused } : { text: decoded.text, cells };
  }
  // A file grown since its stat() may now be over the limit: its bytes decide.
  if (overLimitBySize(bytes.length)) return { refused: tooLarge(path, `the file has ${megabytes(bytes.length)}`) };
  const decoded = decodeSource(bytes);
  if ('error' in decoded) return decoded;
  const refused = refusal(decoded.text, path);
  return refused !== null ? { refused: { ...refused, durationMs: 0 } } : { text: decoded.text, cells: null };
}
