// What the derivation checker accepts as a file's text, for every runtime (the command line, the
// editor, the runner): the size limit, and text that Python cannot read at all. Both are refused
// before anything is sent to Python, with a result that says why. The harness keeps the same limit
// (bpm_check.MAX_CHARS) as a last guard; a test pins that the two agree.
import { GRADCHECK_THRESHOLDS } from '../core/tolerance';
import type { CheckCode, CheckReport, CheckResult } from './types';

/** Characters (Unicode code points, as Python counts them) of the largest text the checker reads. */
export const MAX_CHECK_CHARS = 1_000_000;

/**
 * A notebook file larger than this is not read at all (its outputs, not its code, make it that
 * large; reading and parsing it would take seconds).
 */
export const MAX_NOTEBOOK_BYTES = 256 * 2 ** 20;

/** The limit in words: "1 million characters". */
export const LIMIT_IN_WORDS = `${MAX_CHECK_CHARS / 1e6} million characters`;

const ADVICE = 'parsing more would not finish within the time limit: put the forward and backward pass in a file of their own — nothing was checked';

/** A result holding one report and nothing checked. */
export function failure(file: string, code: CheckCode, message: string, line = 1, column = 1): Omit<CheckResult, 'durationMs'> {
  const report: CheckReport = { line, column, endColumn: column + 1, severity: 'error', code, message, related: [] };
  return { file, convention: null, dims: {}, tolerance: GRADCHECK_THRESHOLDS.exact, gradients: [], reports: [report], functions: [], traces: [], units: [] };
}

/** A size in bytes as MB or GB, for messages. */
export function megabytes(bytes: number): string {
  const [x, unit] = bytes >= 2 ** 30 ? [bytes / 2 ** 30, 'GB'] : [bytes / 2 ** 20, 'MB'];
  return `${Number.isInteger(x) ? x : x.toFixed(1)} ${unit}`;
}

/** A refusal for being too large; `size` says how large ("has 40.0 MB", "have 1,200,000 characters"). */
export function tooLarge(file: string, size: string): CheckResult {
  return { ...failure(file, 'file-too-large', `${size}, more than the checker reads (${LIMIT_IN_WORDS}; ${ADVICE})`), durationMs: 0 };
}

/**
 * Whether a file of `bytes` bytes of UTF-8 (or a one-byte encoding) holds more than the limit: true
 * when it must (a character has at most 4 bytes), false when it cannot, null when only its text tells.
 */
export function overLimitBySize(bytes: number): boolean | null {
  if (bytes > 4 * MAX_CHECK_CHARS) return true;
  if (bytes <= MAX_CHECK_CHARS) return false;
  return null;
}

/** Code points of `text` (a surrogate pair is one, as in Python), without a leading byte-order mark. */
export function codePoints(text: string): number {
  const n = text.length - (text.startsWith('\ufeff') ? 1 : 0);
  return n - (text.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why Python cannot be given `text` at all, as a result naming the place: more characters than the
 * limit, or a lone UTF-16 surrogate (possible in a notebook's JSON, `"\ud800"`), which is no character
 * and which Python could not even read. Null for text it can be given. `notebook`: the text is a
 * notebook's code cells.
 */
export function refusal(text: string, file: string, notebook = false): Omit<CheckResult, 'durationMs'> | null {
  // Each code point is one or two UTF-16 units: the count is needed only between the two bounds.
  if (text.length > MAX_CHECK_CHARS) {
    const n = text.length > 2 * MAX_CHECK_CHARS + 1 ? null : codePoints(text);
    if (n === null || n > MAX_CHECK_CHARS) {
      const count = n === null ? `more than ${(2 * MAX_CHECK_CHARS).toLocaleString('en-US')}` : n.toLocaleString('en-US');
      return tooLarge(file, `${notebook ? "the notebook's code cells have" : 'the file has'} ${count} characters`);
    }
  }
  const lone = LONE_SURROGATE.exec(text);
  if (lone === null) return null;
  const before = text.slice(0, lone.index);
  const line = (before.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
  const column = lone.index - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
  const unit = lone[0].charCodeAt(0).toString(16).toUpperCase();
  return failure(
    file,
    'syntax-error',
    `this line holds a lone surrogate (\\u${unit}), half of a UTF-16 pair and no character, which Python cannot read; delete it — nothing was checked`,
    line,
    column,
  );
}
