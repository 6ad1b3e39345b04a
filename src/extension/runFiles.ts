// Pure helpers for the files a run produces and for locating data errors in a table's text
// (no `vscode` import, so node:test can check them directly).
import type { EpochPoint, RunInfo, RunResult } from '../protocol';

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // Column names come from user files: quote anything that would break the CSV, and defuse
  // formula prefixes so a spreadsheet does not execute them.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The run's history as CSV: one row per recorded epoch, one gradient-norm column per layer. */
export function historyCsv(points: readonly EpochPoint[], layers: number): string {
  const header = ['epoch', 'cost', 'validation_cost', 'accuracy', 'validation_accuracy'];
  for (let l = 1; l <= layers; l++) header.push(`norm_dW${l}`);
  const rows = [header.join(',')];
  for (const p of points) {
    const cells: (number | null)[] = [p.epoch, p.cost, p.validationCost, p.accuracy, p.validationAccuracy];
    for (let l = 0; l < layers; l++) cells.push(p.gradNorms[l] ?? null);
    rows.push(cells.map(csvCell).join(','));
  }
  return rows.join('\n') + '\n';
}

/** The run's history as JSON: what was trained, every recorded epoch, and the result. */
export function historyJson(info: RunInfo, points: readonly EpochPoint[], result: RunResult | null): string {
  return JSON.stringify({ format: 'backprop-map-history', version: 1, run: info, epochs: points, result }, null, 2) + '\n';
}

/** The bytes of a `data:image/png;base64,…` URL; null for anything else. */
export function pngFromDataUrl(dataUrl: string): Uint8Array | null {
  const m = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl);
  if (!m) return null;
  const bytes = Buffer.from(m[1]!, 'base64');
  // The PNG signature: anything else is not written to the user's disk as a .png.
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return bytes.length > sig.length && sig.every((b, i) => bytes[i] === b) ? new Uint8Array(bytes) : null;
}

/**
 * The 0-based character offset where field `column` (1-based) starts in one line of a table,
 * honouring double quotes; the line's end when the line has fewer fields.
 */
export function fieldOffset(line: string, delimiter: string, column: number): number {
  let field = 1;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (field === column) return i;
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) field++;
  }
  return line.length;
}

/**
 * Text from user files made inert where the editor would interpret it: notifications turn
 * `[label](command:…)` into a link that runs a command, quick picks turn `$(name)` into an icon.
 * A zero-width space breaks both patterns without changing what is read.
 */
export function inert(text: string): string {
  return text.replace(/\]\(/g, ']\u200b(').replace(/\$\(/g, '$\u200b(');
}

/** "12.3 %" */
export function percent(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

/** A one-line summary of a finished run for the notification. */
export function summary(datasetName: string, result: RunResult): string {
  const acc = `training accuracy ${percent(result.train.accuracy)}` + (result.validation ? `, validation accuracy ${percent(result.validation.accuracy)}` : '');
  switch (result.reason) {
    case 'completed':
      return `Training on ${datasetName} finished after ${result.epochs} epochs: ${acc} (cost ${result.train.cost.toPrecision(4)}).`;
    case 'cancelled':
      return `Training on ${datasetName} stopped after ${result.epochs} epochs: ${acc} (cost ${result.train.cost.toPrecision(4)}).`;
    case 'diverged':
      return `Training on ${datasetName} diverged after ${result.epochs} epochs. ${result.message ?? 'Try a smaller learning rate.'}`;
  }
}
