/**
 * Colours from the VS Code theme (--vscode-* variables), resolved to RGB so heatmaps and charts can
 * blend them. A diverging scale: negative values towards the theme's blue, positive towards its red,
 * zero at the editor background.
 */

export type RGB = [number, number, number];

export interface Palette {
  background: RGB;
  foreground: RGB;
  negative: RGB;
  positive: RGB;
  grid: string;
  fg: string;
  series: string[];
  highContrast: boolean;
}

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour string to RGB, through the canvas colour parser. */
export function parseColor(css: string, fallback: RGB): RGB {
  const s = css.trim();
  if (!s) return fallback;
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return fallback;
  probe.fillStyle = '#000';
  probe.fillStyle = s;
  const v = String(probe.fillStyle);
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(v);
  if (hex) return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16)];
  const rgb = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(v);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  return fallback;
}

export function readPalette(): Palette {
  const cs = getComputedStyle(document.body);
  const v = (name: string): string => cs.getPropertyValue(name);
  const background = parseColor(v('--vscode-editor-background') || cs.backgroundColor, [255, 255, 255]);
  const foreground = parseColor(v('--vscode-editor-foreground') || cs.color, [0, 0, 0]);
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const series = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'].map(
    (n, i) => v(n).trim() || ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'][i]!,
  );
  return {
    background,
    foreground,
    negative: parseColor(v('--vscode-charts-blue'), [55, 148, 255]),
    positive: parseColor(v('--vscode-charts-red'), [241, 76, 76]),
    grid: v('--vscode-editorWidget-border').trim() || v('--vscode-panel-border').trim() || 'rgba(128,128,128,0.35)',
    fg: v('--vscode-foreground').trim() || `rgb(${foreground.join(',')})`,
    series,
    highContrast,
  };
}

const mix = (a: RGB, b: RGB, t: number): RGB => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** Colour of `v` on a diverging scale symmetric around 0 with |v| = scale at full colour. */
export function diverging(p: Palette, v: number, scale: number): RGB {
  if (!Number.isFinite(v)) return p.foreground;
  const t = scale > 0 ? Math.max(-1, Math.min(1, v / scale)) : 0;
  return t < 0 ? mix(p.background, p.negative, -t) : mix(p.background, p.positive, t);
}

/** Colour of a probability in [0, 1]: class 0 blue, class 1 red, 0.5 background. */
export function probability(p: Palette, v: number): RGB {
  return diverging(p, v - 0.5, 0.5);
}

export const css = (c: RGB): string => `rgb(${Math.round(c[0])}, ${Math.round(c[1])}, ${Math.round(c[2])})`;

/** Black or white text, whichever reads better on `c`. */
export function textOn(c: RGB): string {
  const lum = (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;
  return lum > 0.55 ? '#000' : '#fff';
}
