// Pure helpers for the extension's files and messages, and for locating data errors in a table's
// text (no `vscode` import, so node:test can check them directly).
import type { RunResult } from '../core/types';

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
