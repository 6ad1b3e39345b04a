// The run's history as files (CSV, JSON): written by the extension's export and by the panel
// when it stands alone in the CLI's report.
import type { EpochPoint, RunInfo, RunResult } from '../core/types';
import { type CsvValue, csvRecord } from './csvWrite';

/** The run's history as CSV: one row per recorded epoch, one gradient-norm column per layer. */
export function historyCsv(points: readonly EpochPoint[], layers: number): string {
  const header = ['epoch', 'cost', 'validation_cost', 'accuracy', 'validation_accuracy'];
  for (let l = 1; l <= layers; l++) header.push(`norm_dW${l}`);
  let text = csvRecord(header);
  for (const p of points) {
    const cells: CsvValue[] = [p.epoch, p.cost, p.validationCost, p.accuracy, p.validationAccuracy];
    for (let l = 0; l < layers; l++) cells.push(p.gradNorms[l] ?? null);
    text += csvRecord(cells);
  }
  return text;
}

/** The run's history as JSON: what was trained, every recorded epoch, and the result. */
export function historyJson(info: RunInfo, points: readonly EpochPoint[], result: RunResult | null): string {
  return JSON.stringify({ format: 'backprop-map-history', version: 1, run: info, epochs: points, result }, null, 2) + '\n';
}

/** Every k-th point, so that about `max` remain (at most one more): the first and the last are always kept. */
export function thinPoints(points: readonly EpochPoint[], max: number): EpochPoint[] {
  if (points.length <= max) return [...points];
  const stride = Math.ceil(points.length / max);
  const out = points.filter((_, i) => i % stride === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]!);
  return out;
}
