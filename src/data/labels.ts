/** The label column's two values: which becomes 0 and which 1. */
import { DataError, listForMessage } from './errors';
import { parseNumber } from './numbers';

/** Distinct label values kept for the error message about a label column with too many. */
export const MAX_DISTINCT_LABELS = 1000;

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

export interface LabelContext {
  fileName: string;
  labelName: string;
  labelCol: number;
  m: number;
  columns: readonly string[];
  suggested: number;
}

/** 0/1 for each distinct label string; DataError unless there are exactly two values. */
export function labelMapping(
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
