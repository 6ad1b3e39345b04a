import { isUtf8 } from 'node:buffer';
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { DataError } from './errors';

/** Files larger than this are refused before reading: V8 cannot hold much longer strings. */
const MAX_FILE_BYTES = 512 * 1024 * 1024 - 64;

/**
 * Why a path that is neither a regular file nor a folder is not read, for "Cannot read PATH: …";
 * null for a regular file or a folder. Reading a device such as /dev/zero never ends, and opening a
 * FIFO waits for a writer, so such a path must be refused from its stat() alone, never opened.
 */
export function notAFileReason(info: Stats): string | null {
  if (info.isFile() || info.isDirectory()) return null;
  const kind = info.isFIFO()
    ? 'a FIFO (named pipe)'
    : info.isCharacterDevice()
      ? 'a character device'
      : info.isBlockDevice()
        ? 'a block device'
        : info.isSocket()
          ? 'a socket'
          : 'not a file';
  return (
    `it is ${kind}, not a regular file. Only regular files are read, as a device or a pipe may never end or may wait ` +
    'for a writer; give the path of a saved file instead'
  );
}

/**
 * Offset of the first byte that does not start or continue a valid UTF-8 sequence, -1 if none.
 * With `complete` false the bytes are the start of a longer text, so a sequence cut at the end is valid.
 */
export function firstInvalidUtf8(bytes: Uint8Array, complete = true): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // The length of the sequence and the range of its second byte (which rules out overlong
    // forms, surrogates and code points above U+10FFFF); later bytes are 0x80 … 0xBF.
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k < len; k++) {
      if (i + k >= n) return complete ? i : -1;
      const c = bytes[i + k]!;
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += len;
  }
  return -1;
}

/** The 1-based line of a byte offset; a line ends with LF, CRLF or a lone CR. */
export function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    const b = bytes[i]!;
    if (b === 10 || (b === 13 && bytes[i + 1] !== 10)) line++;
  }
  return line;
}

/**
 * The bytes of a data or model file as text; DataError for UTF-16, binary data and bytes that are not
 * UTF-8. `complete` false: the bytes are only the file's beginning (a sequence cut at the end is fine).
 */
export function utf8Text(bytes: Buffer, path: string, complete = true): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new DataError(`${path} is encoded as UTF-16; save it as UTF-8 (or plain ASCII) text and try again.`, { file: path });
  }
  if (bytes.subarray(0, 4096).includes(0)) {
    throw new DataError(
      `${path} is not a text file (it contains binary data, as a spreadsheet or archive does). Export the data as CSV.`,
      { file: path },
    );
  }
  // isUtf8 is the fast check of the whole file; the scan only runs to say where it goes wrong.
  let end = bytes.length;
  if (!isUtf8(bytes)) {
    const bad = firstInvalidUtf8(bytes, complete);
    if (bad >= 0) throw notUtf8Error(bytes, bad, path);
    // Only the start of a longer text: the sequence its end cuts is left out.
    end--;
    while ((bytes[end]! & 0xc0) === 0x80) end--;
  }
  return bytes.toString('utf8', 0, end);
}

// Windows-1252's characters for 0x80 … 0x9F (Latin-1's control codes there); FFFD for its five unused bytes.
const WINDOWS_1252_HIGH =
  '€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ';

/** Bytes as Windows-1252 text (Node's TextDecoder reads that label as Latin-1). */
function windows1252(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b >= 0x80 && b < 0xa0 ? WINDOWS_1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return s;
}

/**
 * Text that is not UTF-8 is refused rather than guessed: it is nearly always a Windows-1252 /
 * Latin-1 export, but the names read from it end up in model files that later files must match,
 * so the file should be saved once in the encoding every tool reads alike.
 */
function notUtf8Error(bytes: Buffer, bad: number, path: string): DataError {
  const line = lineAt(bytes, bad);
  let start = bad;
  while (start > 0 && bytes[start - 1] !== 10 && bytes[start - 1] !== 13) start--;
  let end = bad;
  while (end < bytes.length && end - start < 60 && bytes[end] !== 10 && bytes[end] !== 13) end++;
  const asWindows1252 = windows1252(bytes.subarray(start, end));
  const hex = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0');
  return new DataError(
    `${path}, line ${line}: the byte 0x${hex} is not UTF-8, so the file is not UTF-8 text. It is probably saved as ` +
      `Windows-1252 or Latin-1 (what Excel calls "CSV (Comma delimited)" or "ANSI"), in which this line reads ` +
      `${JSON.stringify(asWindows1252)}. Save it as UTF-8 (Excel: "CSV UTF-8"; LibreOffice: character set ` +
      '"Unicode (UTF-8)") and try again.',
    { file: path, line },
  );
}

/**
 * A regular file's stat(); DataError naming the path and the reason for anything else (missing, a
 * folder, a device, a FIFO, a socket, too large). Nothing is opened, so nothing can block.
 */
export async function statInputFile(path: string): Promise<Stats> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (e) {
    throw cannotRead(path, e);
  }
  if (info.isDirectory()) throw new DataError(`${path} is a folder, not a file.`, { file: path });
  const notAFile = notAFileReason(info);
  if (notAFile !== null) throw new DataError(`Cannot read ${path}: ${notAFile}.`, { file: path });
  if (info.size > MAX_FILE_BYTES) {
    throw new DataError(`${path} is too large (${(info.size / 2 ** 20).toFixed(0)} MB); files up to 512 MB can be loaded.`, { file: path });
  }
  return info;
}

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'there is no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ELOOP: 'it is a symbolic link that leads back to itself (a loop of links)',
  ENAMETOOLONG: 'the name is too long for the file system (a file name has at most 255 bytes)',
  EFBIG: 'it is too large',
  ERR_FS_FILE_TOO_LARGE: 'it is too large to read (over 2 GB)',
  EIO: 'the disk reported an input/output error',
  ENOSPC: 'the disk is full (no space left on the device)',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  ENXIO: 'there is no device or reader behind it',
  EBUSY: 'it is in use',
  ETXTBSY: 'it is in use',
};

/**
 * A failed file operation in the user's words, without Node's system call and path (the message
 * around it names the path the user gave, not a temporary one).
 */
export function fsErrorReason(e: unknown): string {
  const known = FS_ERRORS[(e as NodeJS.ErrnoException).code ?? ''];
  if (known !== undefined) return known;
  const message = String((e as Error)?.message ?? e);
  return /^[A-Z0-9_]+: ([^,]+)/.exec(message)?.[1] ?? message;
}

function cannotRead(path: string, e: unknown): DataError {
  return new DataError(`Cannot read ${path}: ${fsErrorReason(e)}.`, { file: path });
}

/** A UTF-8 text file's content, for data and model files alike; DataError when unusable. */
export async function readTextFile(path: string): Promise<string> {
  await statInputFile(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw cannotRead(path, e);
  }
  return utf8Text(bytes, path);
}
