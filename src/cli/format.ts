import type { Metrics } from '../core/types';

/** A number for a table: 4 decimals, or exponent notation when that would show only zeros. */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && Math.abs(x) < 10 ** -digits) return x.toExponential(2);
  return x.toFixed(digits);
}

/** Seconds as m:ss (or h:mm:ss). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

/**
 * The metrics of training and validation data, with their confusion matrices. A precision with
 * no positive prediction, or a recall with no positive example, has nothing to count: it is shown
 * as "–" (and F1 with it) rather than as a 0 that would read as a failure.
 */
export function metricsReport(train: Metrics, validation: Metrics | null): string {
  const sets: [string, Metrics][] = [['training', train]];
  if (validation !== null) sets.push(['validation', validation]);
  const rows = [['', 'cost', 'accuracy', 'precision', 'recall', 'F1', 'TP', 'FP', 'TN', 'FN']];
  let undefinedShown = false;
  for (const [name, m] of sets) {
    const c = m.confusion;
    const precision = c.tp + c.fp > 0 ? fmt(m.precision) : '–';
    const recall = c.tp + c.fn > 0 ? fmt(m.recall) : '–';
    const f1 = precision === '–' || recall === '–' ? '–' : fmt(m.f1);
    undefinedShown ||= f1 === '–';
    rows.push([name, fmt(m.cost), fmt(m.accuracy), precision, recall, f1, String(c.tp), String(c.fp), String(c.tn), String(c.fn)]);
  }
  const note = undefinedShown ? '\n– : nothing to count (no example predicted as class 1, or none labelled 1)' : '';
  return `${table(rows)}${note}\n`;
}
