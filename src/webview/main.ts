/**
 * The backprop-map panel: the notes' map rendered with KaTeX for the run's network, every quantity
 * clickable, step mode, the live training view, results and the gradient check.
 *
 * Runs in a VS Code webview (messages to and from the extension host) and, unchanged, in the CLI's
 * offline HTML report (the finished run's messages embedded as a JSON data block).
 */
import katex from 'katex';
import type { Boundary, EpochPoint, GradCheckResult, MapSnapshot, MatrixData, Metrics, Phase, RunInfo, RunResult } from '../core/types';
import type { ExerciseMark } from '../exercise/marks';
import type { FromPanel, RunMode, ToPanel } from '../protocol';
import { boundaryView, lineChart, type BoundaryView, type LineChart } from './charts';
import { readPalette, type Palette } from './colors';
import { activate, append, clear, el, fmt } from './dom';
import { GRADCHECK_THRESHOLDS, gradcheckVerdict, relativeDifference } from '../core/tolerance';
import { historyCsv, historyJson } from '../data/history';
import { renderHeatmap } from './heatmap';
import { paintView } from './paintView';
import { corner, parameterNames, quantity } from './quantities';
import { type Locale, localeOf } from '../shared/locale';
import { explainKey, translator, type Translate } from './i18n';
import { buildMap, quantityShape, quantityTex, refId, shapeTex, stackedUpdateTex, type MapTerm, type QuantityRef } from '../shared/tex';

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Where messages go: the extension host, or nowhere in the offline report. */
const vscode: VsCodeApi | null = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
const reportData = document.getElementById('backprop-map-report');
const isReport = reportData !== null;

interface State {
  locale: Locale;
  info: RunInfo | null;
  epochs: number[];
  cost: number[];
  valCost: (number | null)[];
  acc: number[];
  valAcc: (number | null)[];
  grad: number[][];
  points: EpochPoint[];
  snapshot: MapSnapshot | null;
  previous: MapSnapshot | null;
  boundary: Boundary | null;
  mode: RunMode | null;
  result: RunResult | null;
  gradcheck: GradCheckResult | null;
  gradcheckPending: boolean;
  selected: string | null;
  reluLayer: number;
  /** The latest check of the learner's exercise file, marked on the map's terms. */
  exercise: { file: string; marks: ExerciseMark[] } | null;
}

const initialLocale: Locale = localeOf(document.documentElement.lang);
const saved = (vscode?.getState() ?? {}) as { selected?: string };

const state: State = {
  locale: initialLocale,
  info: null,
  epochs: [],
  cost: [],
  valCost: [],
  acc: [],
  valAcc: [],
  grad: [],
  points: [],
  snapshot: null,
  previous: null,
  boundary: null,
  mode: null,
  result: null,
  gradcheck: null,
  gradcheckPending: false,
  selected: saved.selected ?? null,
  reluLayer: 1,
  exercise: null,
};

let t: Translate = translator(state.locale);
let palette: Palette;
let terms: MapTerm[] = [];
const termEls = new Map<string, HTMLElement>();

// The page's fixed regions, filled by the render functions below.
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
let status: HTMLElement = el('span');
let controls: Record<string, HTMLButtonElement> = {};
let charts: { cost: LineChart; acc: LineChart; grad: LineChart; boundary: BoundaryView | null } | null = null;

// ------------------------------------------------------------------ rendering

/**
 * Typeset TeX by its source. The same formulas come back all the time (the detail and the ReLU example
 * on every snapshot, the whole map on reset or a new seed), so each is typeset once and then cloned:
 * a deep clone is many times faster than KaTeX, and cloning keeps the inline styles KaTeX set through
 * the CSSOM without needing 'unsafe-inline'.
 */
const typeset = new Map<string, Node>();
const TYPESET_LIMIT = 4000;

function katexInto(target: HTMLElement, tex: string, display = false): HTMLElement {
  const key = `${display ? 'D' : 'I'}${tex}`;
  let node = typeset.get(key);
  if (!node) {
    // HTML output only (no MathML copy): half the DOM, noticeably faster to build; screen readers get
    // the TeX source as the element's label instead.
    const holder = document.createElement('span');
    katex.render(tex, holder, { throwOnError: false, displayMode: display, output: 'html' });
    node = holder.firstChild!;
    if (typeset.size >= TYPESET_LIMIT) typeset.clear();
    typeset.set(key, node);
  }
  target.replaceChildren(node.cloneNode(true));
  target.setAttribute('aria-label', tex);
  return target;
}

function tex(texSource: string, cls = 'tex', display = false): HTMLElement {
  return katexInto(el('div', { class: cls }), texSource, display);
}

function renderAll(): void {
  palette = readPalette();
  clear(app);
  document.documentElement.lang = state.locale;
  append(app, ui.header, ui.banner);
  renderHeader();
  if (!state.info) {
    clear(ui.map);
    ui.map.appendChild(el('p', { class: 'empty', text: t('noRun') }));
    app.appendChild(ui.map);
    return;
  }
  const main = el('main', { class: 'layout' });
  // The detail and the ReLU example stay in view beside the (long) map while it scrolls.
  append(main, ui.map, el('aside', { class: 'side' }, ui.detail, ui.relu), ui.training, ui.results, ui.gradcheck);
  app.appendChild(main);
  const t0 = performance.now();
  renderMap();
  if (!termById(state.selected)) state.selected = null;
  // The time to typeset the map as far as it is in view, for the test and the benchmark that measure it.
  document.body.dataset.mapRenderMs = (performance.now() - t0).toFixed(1);
  // The map first; the rest of the panel right after the frame that paints it.
  const runInfo = state.info;
  requestAnimationFrame(() =>
    afterFrame(() => {
      if (state.info !== runInfo) return;
      // When the map in view was on screen, with KaTeX's own fonts or not, and how many of the
      // formulas in view were still waiting (read by the render-time test and the benchmark).
      const d = document.body.dataset;
      d.mapPaintedAt = performance.now().toFixed(1);
      d.mapFonts = document.fonts.status;
      const inView = (u: (typeof untypeset)[number]): boolean => {
        const r = u.box.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight;
      };
      d.mapPendingInView = String(untypeset.filter(inView).length);
      d.mapPending = String(untypeset.length);
      typesetRest();
      d.mapCompleteAt = performance.now().toFixed(1);
      renderTraining();
      renderResults();
      renderGradcheck();
      updateSnapshotViews();
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

function renderHeader(): void {
  clear(ui.header);
  const info = state.info;
  const title = el('h1', { text: t('title') });
  const meta = el('div', { class: 'meta' });
  if (info) {
    append(
      meta,
      el('span', { text: `${t('dataset')}: ${info.datasetName}` }),
      el('span', { text: `${t('label')}: ${info.labelName} (0 = ${info.labels['0']}, 1 = ${info.labels['1']})` }),
      el('span', { text: `m = ${info.m} ${t('examples')}${info.mValidation ? `, ${info.mValidation} ${t('validation')}` : ''}` }),
      el('span', { text: `[${info.layerDims.join(', ')}]` }),
    );
  }
  status = el('span', { class: 'status' });
  ui.header.appendChild(el('div', { class: 'titlebar' }, title, status));
  ui.header.appendChild(meta);
  if (isReport) {
    ui.header.appendChild(el('p', { class: 'note', text: t('reportNote') }));
  }
  const bar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': t('title') });
  const button = (key: 'play' | 'pause' | 'step' | 'reset' | 'newSeed' | 'writeExercise' | 'exportPng' | 'exportCsv' | 'exportJson' | 'exportNumpy' | 'exportTorch', action: () => void, title?: string): HTMLButtonElement => {
    const b = el('button', { type: 'button', 'data-action': key, text: t(key), title: title ?? t(key) });
    b.addEventListener('click', action);
    controls[key] = b;
    return b;
  };
  controls = {};
  if (!isReport && info) {
    append(
      bar,
      button('play', () => post({ type: 'control', action: 'play' })),
      button('pause', () => post({ type: 'control', action: 'pause' })),
      button('step', () => post({ type: 'control', action: 'step' }), t('stepHint')),
      button('reset', () => post({ type: 'control', action: 'reset' })),
      button('newSeed', () => post({ type: 'control', action: 'newSeed' })),
      el('span', { class: 'sep' }),
      button('writeExercise', () => post({ type: 'writeExercise' }), t('writeExerciseHint')),
      el('span', { class: 'sep' }),
    );
  }
  if (info) {
    append(bar, button('exportPng', () => void exportPng()), button('exportCsv', () => exportHistory('csv')), button('exportJson', () => exportHistory('json')));
  }
  if (!isReport && info) {
    // The trained network as code: the extension host holds the model and writes the file.
    append(bar, button('exportNumpy', () => post({ type: 'exportScript', kind: 'numpy' })), button('exportTorch', () => post({ type: 'exportScript', kind: 'torch' })));
  }
  ui.header.appendChild(bar);
  updateStatus();
}

function updateStatus(): void {
  const parts: string[] = [];
  if (state.mode) parts.push(t(`mode_${state.mode}`));
  const last = state.points.length ? state.points[state.points.length - 1]! : null;
  const epoch = state.snapshot && (!last || state.snapshot.epoch >= last.epoch) ? state.snapshot.epoch : last?.epoch;
  if (epoch !== undefined) parts.push(`${t('epoch')} ${epoch}`);
  const cost = state.snapshot && (!last || state.snapshot.epoch >= last.epoch) ? state.snapshot.cost : last?.cost;
  if (cost !== undefined) parts.push(`${t('cost')} ${fmt(cost, 5)}`);
  // Stepping: which phase of the epoch was run last.
  if (state.mode === 'paused' && state.snapshot) parts.push(t(state.snapshot.phase));
  status.textContent = parts.join(' · ');
  const m = state.mode;
  const set = (k: string, enabled: boolean): void => {
    if (controls[k]) controls[k].disabled = !enabled;
  };
  set('play', m === 'paused');
  set('pause', m === 'running');
  set('step', m === 'paused');
  set('reset', m !== null);
  set('newSeed', m !== null);
}

function sectionHeading(text: string, phase?: Phase): HTMLElement {
  return el('h3', { class: `section-h${phase ? ` phase-${phase}` : ''}`, text });
}

function renderMap(): void {
  const info = state.info!;
  const dims = info.layerDims;
  const L = dims.length - 1;
  terms = buildMap(dims, info.m, info.hyper.learningRate, t('broadcast'));
  termEls.clear();
  untypeset = [];
  clear(ui.map);
  delete ui.map.dataset.typeset;
  ui.map.appendChild(el('h2', { id: 'map-h', text: t('mapTitle') }));
  const phases = el('ol', { class: 'phases' });
  for (const p of ['forward', 'backward', 'update'] as const) {
    // The arrow is text of its own (not CSS content), so that the PNG of the view shows it too.
    if (p !== 'forward') phases.appendChild(el('li', { class: 'then', 'aria-hidden': 'true', text: '→' }));
    phases.appendChild(el('li', { 'data-phase': p, text: t(p) }));
  }
  ui.map.appendChild(phases);

  const termEl = (term: MapTerm): HTMLElement => {
    const box = el('div', {
      class: `term section-${term.section}`,
      role: 'button',
      tabindex: 0,
      'data-term': term.id,
      'aria-pressed': 'false',
      // The TeX source is the closest plain-text reading of the typeset formula.
      'aria-label': `${term.tex}; ${term.shapeTex}`,
    });
    const parts: [HTMLElement, string][] = [[el('div', { class: 'tex' }), term.tex], [el('div', { class: 'shape' }), term.shapeTex]];
    if (term.productTex) parts.push([el('div', { class: 'product' }), term.productTex]);
    if (term.broadcastTex) parts.push([el('div', { class: 'product broadcast' }), term.broadcastTex]);
    append(box, ...parts.map(([e]) => e), el('div', { class: 'value' }));
    later(box, 1.3 * parts.length, () => {
      for (const [e, source] of parts) katexInto(e, source);
    });
    activate(box, () => select(term.id));
    termEls.set(term.id, box);
    return box;
  };
  const group = (title: string | null, list: MapTerm[]): HTMLElement => {
    const g = el('div', { class: 'group' });
    if (title) g.appendChild(el('div', { class: 'group-h', text: title }));
    for (const term of list) g.appendChild(termEl(term));
    return g;
  };
  const of = (section: MapTerm['section'], layer?: number): MapTerm[] =>
    terms.filter((x) => x.section === section && (layer === undefined || x.layer === layer));

  const fwd = el('div', { class: 'col col-forward' });
  fwd.appendChild(sectionHeading(`${t('forward')} ↓`, 'forward'));
  fwd.appendChild(group(`${t('layer')} 0 · ${t('input')}`, of('input')));
  for (let l = 1; l <= L; l++) fwd.appendChild(group(`${t('layer')} ${l}`, of('forward', l)));
  fwd.appendChild(sectionHeading(t('costSection'), 'forward'));
  fwd.appendChild(group(null, of('cost')));

  const bwd = el('div', { class: 'col col-backward' });
  bwd.appendChild(sectionHeading(`${t('backward')} ↑`, 'backward'));
  for (let l = L; l >= 1; l--) bwd.appendChild(group(`${t('layer')} ${l}`, of('backward', l)));

  const upd = el('div', { class: 'col col-update' });
  upd.appendChild(sectionHeading(t('update'), 'update'));
  const stacked = upd.appendChild(el('div', { class: 'stacked' }));
  later(stacked, 2.5 * L + 2, () => katexInto(stacked, stackedUpdateTex(L, t('neu'), t('alt')), true));
  const updGrid = el('div', { class: 'update-grid' });
  for (let l = 1; l <= L; l++) updGrid.appendChild(group(null, of('update', l)));
  upd.appendChild(updGrid);

  ui.map.appendChild(el('div', { class: 'map-grid' }, fwd, bwd, upd));
  ui.map.appendChild(el('p', { class: 'hint', text: t('clickHint') }));
  markSelected();
  markExercise();
  typesetInView();
}

/** Each term's mark from the latest check of the exercise file, and a line that sums them up. */
function markExercise(): void {
  const ex = state.exercise;
  const byTerm = new Map((ex?.marks ?? []).map((m) => [m.term, m]));
  for (const [id, box] of termEls) {
    const mark = byTerm.get(id);
    if (mark) box.dataset.exercise = mark.status;
    else delete box.dataset.exercise;
  }
  ui.map.querySelector('.exercise-summary')?.remove();
  if (!ex || !state.info) return;
  const count = (status: ExerciseMark['status']): number => ex.marks.filter((m) => m.status === status && termEls.has(m.term)).length;
  const summary = el('p', {
    class: 'exercise-summary',
    role: 'status',
    text: t('exerciseSummary', { file: ex.file, right: count('right'), wrong: count('wrong'), missing: count('missing') }),
  });
  ui.map.querySelector('#map-h')?.after(summary);
}

/**
 * Formulas of the map not typeset yet, each box holding the place with an estimated height, a little
 * below the typeset one (so typesetting only pushes later boxes down, never pulls an empty one into
 * view). The first frame typesets those in view; the rest follows right after that frame is painted
 * (typesetRest), before anything else of the panel.
 */
let untypeset: { box: HTMLElement; fill: () => void }[] = [];

function later(box: HTMLElement, heightEm: number, fill: () => void): void {
  box.style.minHeight = `${heightEm}em`;
  untypeset.push({
    box,
    fill: () => {
      fill();
      box.style.minHeight = '';
    },
  });
}

function typesetInView(): void {
  // Every box's place first (one layout of the light placeholders), then the typesetting.
  const places = untypeset.map((u) => u.box.getBoundingClientRect());
  const rest: typeof untypeset = [];
  untypeset.forEach((u, i) => {
    const r = places[i]!;
    if (r.bottom > 0 && r.top < window.innerHeight) u.fill();
    else rest.push(u);
  });
  untypeset = rest;
}

function typesetRest(): void {
  for (const u of untypeset) u.fill();
  untypeset = [];
  ui.map.dataset.typeset = 'all';
}

/** The mask [Z[l] > 0] is not a term of the map's own, but it is clickable from dZ and the ReLU example. */
function auxTerm(id: string): MapTerm | null {
  const m = /^mask(\d+)$/.exec(id);
  if (!m || !state.info) return null;
  const l = Number(m[1]);
  const dims = state.info.layerDims;
  const s = quantityShape({ key: 'mask', layer: l }, dims, state.info.m);
  return {
    id,
    ref: { key: 'mask', layer: l },
    section: 'backward',
    phase: 'backward',
    layer: l,
    tex: `[Z^{[${l}]} > 0]`,
    shapeTex: `[Z^{[${l}]} > 0]\\;${shapeTex(s.sym[0], s.sym[1])} = ${shapeTex(s.num[0], s.num[1])}`,
    productTex: null,
    inputs: [{ key: 'Z', layer: l }],
    explain: 'mask',
  };
}

function termById(id: string | null): MapTerm | null {
  if (!id) return null;
  return terms.find((x) => x.id === id) ?? auxTerm(id);
}

/** The map's term that shows a quantity: W and b are shown by their update terms. */
function termIdFor(ref: QuantityRef): string {
  if (ref.key === 'W' || ref.key === 'b') return `u${ref.key}${ref.layer}`;
  if (ref.key === 'A' && ref.layer === 0) return 'X';
  return refId(ref);
}

function select(id: string): void {
  state.selected = id;
  vscode?.setState({ selected: id });
  markSelected();
  renderDetail();
  ui.detail.scrollIntoView?.({ block: 'nearest' });
}

function markSelected(): void {
  for (const [id, e] of termEls) e.setAttribute('aria-pressed', String(id === state.selected));
}

function rowLabelsFor(ref: QuantityRef): string[] | undefined {
  const info = state.info;
  if (!info) return undefined;
  if (ref.key === 'X' || (ref.key === 'A' && ref.layer === 0)) return info.featureNames;
  if (ref.key === 'Y') return [info.labelName];
  return undefined;
}

function renderDetail(): void {
  clear(ui.detail);
  const term = termById(state.selected);
  if (!term || !state.info) {
    ui.detail.appendChild(el('p', { class: 'hint', text: t('clickHint') }));
    return;
  }
  const L = state.info.layerDims.length - 1;
  ui.detail.setAttribute('data-term', term.id);
  ui.detail.appendChild(tex(quantityTex(term.ref, L), 'detail-title', true));
  const dl = el('dl', { class: 'facts' });
  append(dl, el('dt', { text: t('notation') }), tex(term.shapeTex, 'tex detail-shape'));
  if (term.productTex) dl.appendChild(tex(term.productTex, 'tex'));
  if (term.broadcastTex) dl.appendChild(tex(term.broadcastTex, 'tex'));
  append(dl, el('dt', { text: t('formula') }), tex(term.tex, 'tex detail-formula'));
  append(dl, el('dt', { text: t('computedFrom') }));
  const chips = el('dd', { class: 'chips' });
  if (term.inputs.length === 0) chips.appendChild(el('span', { text: '—' }));
  for (const ref of term.inputs) {
    const id = ref.key === 'mask' ? `mask${ref.layer}` : termIdFor(ref);
    const chip = el('button', { type: 'button', class: 'chip', 'data-goto': id });
    katexInto(chip, quantityTex(ref, L).replace(/ = \\hat\{y\}$/, ''));
    chip.addEventListener('click', () => select(id));
    chips.appendChild(chip);
  }
  dl.appendChild(chips);
  ui.detail.appendChild(dl);
  ui.detail.appendChild(el('p', { class: 'explain', text: t(explainKey(term.explain)) }));

  const current = quantity(state.snapshot, term.ref);
  if (!current) {
    ui.detail.appendChild(el('p', { class: 'note', text: t('notComputed') }));
    return;
  }
  // Stepping: say when a term still shows an earlier step's values.
  const phase = state.mode === 'paused' ? state.snapshot?.phase : undefined;
  if (phase === 'forward' && term.phase === 'backward') ui.detail.appendChild(el('p', { class: 'note stale', text: t('fromLastEpoch') }));
  if ((phase === 'forward' || phase === 'backward') && term.phase === 'update') ui.detail.appendChild(el('p', { class: 'note stale', text: t('notUpdatedYet') }));
  const label = quantityTex(term.ref, L);
  const before = state.mode === 'paused' && state.snapshot && term.phase === state.snapshot.phase ? quantity(state.previous, term.ref) : null;
  const rowLabels = rowLabelsFor(term.ref);
  const opts = { palette, t, label, ...(rowLabels ? { rowLabels } : {}) };
  if (before) {
    const scale = Math.max(...[...before.data, ...current.data].map(Math.abs), 0);
    const pair = el('div', { class: 'before-after' });
    pair.appendChild(el('div', {}, el('h4', { text: t('before') }), renderHeatmap(before, { ...opts, scale })));
    pair.appendChild(el('div', {}, el('h4', { text: t('after') }), renderHeatmap(current, { ...opts, scale, compare: before })));
    ui.detail.appendChild(pair);
  } else {
    ui.detail.appendChild(renderHeatmap(current, opts));
  }
}

function renderRelu(): void {
  clear(ui.relu);
  const info = state.info!;
  const L = info.layerDims.length - 1;
  if (L < 2) return;
  const l = Math.min(Math.max(1, state.reluLayer), L - 1);
  ui.relu.appendChild(el('h2', { text: t('reluTitle', { l }) }));
  if (L > 2) {
    const sel = el('select', { 'aria-label': t('reluLayer') });
    for (let k = 1; k < L; k++) sel.appendChild(el('option', { value: k, text: `${t('layer')} ${k}`, selected: k === l }));
    sel.addEventListener('change', () => {
      state.reluLayer = Number(sel.value);
      renderRelu();
    });
    ui.relu.appendChild(sel);
  }
  ui.relu.appendChild(el('p', { class: 'note', text: t('reluNote') }));
  const snap = state.snapshot;
  const layer = snap?.layers[l - 1];
  if (!layer) return;
  const R = 4;
  const C = 6;
  const maskFull = quantity(snap, { key: 'mask', layer: l })!;
  const cell = (label: string, md: MatrixData, id: string): HTMLElement => {
    const box = el('div', { class: 'relu-cell', role: 'button', tabindex: 0, 'data-goto': id });
    box.appendChild(tex(label));
    box.appendChild(renderHeatmap(md, { palette, t, label }));
    activate(box, () => select(id));
    return box;
  };
  const arrow = (texSource: string): HTMLElement => tex(texSource, 'relu-arrow');
  // As in the notes' example: forward on the left (Z ↓ relu ↓ A), backward on the right (dA ↑ * [Z > 0] ↑ dZ).
  const fwd = el('div', { class: 'relu-col' }, el('div', { class: 'relu-h', text: t('forward') }),
    cell(`Z^{[${l}]}`, corner(layer.Z, R, C), `Z${l}`),
    arrow('\\downarrow\\;(\\text{relu})'),
    cell(`A^{[${l}]} = \\text{relu}(Z^{[${l}]})`, corner(layer.A, R, C), `A${l}`));
  const bwd = el('div', { class: 'relu-col' }, el('div', { class: 'relu-h', text: t('backward') }),
    cell(`dZ^{[${l}]} = dA^{[${l}]} * [Z^{[${l}]} > 0]`, corner(layer.dZ, R, C), `dZ${l}`),
    arrow('\\uparrow\\; * [Z > 0]'),
    cell(`[Z^{[${l}]} > 0]`, corner(maskFull, R, C), `mask${l}`),
    arrow('\\uparrow'),
    cell(`dA^{[${l}]}`, corner(layer.dA, R, C), `dA${l}`));
  ui.relu.appendChild(el('div', { class: 'relu-grid' }, fwd, bwd));
  ui.relu.appendChild(el('p', { class: 'note', text: t('firstCols', { rows: Math.min(R, layer.Z.rows), cols: Math.min(C, layer.Z.cols) }) }));
}

function renderTraining(): void {
  clear(ui.training);
  const info = state.info!;
  ui.training.appendChild(el('h2', { text: t('trainingTitle') }));
  charts = {
    cost: lineChart(t('costChart'), { epochWord: t('epoch') }),
    acc: lineChart(t('accuracyChart'), { fixed: [0, 1], epochWord: t('epoch') }),
    grad: lineChart(t('gradChart'), { log: true, epochWord: t('epoch') }),
    boundary: info.featureNames.length === 2 ? boundaryView(t('boundaryTitle'), info.featureNames, [info.labels['0'], info.labels['1']]) : null,
  };
  const grid = el('div', { class: 'charts' }, charts.cost.root, charts.acc.root, charts.grad.root);
  if (charts.boundary) grid.appendChild(charts.boundary.root);
  ui.training.appendChild(grid);
  ui.training.appendChild(el('p', { class: 'hint', text: t('hoverHint') }));
  // The charts draw at their laid-out width: redraw when the panel is resized.
  new ResizeObserver(() => queueCharts()).observe(grid);
  drawCharts();
  if (state.boundary) charts.boundary?.draw(state.boundary, palette);
}

let chartsQueued = false;
function queueCharts(): void {
  if (chartsQueued) return;
  chartsQueued = true;
  requestAnimationFrame(() => {
    chartsQueued = false;
    drawCharts();
  });
}

function drawCharts(): void {
  if (!charts || !state.info) return;
  const t0 = performance.now();
  const s = palette.series;
  const hasVal = state.info.mValidation > 0;
  charts.cost.draw(state.epochs, [{ label: t('train'), color: s[0]!, values: state.cost }, ...(hasVal ? [{ label: t('val'), color: s[1]!, values: state.valCost }] : [])], palette);
  charts.acc.draw(state.epochs, [{ label: t('train'), color: s[0]!, values: state.acc }, ...(hasVal ? [{ label: t('val'), color: s[1]!, values: state.valAcc }] : [])], palette);
  charts.grad.draw(
    state.epochs,
    state.grad.map((values, l) => ({ label: `‖dW[${l + 1}]‖`, color: s[(l + 2) % s.length]!, values })),
    palette,
  );
  // The cost of one redraw, for the test of long histories.
  document.body.dataset.chartsMs = (performance.now() - t0).toFixed(1);
}

function metricsTable(title: string, m: Metrics, labels: { '0': string; '1': string }): HTMLElement {
  const box = el('div', { class: 'metrics' });
  box.appendChild(el('h3', { text: title }));
  const c = m.confusion;
  const table = el('table', { class: 'confusion', 'aria-label': `${t('confusion')} ${title}` });
  table.appendChild(el('caption', { text: t('confusion') }));
  const head = el('tr', {}, el('th', { text: `${t('actual')} \\ ${t('predicted')}` }), el('th', { scope: 'col', text: `0: ${labels['0']}` }), el('th', { scope: 'col', text: `1: ${labels['1']}` }));
  const row = (k: '0' | '1', a: number, b: number): HTMLElement =>
    el('tr', {}, el('th', { scope: 'row', text: `${k}: ${labels[k]}` }), el('td', { text: String(a) }), el('td', { text: String(b) }));
  append(table, el('thead', {}, head), el('tbody', {}, row('0', c.tn, c.fp), row('1', c.fn, c.tp)));
  box.appendChild(table);
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of [
    ['accuracy', m.accuracy],
    ['precision', m.precision],
    ['recall', m.recall],
    ['f1', m.f1],
    ['cost', m.cost],
  ] as const) {
    append(dl, el('dt', { text: t(k) }), el('dd', { 'data-metric': k, text: fmt(v, 4) }));
  }
  box.appendChild(dl);
  return box;
}

function renderResults(): void {
  clear(ui.results);
  const r = state.result;
  if (!r || !state.info) return;
  ui.results.appendChild(el('h2', { text: t('resultsTitle') }));
  ui.results.appendChild(el('p', { class: `reason reason-${r.reason}`, text: t(`reason_${r.reason}`, { epochs: r.epochs }) }));
  if (r.message) ui.results.appendChild(el('p', { class: 'note', text: r.message }));
  const grid = el('div', { class: 'metrics-grid' });
  grid.appendChild(metricsTable(t('train'), r.train, state.info.labels));
  if (r.validation) grid.appendChild(metricsTable(t('val'), r.validation, state.info.labels));
  ui.results.appendChild(grid);
}

const GRADCHECK_ROWS = 60;

function renderGradcheck(): void {
  clear(ui.gradcheck);
  if (!state.info) return;
  ui.gradcheck.appendChild(el('h2', { text: t('gradcheckTitle') }));
  if (!isReport) {
    const b = el('button', { type: 'button', 'data-action': 'gradcheck', text: state.gradcheckPending ? t('gradcheckRunning') : t('gradcheckRun') });
    b.disabled = state.gradcheckPending;
    b.addEventListener('click', () => {
      state.gradcheckPending = true;
      renderGradcheck();
      post({ type: 'gradcheck' });
    });
    ui.gradcheck.appendChild(b);
  }
  const g = state.gradcheck;
  if (!g) return;
  const verdict = ({ ok: 'gradcheckOk', rounding: 'gradcheckRounding', wrong: 'gradcheckBad' } as const)[gradcheckVerdict(g.relDifference)];
  const ok = verdict !== 'gradcheckBad';
  ui.gradcheck.appendChild(el('p', { class: 'gc-summary', text: t('gradcheckSummary', { d: g.relDifference.toExponential(2), eps: g.epsilon.toExponential() }) }));
  ui.gradcheck.appendChild(el('p', { class: ok ? 'ok' : 'bad', text: `${ok ? '✓' : '✗'} ${t(verdict, { limit: GRADCHECK_THRESHOLDS.rounding.toExponential() })}` }));
  if (g.perParameter.length) {
    const per = el('table', { class: 'grid' });
    append(per, el('tr', {}, el('th', { text: t('parameter') }), el('th', { text: t('relDiff') })));
    for (const p of g.perParameter) per.appendChild(el('tr', {}, el('td', { text: p.name }), el('td', { text: p.relDifference.toExponential(2) })));
    ui.gradcheck.appendChild(per);
  }
  const names = parameterNames(state.info.layerDims);
  const table = el('table', { class: 'grid gc-table' });
  append(table, el('tr', {}, ...[t('parameter'), t('theta'), t('dtheta'), t('dthetaApprox'), t('relDiff')].map((h) => el('th', { scope: 'col', text: h }))));
  const n = g.theta.length;
  for (let i = 0; i < Math.min(n, GRADCHECK_ROWS); i++) {
    const d = g.dtheta[i]!;
    const a = g.dthetaApprox[i]!;
    const rel = relativeDifference([d], [a]);
    table.appendChild(
      el('tr', {}, el('td', { text: names[i] ?? String(i + 1) }), el('td', { text: fmt(g.theta[i]!, 5) }), el('td', { text: fmt(d, 6) }), el('td', { text: fmt(a, 6) }), el('td', { text: rel.toExponential(1) })),
    );
  }
  ui.gradcheck.appendChild(el('div', { class: 'scroll' }, table));
  if (n > GRADCHECK_ROWS) ui.gradcheck.appendChild(el('p', { class: 'note', text: t('moreRows', { n: n - GRADCHECK_ROWS }) }));
}

/** Values that change with every snapshot: J in the map, highlights of the step's phase, detail, ReLU. */
function updateSnapshotViews(): void {
  const snap = state.snapshot;
  const jBox = termEls.get('J')?.querySelector('.value');
  if (jBox) jBox.textContent = snap ? `J = ${fmt(snap.cost, 6)}` : '';
  const stepping = state.mode === 'paused' && snap !== null;
  for (const [id, e] of termEls) {
    const term = terms.find((x) => x.id === id);
    e.classList.toggle('active', stepping && term?.phase === snap!.phase);
  }
  for (const li of ui.map.querySelectorAll<HTMLElement>('.phases li[data-phase]')) {
    const on = stepping && li.dataset.phase === snap!.phase;
    li.classList.toggle('active', on);
    if (on) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  }
  ui.map.dataset.phase = stepping ? snap!.phase : '';
  ui.map.dataset.epoch = snap ? String(snap.epoch) : '';
  renderDetail();
  if (state.info) renderRelu();
  updateStatus();
}

// ------------------------------------------------------------------ messages

function post(m: FromPanel): void {
  vscode?.postMessage(m);
}

function resetRun(info: RunInfo, locale: Locale): void {
  state.info = info;
  state.locale = locale;
  t = translator(locale);
  state.epochs = [];
  state.cost = [];
  state.valCost = [];
  state.acc = [];
  state.valAcc = [];
  state.grad = info.layerDims.slice(1).map(() => []);
  state.points = [];
  state.snapshot = null;
  state.previous = null;
  state.boundary = null;
  state.result = null;
  state.gradcheck = null;
  state.gradcheckPending = false;
  state.mode = null;
}

function addEpochs(points: EpochPoint[]): void {
  for (const p of points) {
    state.points.push(p);
    state.epochs.push(p.epoch);
    state.cost.push(p.cost);
    state.valCost.push(p.validationCost);
    state.acc.push(p.accuracy);
    state.valAcc.push(p.validationAccuracy);
    p.gradNorms.forEach((g, l) => (state.grad[l] ??= []).push(g));
  }
}

function showBanner(kind: 'error' | 'notice', text: string): void {
  ui.banner.className = `banner ${kind}`;
  // An error interrupts (a screen reader says it at once); a notice waits its turn.
  ui.banner.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  ui.banner.textContent = text;
  ui.banner.hidden = false;
}

function handle(msg: ToPanel): void {
  switch (msg.type) {
    case 'run': {
      const t0 = performance.now();
      ui.banner.hidden = true;
      resetRun(msg.info, msg.locale);
      renderAll();
      // How long building the whole panel for a run took (read by the render-time test).
      document.body.dataset.runRenderMs = (performance.now() - t0).toFixed(1);
      break;
    }
    case 'epochs':
      addEpochs(msg.points);
      queueCharts();
      updateStatus();
      break;
    case 'snapshot':
      state.previous = state.snapshot;
      state.snapshot = msg.snapshot;
      updateSnapshotViews();
      break;
    case 'boundary':
      state.boundary = msg.boundary;
      if (charts?.boundary) charts.boundary.draw(msg.boundary, palette);
      break;
    case 'mode':
      state.mode = msg.mode;
      if (msg.mode !== 'finished') {
        state.result = null;
        renderResults();
      }
      updateSnapshotViews();
      break;
    case 'finished':
      state.result = msg.result;
      renderResults();
      break;
    case 'gradcheck':
      state.gradcheck = msg.result;
      state.gradcheckPending = false;
      renderGradcheck();
      break;
    case 'error':
      state.gradcheckPending = false;
      showBanner('error', `${t('error')}: ${msg.message}`);
      if (state.info) renderGradcheck();
      break;
    case 'notice':
      showBanner('notice', msg.message);
      break;
    case 'exercise':
      state.exercise = { file: msg.file, marks: msg.marks };
      markExercise();
      break;
  }
}

// ------------------------------------------------------------------ export

function download(name: string, href: string): void {
  const a = el('a', { href, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function exportHistory(format: 'csv' | 'json'): void {
  if (vscode) {
    post({ type: 'export', format });
    return;
  }
  if (!state.info) return;
  const text = format === 'csv' ? historyCsv(state.points, state.info.layerDims.length - 1) : historyJson(state.info, state.points, state.result);
  download(`backprop-map-history.${format}`, `data:${format === 'csv' ? 'text/csv' : 'application/json'};charset=utf-8,${encodeURIComponent(text)}`);
}

/** The current view as a PNG (see paintView): to the host's save dialog, or a download in the report. */
async function exportPng(): Promise<void> {
  const bg = palette.background;
  const url = await paintView(`rgb(${bg[0]}, ${bg[1]}, ${bg[2]})`);
  if (vscode) post({ type: 'exportPng', dataUrl: url });
  else download('backprop-map.png', url);
}

// ------------------------------------------------------------------ start

window.addEventListener('message', (ev: MessageEvent) => {
  const msg = ev.data as ToPanel | null;
  if (!msg || typeof msg !== 'object' || typeof (msg as { type?: unknown }).type !== 'string') return;
  handle(msg);
});

// Theme changes (VS Code swaps the body class and the variables): repaint the colours.
new MutationObserver(() => {
  if (!state.info) return;
  palette = readPalette();
  drawCharts();
  if (state.boundary) charts?.boundary?.draw(state.boundary, palette);
  renderDetail();
  renderRelu();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// KaTeX's fonts are `font-display: block` (text stays invisible until they arrive) and are fetched on
// first use, which lays the map out again with every face that comes in. The faces the map uses are
// fetched while the panel waits for its run instead, so the map's first paint is already the final one.
for (const face of ['1em KaTeX_Main', 'italic 1em KaTeX_Math', '1em KaTeX_Size1', '1em KaTeX_Caligraphic']) {
  document.fonts.load(face).catch(() => undefined);
}

renderAll();
if (reportData) {
  for (const m of JSON.parse(reportData.textContent || '[]') as ToPanel[]) handle(m);
} else {
  post({ type: 'ready' });
  warmUp();
}

/**
 * KaTeX's first formulas are several times slower than later ones (its code is not compiled and
 * optimised yet). While the panel waits for its run, the map of a small network is typeset off screen,
 * one formula per idle slice, so the run's own map is typeset at full speed; it stops when the run arrives.
 */
function warmUp(): void {
  const sources = buildMap([2, 3, 1], 8, 0.5, 'broadcast').flatMap((x) => [x.tex, x.shapeTex, x.productTex ?? '', x.broadcastTex ?? '']).filter(Boolean);
  const scratch = document.createElement('div');
  const next = (deadline: IdleDeadline): void => {
    while (sources.length && !state.info && deadline.timeRemaining() > 0) katexInto(scratch, sources.pop()!);
    if (sources.length && !state.info) requestIdleCallback(next);
  };
  requestIdleCallback(next);
}
