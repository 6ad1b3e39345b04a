/**
 * A matrix as a heatmap: a table with the numbers written in the cells when it is small, a canvas
 * with a hover read-out and summary statistics when it is large.
 */
import { summaryStats } from '../core/matrix';
import type { MatrixData, MatrixStats } from '../core/types';
import { css, diverging, textOn, type Palette } from './colors';
import { el, fmt } from './dom';
import type { Translate } from './i18n';

export function statsOf(md: MatrixData): MatrixStats {
  return md.stats ?? summaryStats(md.data);
}

export interface HeatmapOptions {
  palette: Palette;
  t: Translate;
  /** Row names (e.g. feature names); shown as text. */
  rowLabels?: readonly string[];
  /** Accessible name of the matrix. */
  label: string;
  /** Largest |value| at full colour; defaults to the matrix's own. */
  scale?: number;
  /** Cells whose value differs from `compare` are outlined (values before/after a step). */
  compare?: MatrixData | null;
}

const SMALL_CELLS = 160;
const SMALL_COLS = 16;

/**
 * The |value| at full colour: the largest one for small matrices (every cell is read anyway), the
 * 98th percentile for large ones, so that a few outliers do not wash out the rest.
 */
export function colourScale(md: MatrixData): number {
  const abs = md.data.map(Math.abs).filter(Number.isFinite).sort((a, b) => a - b);
  if (abs.length === 0) return 0;
  const small = md.rows * md.cols <= SMALL_CELLS;
  return small ? abs[abs.length - 1]! : abs[Math.min(abs.length - 1, Math.floor(abs.length * 0.98))]!;
}

export function renderHeatmap(md: MatrixData, o: HeatmapOptions): HTMLElement {
  const st = statsOf(md);
  const scale = o.scale ?? colourScale(md);
  const wrap = el('div', { class: 'heatmap' });
  const small = md.rows * md.cols <= SMALL_CELLS && md.cols <= SMALL_COLS;
  wrap.appendChild(small ? table(md, scale, o) : canvas(md, scale, o));
  wrap.appendChild(legend(scale, o));
  wrap.appendChild(
    el('div', { class: 'stats', text: o.t('stats', { min: fmt(st.min), max: fmt(st.max), mean: fmt(st.mean), std: fmt(st.std) }) }),
  );
  if (md.totalCols !== undefined && md.totalCols > md.cols) {
    const note = o.t('showingCols', { shown: md.cols, total: md.totalCols });
    wrap.appendChild(el('div', { class: 'note', text: md.stats ? `${note}; ${o.t('statsAll', { total: md.totalCols })}` : note }));
  }
  return wrap;
}

/** The colour scale: −scale … 0 … +scale. */
function legend(scale: number, o: HeatmapOptions): HTMLElement {
  const box = el('div', { class: 'scale', 'aria-hidden': 'true' });
  for (const v of [-scale, 0, scale]) {
    const sw = el('span', { class: 'swatch' });
    sw.style.backgroundColor = css(diverging(o.palette, v, scale));
    box.appendChild(el('span', { class: 'legend-item' }, sw, v === 0 ? '0' : `${v > 0 ? '+' : '−'}${fmt(Math.abs(v))}`));
  }
  return box;
}

function table(md: MatrixData, scale: number, o: HeatmapOptions): HTMLElement {
  const t = el('table', { class: 'matrix', 'aria-label': o.label });
  const body = el('tbody');
  for (let i = 0; i < md.rows; i++) {
    const tr = el('tr');
    if (o.rowLabels) tr.appendChild(el('th', { scope: 'row', class: 'rowlabel', text: o.rowLabels[i] ?? '' }));
    for (let j = 0; j < md.cols; j++) {
      const v = md.data[i * md.cols + j]!;
      const c = diverging(o.palette, v, scale);
      const td = el('td', { text: fmt(v), title: `(${i + 1}, ${j + 1}) = ${v}` });
      td.style.backgroundColor = css(c);
      td.style.color = textOn(c);
      if (o.compare && o.compare.rows === md.rows && o.compare.cols === md.cols && o.compare.data[i * md.cols + j] !== v) td.classList.add('changed');
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  t.appendChild(body);
  return t;
}

function canvas(md: MatrixData, scale: number, o: HeatmapOptions): HTMLElement {
  const box = el('div', { class: 'heatmap-canvas' });
  const cell = Math.max(2, Math.min(14, Math.floor(560 / Math.max(md.cols, 1)), Math.floor(320 / Math.max(md.rows, 1))));
  const cv = el('canvas', { width: md.cols * cell, height: md.rows * cell, role: 'img', 'aria-label': o.label, tabindex: 0 });
  const ctx = cv.getContext('2d');
  if (ctx) {
    for (let i = 0; i < md.rows; i++) {
      for (let j = 0; j < md.cols; j++) {
        ctx.fillStyle = css(diverging(o.palette, md.data[i * md.cols + j]!, scale));
        ctx.fillRect(j * cell, i * cell, cell, cell);
      }
    }
  }
  const readout = el('div', { class: 'readout', 'aria-live': 'polite' });
  readout.textContent = '\u00a0';
  cv.addEventListener('mousemove', (ev) => {
    const r = cv.getBoundingClientRect();
    const j = Math.floor(((ev.clientX - r.left) / r.width) * md.cols);
    const i = Math.floor(((ev.clientY - r.top) / r.height) * md.rows);
    if (i < 0 || j < 0 || i >= md.rows || j >= md.cols) return;
    const row = o.rowLabels?.[i];
    readout.textContent = `(${i + 1}, ${j + 1})${row !== undefined ? ` ${row}` : ''} = ${md.data[i * md.cols + j]}`;
  });
  if (o.rowLabels && cell >= 10) {
    const labels = el('div', { class: 'rowlabels' });
    labels.style.gridTemplateRows = `repeat(${md.rows}, ${cell}px)`;
    for (let i = 0; i < md.rows; i++) labels.appendChild(el('span', { text: o.rowLabels[i] ?? '' }));
    box.appendChild(labels);
  }
  box.appendChild(cv);
  return el('div', {}, box, readout);
}
