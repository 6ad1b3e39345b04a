import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/rng';
import { parseDataset } from '../../src/data/csv';

// Tables written the many ways spreadsheets and scripts write them, then read back: every number
// must come back as JavaScript's Number() of the text that was written, every label as mapped.
const PAIRS: [string, string, string, string][] = [
  // [value a, value b, the one that must become 0, the one that must become 1]
  ['M', 'B', 'B', 'M'],
  ['yes', 'no', 'no', 'yes'],
  ['Nein', 'Ja', 'Nein', 'Ja'],
  ['1', '0', '0', '1'],
  ['4', '2', '2', '4'],
  ['1.0', '0.0', '0.0', '1.0'],
  ['good, "very"', 'bad', 'bad', 'good, "very"'],
];

test('500 random tables: separators, quoting, decimal commas, headers, BOM, line ends, blank lines', () => {
  const rng = createRng(20240611);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  for (let t = 0; t < 500; t++) {
    const delimiter = pick([',', ';', '\t'] as const);
    const decimalComma = delimiter !== ',' && rng.uniform() < 0.5;
    const eol = pick(['\n', '\r\n', '\r']);
    const nx = 1 + rng.int(5);
    const m = 2 + rng.int(30);
    const labelAt = rng.int(nx + 1);
    const [a, b, zero, one] = pick(PAIRS);
    const header = rng.uniform() < 0.6;
    const quoteAll = rng.uniform() < 0.2;

    const cell = (text: string): string => {
      const needs = text.includes(delimiter) || text.includes('"') || /^\s|\s$/.test(text);
      return needs || quoteAll || rng.uniform() < 0.1 ? `"${text.replaceAll('"', '""')}"` : text;
    };
    const number = (): string => {
      const v = (rng.uniform() - 0.5) * 10 ** (rng.int(12) - 4);
      const s = pick([String(v), v.toFixed(rng.int(6)), v.toExponential(rng.int(8)), String(Math.round(v))]);
      return decimalComma ? s.replace('.', ',') : s;
    };

    const names = Array.from({ length: nx + 1 }, (_, j) => pick([`x${j}`, `Größe ${j}`, `col "${j}"`, `a${delimiter}b${j}`, `  v${j}`]));
    const expected: number[][] = Array.from({ length: nx }, () => []);
    const labels: string[] = [];
    const lines: string[] = [];
    if (header) lines.push(names.map(cell).join(delimiter));
    for (let k = 0; k < m; k++) {
      const label = k === 0 ? a : k === 1 ? b : pick([a, b]);
      labels.push(label);
      const row: string[] = [];
      for (let j = 0, f = 0; j <= nx; j++) {
        if (j === labelAt) {
          row.push(cell(label));
        } else {
          const text = number();
          expected[f++]!.push(Number(text.replace(',', '.')));
          row.push(cell(text));
        }
      }
      lines.push(row.join(delimiter));
    }
    const text = (rng.uniform() < 0.3 ? '\uFEFF' : '') + lines.join(eol) + eol.repeat(rng.int(4));

    const what = `table ${t}: ${JSON.stringify(text.slice(0, 200))}`;
    const ds = parseDataset(text, { fileName: 'random.csv', label: labelAt });
    assert.deepEqual([ds.X.rows, ds.X.cols], [nx, m], what);
    for (let i = 0; i < nx; i++) assert.deepEqual(Array.from(ds.X.data.subarray(i * m, (i + 1) * m)), expected[i], what);
    assert.deepEqual(ds.labels, { '0': zero, '1': one }, what);
    assert.deepEqual(Array.from(ds.Y.data), labels.map((l) => (l === one ? 1 : 0)), what);
    const expectedNames = header ? names.map((n) => n.trim()) : names.map((_, j) => `col${j + 1}`);
    assert.deepEqual(ds.featureNames, expectedNames.filter((_, j) => j !== labelAt), what);
  }
});
