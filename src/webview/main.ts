/**
 * The backprop-map panel: the notes' map rendered with KaTeX for the run's network, every quantity
 * clickable, step mode, the live training view, results and the gradient check.
 *
 * Runs in a VS Code webview (messages to and from the extension host) and, unchanged, in the CLI's
 * offline HTML report (the finished run's messages embedded as a JSON data block).
 *
 * This file is the wiring: every message and every action of the panel's own goes through reduce
 * (state.ts), then each view (views/*.ts) whose part of the state changed is drawn again.
 */
import type { FromPanel, ToPanel } from '../protocol';
import { localeOf } from '../shared/locale';
import { buildMap } from '../shared/tex';
import { readPalette } from './colors';
import { append, clear, el } from './dom';
import { exportHistory, exportPng } from './exporting';
import { type PanelAction, type PanelState, initialState, reduce } from './state';
import { warmUp } from './typeset';
import { bannerView } from './views/banner';
import { detailView } from './views/detail';
import { gradcheckView } from './views/gradcheck';
import { headerView } from './views/header';
import { mapView } from './views/map';
import { reluView } from './views/relu';
import { resultsView } from './views/results';
import { trainingView } from './views/training';
import type { PanelContext, View } from './views/view';

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Where messages go: the extension host, or nowhere in the offline report. */
const vscode: VsCodeApi | null = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
const post = vscode ? (m: FromPanel): void => vscode.postMessage(m) : null;
const reportData = document.getElementById('backprop-map-report');

const saved = (vscode?.getState() ?? {}) as { selected?: string };
let state: PanelState = reduce(initialState(localeOf(document.documentElement.lang), saved.selected ?? null), { type: 'palette', palette: readPalette() });

// The page's fixed regions, each drawn by its view.
const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
const ui = {
  header: el('header', { class: 'top' }),
  banner: el('div', { class: 'banner', role: 'alert', hidden: true }),
  map: el('section', { class: 'map', 'aria-labelledby': 'map-h' }),
  detail: el('section', { class: 'detail' }),
  relu: el('section', { class: 'relu' }),
  training: el('section', { class: 'training' }),
  results: el('section', { class: 'results' }),
  gradcheck: el('section', { class: 'gradcheck' }),
};

const ctx: PanelContext = {
  isReport: reportData !== null,
  dispatch: (a) => update(a),
  post: (m) => post?.(m),
  exportPng: () => void exportPng(state, post),
  exportHistory: (format) => exportHistory(state, format, post),
};

const header = headerView(ui.header, ctx);
const banner = bannerView(ui.banner);
const map = mapView(ui.map, ctx);
/** Drawn right after the frame that paints a new run's map: the map first, the rest of the panel then. */
const later: View[] = [trainingView(ui.training), resultsView(ui.results), gradcheckView(ui.gradcheck, ctx), detailView(ui.detail, ctx), reluView(ui.relu, ctx)];
let laterShown = false;

/** What each view showed last: it is drawn again only when one of its values is not the same. */
const shown = new Map<View, readonly unknown[]>();
function draw(v: View): void {
  const deps = v.deps(state);
  const before = shown.get(v);
  if (before && before.every((d, i) => d === deps[i])) return;
  shown.set(v, deps);
  v.render(state);
}

function update(a: PanelAction): void {
  const prev = state;
  state = reduce(state, a);
  if (state.run !== prev.run) {
    showRun();
    return;
  }
  draw(header);
  draw(banner);
  draw(map);
  if (laterShown) for (const v of later) draw(v);
  if (a.type === 'select') {
    vscode?.setState({ selected: a.id });
    ui.detail.scrollIntoView?.({ block: 'nearest' });
  }
}

/** The page for the state's run (or for no run yet): the map now, the rest after its first frame. */
function showRun(): void {
  clear(app);
  document.documentElement.lang = state.locale;
  append(app, ui.header, ui.banner);
  laterShown = false;
  draw(header);
  draw(banner);
  if (!state.info) {
    app.appendChild(ui.map);
    draw(map);
    return;
  }
  const main = el('main', { class: 'layout' });
  // The detail and the ReLU example stay in view beside the (long) map while it scrolls.
  append(main, ui.map, el('aside', { class: 'side' }, ui.detail, ui.relu), ui.training, ui.results, ui.gradcheck);
  app.appendChild(main);
  const t0 = performance.now();
  draw(map);
  // The time to typeset the map as far as it is in view, for the test and the benchmark that measure it.
  document.body.dataset.mapRenderMs = (performance.now() - t0).toFixed(1);
  const run = state.run;
  requestAnimationFrame(() =>
    afterFrame(() => {
      if (state.run !== run) return;
      // When the map in view was on screen, with KaTeX's own fonts or not, and how many of the
      // formulas in view were still waiting (read by the render-time test and the benchmark).
      const d = document.body.dataset;
      d.mapPaintedAt = performance.now().toFixed(1);
      d.mapFonts = document.fonts.status;
      const pending = map.pending();
      d.mapPendingInView = String(pending.inView);
      d.mapPending = String(pending.all);
      map.typesetRest();
      d.mapCompleteAt = performance.now().toFixed(1);
      laterShown = true;
      for (const v of later) draw(v);
    }),
  );
}

/** Runs `f` as soon as the current frame has been rendered (a message task comes before timers). */
function afterFrame(f: () => void): void {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    f();
  };
  channel.port2.postMessage(null);
}

function receive(msg: ToPanel): void {
  if (msg.type !== 'run') {
    update(msg);
    return;
  }
  const t0 = performance.now();
  // A theme of the same kind changes the colours without the body's class: they are read again for
  // every run (drawn with it, so not drawn on their own).
  state = reduce(state, { type: 'palette', palette: readPalette() });
  update(msg);
  // How long building the whole panel for a run took (read by the render-time test).
  document.body.dataset.runRenderMs = (performance.now() - t0).toFixed(1);
}

window.addEventListener('message', (ev: MessageEvent) => {
  const msg = ev.data as ToPanel | null;
  if (!msg || typeof msg !== 'object' || typeof (msg as { type?: unknown }).type !== 'string') return;
  receive(msg);
});

// Theme changes (VS Code swaps the body class and the variables): the colours are state like any other.
new MutationObserver(() => update({ type: 'palette', palette: readPalette() })).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// KaTeX's fonts are `font-display: block` (text stays invisible until they arrive) and are fetched on
// first use, which lays the map out again with every face that comes in. The faces the map uses are
// fetched while the panel waits for its run instead, so the map's first paint is already the final one.
for (const face of ['1em KaTeX_Main', 'italic 1em KaTeX_Math', '1em KaTeX_Size1', '1em KaTeX_Caligraphic']) {
  document.fonts.load(face).catch(() => undefined);
}

showRun();
if (reportData) {
  for (const m of JSON.parse(reportData.textContent || '[]') as ToPanel[]) receive(m);
} else {
  post?.({ type: 'ready' });
  // The map of a small network, typeset off screen while the panel waits for its run.
  const sources = buildMap([2, 3, 1], 8, 0.5, 'broadcast').flatMap((x) => [x.tex, x.shapeTex, x.productTex ?? '', x.broadcastTex ?? '']).filter(Boolean);
  warmUp(sources, () => state.info !== null);
}
