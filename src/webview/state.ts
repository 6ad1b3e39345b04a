/**
 * The panel's state, and the one function that changes it: reduce(state, action) → state, for the
 * host's messages (ToPanel) and the panel's own actions (a term selected, a theme's colours). Pure:
 * no DOM, the state passed in is never changed (test/webview/panel_state_*.test.ts); the views
 * (views/*.ts) draw what it holds and main.ts redraws those whose part of it changed.
 */
import type { Boundary, EpochPoint, GradCheckResult, MapSnapshot, RunInfo, RunResult } from '../core/types';
import type { ExerciseMark } from '../exercise/marks';
import type { RunMode, ToPanel } from '../protocol';
import type { Locale } from '../shared/locale';
import { buildMap, type MapTerm } from '../shared/tex';
import type { Palette } from './colors';
import { translator } from './i18n';
import { termById } from './quantities';

/**
 * The run's epochs as the charts draw them, one array per curve. The arrays only grow: a state sees
 * their first `length` entries, so appending for a newer state leaves what an older one sees as it
 * was (and a state that is not the newest appends to copies).
 */
export interface History {
  length: number;
  points: EpochPoint[];
  epochs: number[];
  cost: number[];
  valCost: (number | null)[];
  acc: number[];
  valAcc: (number | null)[];
  /** ‖dW[l]‖ per layer. */
  grad: number[][];
}

export interface PanelState {
  locale: Locale;
  /** Counts the runs shown: what is built for a run is built again when it changes. */
  run: number;
  info: RunInfo | null;
  /** The map's terms for the run's network (none before a run). */
  terms: MapTerm[];
  history: History;
  snapshot: MapSnapshot | null;
  /** The snapshot before the latest: a stepped term's values before and after. */
  previous: MapSnapshot | null;
  boundary: Boundary | null;
  mode: RunMode | null;
  result: RunResult | null;
  gradcheck: GradCheckResult | null;
  /** The gradient check was asked for and has not answered yet. */
  gradcheckPending: boolean;
  /** The map's term whose matrix the detail shows. */
  selected: string | null;
  /** The hidden layer of the ReLU example. */
  reluLayer: number;
  /** The latest check of the learner's exercise file, marked on the map's terms. */
  exercise: { file: string; marks: ExerciseMark[] } | null;
  banner: { kind: 'error' | 'notice'; message: string } | null;
  /** The theme's colours, read from the page (null before they are). */
  palette: Palette | null;
}

/** What changes the state: the host's messages and the panel's own. */
export type PanelAction =
  | ToPanel
  | { type: 'select'; id: string }
  | { type: 'reluLayer'; layer: number }
  | { type: 'gradcheckRequested' }
  | { type: 'palette'; palette: Palette };

function emptyHistory(layers: number): History {
  return { length: 0, points: [], epochs: [], cost: [], valCost: [], acc: [], valAcc: [], grad: Array.from({ length: layers }, () => []) };
}

export function initialState(locale: Locale, selected: string | null = null): PanelState {
  return {
    locale,
    run: 0,
    info: null,
    terms: [],
    history: emptyHistory(0),
    snapshot: null,
    previous: null,
    boundary: null,
    mode: null,
    result: null,
    gradcheck: null,
    gradcheckPending: false,
    selected,
    reluLayer: 1,
    exercise: null,
    banner: null,
    palette: null,
  };
}

/** The history's arrays as this state sees them: the arrays themselves when it is the newest. */
export function historyOf(h: History): History {
  if (h.epochs.length === h.length) return h;
  const cut = <T>(a: T[]): T[] => a.slice(0, h.length);
  return { length: h.length, points: cut(h.points), epochs: cut(h.epochs), cost: cut(h.cost), valCost: cut(h.valCost), acc: cut(h.acc), valAcc: cut(h.valAcc), grad: h.grad.map(cut) };
}

function appendPoints(h: History, points: readonly EpochPoint[]): History {
  // Copies when a newer state has appended to these arrays already.
  const to = h.epochs.length === h.length ? { ...h, grad: [...h.grad] } : historyOf(h);
  for (const p of points) {
    to.points.push(p);
    to.epochs.push(p.epoch);
    to.cost.push(p.cost);
    to.valCost.push(p.validationCost);
    to.acc.push(p.accuracy);
    to.valAcc.push(p.validationAccuracy);
    p.gradNorms.forEach((g, l) => (to.grad[l] ??= []).push(g));
  }
  to.length += points.length;
  return to;
}

export function reduce(s: PanelState, a: PanelAction): PanelState {
  switch (a.type) {
    case 'run': {
      const terms = buildMap(a.info.layerDims, a.info.m, a.info.hyper.learningRate, translator(a.locale)('broadcast'));
      return {
        // Everything of the last run goes; the exercise's marks (the learner's file), the ReLU
        // layer asked for and the theme stay.
        ...initialState(a.locale, termById(terms, s.selected, a.info) ? s.selected : null),
        run: s.run + 1,
        info: a.info,
        terms,
        history: emptyHistory(a.info.layerDims.length - 1),
        reluLayer: s.reluLayer,
        exercise: s.exercise,
        palette: s.palette,
      };
    }
    case 'epochs':
      return { ...s, history: appendPoints(s.history, a.points) };
    case 'snapshot':
      return { ...s, previous: s.snapshot, snapshot: a.snapshot };
    case 'boundary':
      return { ...s, boundary: a.boundary };
    case 'mode':
      return { ...s, mode: a.mode, result: a.mode === 'finished' ? s.result : null };
    case 'finished':
      return { ...s, result: a.result };
    case 'gradcheck':
      return { ...s, gradcheck: a.result, gradcheckPending: false };
    case 'error':
      return { ...s, gradcheckPending: false, banner: { kind: 'error', message: a.message } };
    case 'notice':
      return { ...s, banner: { kind: 'notice', message: a.message } };
    case 'exercise':
      return { ...s, exercise: { file: a.file, marks: a.marks } };
    case 'select':
      return { ...s, selected: a.id };
    case 'reluLayer':
      return { ...s, reluLayer: a.layer };
    case 'gradcheckRequested':
      return { ...s, gradcheckPending: true };
    case 'palette':
      return { ...s, palette: a.palette };
  }
}
