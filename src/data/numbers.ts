/**
 * Number parsing straight from the characters of a CSV text, without a string per cell.
 * The grammar is deliberately plain decimal: [sign] digits [mark digits] [e [sign] digits],
 * surrounded by optional spaces. No hex, no thousands separators, no NaN/Infinity.
 */

// 10^0 … 10^22 are exactly representable doubles, which makes the fast path below exact.
const POW10: readonly number[] = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

const SPACE = 32;
const TAB = 9;
const DOT = 46;
const COMMA = 44;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/**
 * The number written in text[start, end), or NaN when it is not a plain decimal number.
 * `commaDecimal` also accepts a decimal comma (1,5) as well as a decimal point.
 *
 * Numbers with at most 15 significant digits and a decimal exponent within ±22 are computed
 * as an exact integer times or divided by an exact power of ten — one correctly rounded
 * operation, so the result equals Number()'s. Anything else falls back to Number() on a slice.
 */
export function parseNumberAt(text: string, start: number, end: number, commaDecimal: boolean): number {
  let i = start;
  let e = end;
  while (i < e && isBlank(text.charCodeAt(i))) i++;
  while (e > i && isBlank(text.charCodeAt(e - 1))) e--;
  if (i >= e) return NaN;
  const first = i;

  let negative = false;
  let c = text.charCodeAt(i);
  if (c === 45 || c === 43) {
    negative = c === 45;
    i++;
  }
  let mantissa = 0;
  let exponent = 0;
  let digits = 0;
  let exact = true;
  let markAt = -1;
  for (; i < e; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      if (mantissa < 9e14) mantissa = mantissa * 10 + (c - 48);
      else exact = false;
      if (markAt >= 0) exponent--;
    } else if ((c === DOT || (commaDecimal && c === COMMA)) && markAt < 0) {
      markAt = i;
    } else {
      break;
    }
  }
  if (digits === 0) return NaN;
  if (i < e) {
    if (c !== 101 && c !== 69) return NaN; // e or E
    i++;
    let expNegative = false;
    c = text.charCodeAt(i);
    if (i < e && (c === 45 || c === 43)) {
      expNegative = c === 45;
      i++;
    }
    if (i >= e) return NaN;
    let exp = 0;
    for (; i < e; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) return NaN;
      if (exp < 100000) exp = exp * 10 + (c - 48);
    }
    exponent += expNegative ? -exp : exp;
  }
  if (exact && exponent >= -22 && exponent <= 22) {
    const v = exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!;
    return negative ? -v : v;
  }
  let s = text.slice(first, e);
  if (markAt >= 0 && text.charCodeAt(markAt) === COMMA) s = s.replace(',', '.');
  return Number(s);
}

export function parseNumber(s: string, commaDecimal: boolean): number {
  return parseNumberAt(s, 0, s.length, commaDecimal);
}

/** Spellings of not-a-number and infinity that spreadsheets and numpy write. */
export function isNonFiniteWord(s: string): boolean {
  return /^[+-]?(nan|inf|infinity|#nv|#n\/a|#num!|#div\/0!)$/i.test(s.trim());
}
