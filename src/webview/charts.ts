/**
 * Canvas charts for the live training view: line charts over epochs with a hover read-out, and the
 * decision boundary as a probability heatmap under the data points. Drawing cost is bounded by the
 * canvas width, not the number of epochs (a 100,000-epoch history is reduced per pixel column).
 */
import type { Boundary } from '../core/types';
import { css, probability, type Palette } from './colors';
import { el, fmt } from './dom';

export interface Series {
  label: string;
  color: string;
  values: readonly (number | null)[];
}

export interface LineChart {
  root: HTMLElement;
  draw(epochs: readonly number[], series: readonly Series[], palette: Palette): void;
}

const H = 190;
const PAD = { l: 54, r: 12, t: 10, b: 26 };

/** Sizes the canvas's pixels to its laid-out width (crisp text at any panel width and zoom); returns the CSS width. */
function fitCanvas(canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, height: number): number {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(200, Math.round(canvas.clientWidth || 560));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(height * dpr);
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return w;
}

export function lineChart(title: string, opts: { log?: boolean; fixed?: [number, number]; epochWord: string }): LineChart {
  const canvas = el('canvas', { width: 560, height: H, role: 'img', 'aria-label': title, tabindex: 0 });
  let W = 560;
  const readout = el('div', { class: 'readout', 'aria-live': 'polite', text: '\u00a0' });
  const legend = el('div', { class: 'legend' });
  const root = el('figure', { class: 'chart' }, el('figcaption', { text: title }), legend, canvas, readout);
  let state: { epochs: readonly number[]; series: readonly Series[]; palette: Palette } | null = null;
  let hoverIndex: number | null = null;

  const yOf = (v: number, lo: number, hi: number): number => {
    const f = opts.log ? (Math.log10(v) - lo) / (hi - lo || 1) : (v - lo) / (hi - lo || 1);
    return PAD.t + (1 - f) * (H - PAD.t - PAD.b);
  };

  function paint(): void {
    const ctx = canvas.getContext('2d');
    if (!ctx || !state) return;
    const { epochs, series, palette } = state;
    W = fitCanvas(canvas, ctx, H);
    ctx.clearRect(0, 0, W, H);
    ctx.font = '11px sans-serif';
    ctx.fillStyle = palette.fg;
    ctx.strokeStyle = palette.grid;
    ctx.lineWidth = 1;
    ctx.strokeRect(PAD.l + 0.5, PAD.t + 0.5, W - PAD.l - PAD.r - 1, H - PAD.t - PAD.b - 1);
    const n = epochs.length;
    if (n === 0) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of series) {
      for (const v of s.values) {
        if (v === null || !Number.isFinite(v) || (opts.log && v <= 0)) continue;
        const x = opts.log ? Math.log10(v) : v;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    }
    if (opts.fixed) [lo, hi] = opts.fixed;
    if (!Number.isFinite(lo)) return;
    if (hi - lo < 1e-12) {
      hi += 0.5;
      lo -= 0.5;
    }
    const e0 = epochs[0]!;
    const e1 = epochs[n - 1]!;
    const xOf = (e: number): number => PAD.l + ((e - e0) / (e1 - e0 || 1)) * (W - PAD.l - PAD.r);
    // axes labels
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const f of [0, 0.5, 1]) {
      const v = lo + f * (hi - lo);
      ctx.fillText(fmt(opts.log ? 10 ** v : v), PAD.l - 4, yOf(opts.log ? 10 ** v : v, lo, hi));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(String(e0), PAD.l, H - PAD.b + 6);
    ctx.fillText(String(e1), W - PAD.r - 10, H - PAD.b + 6);
    // lines, one min/max pair per pixel column when there are more epochs than pixels
    for (const s of series) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = palette.highContrast ? 2 : 1.5;
      ctx.beginPath();
      let started = false;
      let col = -1;
      let cmin = 0;
      let cmax = 0;
      const flush = (): void => {
        if (col < 0) return;
        if (!started) {
          ctx.moveTo(col, cmin);
          started = true;
        } else ctx.lineTo(col, cmin);
        if (cmax !== cmin) ctx.lineTo(col, cmax);
      };
      for (let i = 0; i < n; i++) {
        const v = s.values[i];
        if (v === null || v === undefined || !Number.isFinite(v) || (opts.log && v <= 0)) continue;
        const x = Math.round(xOf(epochs[i]!));
        const y = yOf(v, lo, hi);
        if (x !== col) {
          flush();
          col = x;
          cmin = y;
          cmax = y;
        } else {
          cmin = Math.min(cmin, y);
          cmax = Math.max(cmax, y);
        }
      }
      flush();
      ctx.stroke();
      // A single epoch is a point, not a line.
      const v = s.values[0];
      if (n === 1 && v !== null && v !== undefined && Number.isFinite(v) && !(opts.log && v <= 0)) {
        ctx.fillStyle = s.color;
        ctx.beginPath();
        ctx.arc(xOf(epochs[0]!), yOf(v, lo, hi), 3, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    if (hoverIndex !== null && hoverIndex < n) {
      const x = xOf(epochs[hoverIndex]!);
      ctx.strokeStyle = palette.fg;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(x, PAD.t);
      ctx.lineTo(x, H - PAD.b);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  function readAt(i: number): void {
    if (!state) return;
    hoverIndex = i;
    const parts = state.series.map((s) => `${s.label} ${s.values[i] === null || s.values[i] === undefined ? '–' : fmt(s.values[i]!, 5)}`);
    readout.textContent = `${opts.epochWord} ${state.epochs[i]}: ${parts.join(' · ')}`;
    paint();
  }

  function indexAtX(px: number): number {
    const ep = state!.epochs;
    const e0 = ep[0]!;
    const e1 = ep[ep.length - 1]!;
    const target = e0 + ((px - PAD.l) / (W - PAD.l - PAD.r)) * (e1 - e0);
    let lo = 0;
    let hi = ep.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ep[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && Math.abs(ep[lo - 1]! - target) < Math.abs(ep[lo]! - target)) lo--;
    return lo;
  }

  canvas.addEventListener('mousemove', (ev) => {
    if (!state || state.epochs.length === 0) return;
    const r = canvas.getBoundingClientRect();
    readAt(indexAtX(((ev.clientX - r.left) / r.width) * W));
  });
  canvas.addEventListener('mouseleave', () => {
    hoverIndex = null;
    paint();
  });
  // Keyboard: arrows walk the epochs like the mouse does.
  canvas.addEventListener('keydown', (ev) => {
    if (!state || state.epochs.length === 0) return;
    const n = state.epochs.length;
    const step = ev.shiftKey ? Math.max(1, Math.floor(n / 20)) : 1;
    if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') {
      ev.preventDefault();
      const cur = hoverIndex ?? (ev.key === 'ArrowLeft' ? n : -1);
      readAt(Math.max(0, Math.min(n - 1, cur + (ev.key === 'ArrowLeft' ? -step : step))));
    }
  });

  return {
    root,
    draw(epochs, series, palette) {
      state = { epochs, series, palette };
      if (legend.childElementCount !== series.length) {
        legend.replaceChildren(
          ...series.map((s) => {
            const sw = el('span', { class: 'swatch' });
            sw.style.backgroundColor = s.color;
            return el('span', { class: 'legend-item' }, sw, s.label);
          }),
        );
      }
      paint();
    },
  };
}

export interface BoundaryView {
  root: HTMLElement;
  draw(b: Boundary, palette: Palette): void;
}

const BW = 320;

export function boundaryView(title: string, axisNames: readonly string[], labelNames: readonly [string, string]): BoundaryView {
  const canvas = el('canvas', { width: BW, height: BW, role: 'img', 'aria-label': title });
  const legend = el('div', { class: 'legend' });
  const axes = el('div', { class: 'note', text: `x: ${axisNames[0] ?? ''} · y: ${axisNames[1] ?? ''}` });
  const root = el('figure', { class: 'chart boundary' }, el('figcaption', { text: title }), canvas, axes, legend);
  return {
    root,
    draw(b, palette) {
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      const r = b.resolution;
      const img = ctx.createImageData(r, r);
      for (let gy = 0; gy < r; gy++) {
        for (let gx = 0; gx < r; gx++) {
          // The background at 60 % strength, so the points in full colour stand out on it.
          const c = probability(palette, 0.5 + 0.6 * (b.probabilities[gy * r + gx]! - 0.5));
          // grid row 0 is at yRange[0], the bottom of the picture
          const o = ((r - 1 - gy) * r + gx) * 4;
          img.data[o] = c[0];
          img.data[o + 1] = c[1];
          img.data[o + 2] = c[2];
          img.data[o + 3] = 255;
        }
      }
      const off = document.createElement('canvas');
      off.width = r;
      off.height = r;
      off.getContext('2d')?.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(off, 0, 0, BW, BW);
      const [x0, x1] = b.xRange;
      const [y0, y1] = b.yRange;
      const cls = [css(palette.negative), css(palette.positive)];
      ctx.lineWidth = 1;
      ctx.strokeStyle = css(palette.foreground);
      for (let i = 0; i < b.points.x.length; i++) {
        const px = ((b.points.x[i]! - x0) / (x1 - x0 || 1)) * BW;
        const py = BW - ((b.points.y[i]! - y0) / (y1 - y0 || 1)) * BW;
        ctx.fillStyle = cls[b.points.label[i] ? 1 : 0]!;
        ctx.beginPath();
        ctx.arc(px, py, 3.2, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
      }
      if (legend.childElementCount === 0) {
        legend.append(
          ...labelNames.map((name, k) => {
            const sw = el('span', { class: 'swatch' });
            sw.style.backgroundColor = cls[k]!;
            return el('span', { class: 'legend-item' }, sw, `y = ${k}: ${name}`);
          }),
        );
      }
    },
  };
}
