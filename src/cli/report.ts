/**
 * `backprop-map train … --report run.html`: one self-contained HTML file that shows the finished run
 * with the panel's own bundle (the map, the curves, the boundary, the final matrices), offline, in
 * any browser. Everything is inline: the bundle, KaTeX's stylesheet with its woff2 fonts as data:
 * URIs (so formulas look as in the panel), the panel's stylesheet, and the run as a JSON data block
 * the bundle reads instead of listening to an extension host.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Parameters } from '../core/network';
import type { SessionData } from '../core/session';
import { decisionBoundary, finalSnapshot } from '../core/snapshot';
import { thinPoints } from '../data/history';
import type { EpochPoint, GradCheckResult, RunInfo, RunResult } from '../core/types';
import type { ToPanel } from '../protocol';
import { escapeHtml, panelPage } from '../shared/html';
import type { Locale } from '../shared/locale';

export interface FinishedRun {
  info: RunInfo;
  points: readonly EpochPoint[];
  result: RunResult;
  /** The trained parameters and the (prepared) training data they were trained on. */
  params: Parameters;
  data: SessionData;
  gradcheck?: GradCheckResult | null;
}

/** Above this many epoch points the history is thinned (evenly, keeping the last) to keep the file small. */
export const REPORT_MAX_POINTS = 20_000;

/** The messages a panel would have received for this run, in order. */
export function reportMessages(run: FinishedRun, locale: Locale = 'en'): ToPanel[] {
  const { X, Y } = run.data;
  const messages: ToPanel[] = [
    { type: 'run', info: run.info, locale },
    { type: 'epochs', points: thinPoints(run.points, REPORT_MAX_POINTS) },
    { type: 'snapshot', snapshot: finalSnapshot(run.params, X, Y, run.result.epochs) },
  ];
  const boundary = decisionBoundary(run.params, X, Y);
  if (boundary) messages.push({ type: 'boundary', boundary });
  messages.push({ type: 'mode', mode: 'finished' }, { type: 'finished', result: run.result });
  if (run.gradcheck) messages.push({ type: 'gradcheck', result: run.gradcheck });
  return messages;
}

/** The package folder holding dist/webview/ and media/ (the CLI runs from dist/cli.js). */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'dist', 'webview', 'webview.js')) && existsSync(join(dir, 'media', 'panel.css'))) return dir;
    if (dirname(dir) === dir) throw new Error('the panel bundle (dist/webview/webview.js) was not found; build the package first (npm run build)');
  }
}

/** KaTeX's stylesheet with its woff2 fonts inlined; the woff/ttf fallbacks are dropped (every browser that runs the bundle reads woff2). */
export function inlineKatexCss(css: string, fontsDir: string): string {
  return css.replace(/src:url\(fonts\/([\w-]+)\.woff2\) format\("woff2"\)(?:,url\([^)]*\) format\("[\w]+"\))*/g, (_, name: string) => {
    const data = readFileSync(join(fontsDir, `${name}.woff2`)).toString('base64');
    return `src:url(data:font/woff2;base64,${data}) format("woff2")`;
  });
}

/** `</script` and `<!--` cannot end or confuse an inline script or data block. */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function reportHtml(messages: readonly ToPanel[], lang: Locale = 'en'): string {
  const root = packageRoot();
  const dist = join(root, 'dist', 'webview');
  const script = readFileSync(join(dist, 'webview.js'), 'utf8');
  const katexCss = inlineKatexCss(readFileSync(join(dist, 'katex', 'katex.min.css'), 'utf8'), join(dist, 'katex', 'fonts'));
  const panelCss = readFileSync(join(root, 'media', 'panel.css'), 'utf8');
  const nonce = randomBytes(18).toString('base64');
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; font-src data:; img-src data:`;
  const run = messages.find((m): m is Extract<ToPanel, { type: 'run' }> => m.type === 'run');
  // The file name is the only user text outside the data block.
  const title = `Backprop Map report${run ? ` · ${run.info.datasetName}` : ''}`;
  // JSON in a data block: `<` escaped so no value (a column name, a label) can close the block.
  const data = JSON.stringify(messages).replace(/</g, '\\u003c');
  const a = escapeHtml;
  return panelPage({
    lang,
    csp,
    title,
    // `</style` cannot end a stylesheet early.
    head: [katexCss, panelCss].map((css) => `<style nonce="${a(nonce)}">${css.replace(/<\/(style)/gi, '<\\/$1')}</style>`),
    body: [`<script type="application/json" id="backprop-map-report">${data}</script>`, `<script nonce="${a(nonce)}">${scriptSafe(script)}</script>`],
  });
}
