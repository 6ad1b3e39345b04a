// The panel's exports: the history as CSV or JSON and the view as a PNG. In VS Code the host asks
// where to save (the history it holds itself, the PNG it gets); in the offline report they download.
import { historyCsv, historyJson } from '../data/history';
import type { FromPanel } from '../protocol';
import { el } from './dom';
import { paintView } from './paintView';
import { historyOf, type PanelState } from './state';

function download(name: string, href: string): void {
  const a = el('a', { href, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** `post` is null in the offline report. */
export function exportHistory(s: PanelState, format: 'csv' | 'json', post: ((m: FromPanel) => void) | null): void {
  if (post) {
    post({ type: 'export', format });
    return;
  }
  if (!s.info) return;
  const points = historyOf(s.history).points;
  const text = format === 'csv' ? historyCsv(points, s.info.layerDims.length - 1) : historyJson(s.info, points, s.result);
  download(`backprop-map-history.${format}`, `data:${format === 'csv' ? 'text/csv' : 'application/json'};charset=utf-8,${encodeURIComponent(text)}`);
}

/** The current view as a PNG (see paintView): to the host's save dialog, or a download in the report. */
export async function exportPng(s: PanelState, post: ((m: FromPanel) => void) | null): Promise<void> {
  const bg = s.palette?.background ?? [255, 255, 255];
  const url = await paintView(`rgb(${bg[0]}, ${bg[1]}, ${bg[2]})`);
  if (post) post({ type: 'exportPng', dataUrl: url });
  else download('backprop-map.png', url);
}
