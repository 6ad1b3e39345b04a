// The last run, kept in the extension's storage as one JSON file. A window reload restarts the
// extension host and loses everything in memory; the panel VS Code restores afterwards shows the
// finished run again from this file, and its model can still be saved. Pure (no `vscode`): the file
// format is checked by node:test directly.
import { ModelError, parseModelFile } from '../core/model';
import { thinPoints } from '../data/history';
import type { Boundary, EpochPoint, GradCheckResult, MapSnapshot, RunInfo, RunResult } from '../core/types';
import type { DataSource } from '../data/types';
import type { RunMode, ToPanel } from '../protocol';
import type { Locale } from '../shared/locale';

/** Everything the panel needs to draw the run again from scratch (a new or revived panel). */
export interface RunState {
  info: RunInfo;
  points: EpochPoint[];
  snapshot: MapSnapshot | null;
  boundary: Boundary | null;
  mode: RunMode;
  result: RunResult | null;
  gradcheck: GradCheckResult | null;
}

/** The panel's messages that draw the run from scratch, in the order the webview builds it up. */
export function runMessages(s: RunState, locale: Locale): ToPanel[] {
  const messages: ToPanel[] = [{ type: 'run', info: s.info, locale }];
  if (s.points.length) messages.push({ type: 'epochs', points: s.points });
  if (s.snapshot) messages.push({ type: 'snapshot', snapshot: s.snapshot });
  if (s.boundary) messages.push({ type: 'boundary', boundary: s.boundary });
  messages.push({ type: 'mode', mode: s.mode });
  if (s.result) messages.push({ type: 'finished', result: s.result });
  if (s.gradcheck) messages.push({ type: 'gradcheck', result: s.gradcheck });
  return messages;
}

export interface SavedModel {
  /** The model file's JSON (src/core/model.ts). */
  json: unknown;
  datasetName: string;
}

/** What it takes to train the run again (Reset, New seed after a reload): the data and its name. */
export interface RunOrigin {
  /** A file's source is kept without its text: training again reads the file afresh. */
  source: DataSource;
  dataName: string;
  /** The file's URI (for data errors that open it), or null for a built-in dataset. */
  fileUri: string | null;
}

export type SavedRun =
  | {
      kind: 'finished';
      state: RunState;
      model: SavedModel | null;
      origin: RunOrigin | null;
      /** Why the model kept with the run was dropped (the model file checks' message), else absent. */
      modelProblem?: string;
    }
  /** Written when a run starts: read back by a new extension host, that run never finished. */
  | { kind: 'running'; datasetName: string };

const FORMAT = 'backprop-map-last-run';
const VERSION = 1;
/** Longer histories are thinned for the file, as for the HTML report. */
export const SAVED_MAX_POINTS = 20_000;

export function savedRunJson(run: SavedRun): string {
  const body =
    run.kind === 'finished'
      ? { ...run, state: { ...run.state, points: thinPoints(run.state.points, SAVED_MAX_POINTS) }, origin: run.origin && { ...run.origin, source: withoutText(run.origin.source) } }
      : run;
  return JSON.stringify({ format: FORMAT, version: VERSION, ...body });
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

function isRunInfo(v: unknown): v is RunInfo {
  return (
    isObject(v) &&
    typeof v.datasetName === 'string' &&
    typeof v.labelName === 'string' &&
    isNumbers(v.layerDims) &&
    v.layerDims.length >= 2 &&
    typeof v.m === 'number' &&
    Array.isArray(v.featureNames) &&
    v.featureNames.every((x) => typeof x === 'string') &&
    isObject(v.labels) &&
    isObject(v.hyper)
  );
}

function withoutText(source: DataSource): DataSource {
  if (source.kind !== 'file') return source;
  const { text: _text, ...rest } = source;
  return rest;
}

function originOf(v: unknown): RunOrigin | null {
  if (!isObject(v) || typeof v.dataName !== 'string' || !(v.fileUri === null || typeof v.fileUri === 'string') || !isObject(v.source)) return null;
  const s = v.source;
  if (s.kind === 'sample' && typeof s.name === 'string') return { source: { kind: 'sample', name: s.name }, dataName: v.dataName, fileUri: v.fileUri };
  const label = s.label;
  if (s.kind !== 'file' || typeof s.path !== 'string' || !(label === null || typeof label === 'string' || typeof label === 'number')) return null;
  const ignore = Array.isArray(s.ignore) && s.ignore.every((x) => typeof x === 'string') ? { ignore: s.ignore as string[] } : {};
  return { source: { kind: 'file', path: s.path, label, ...ignore }, dataName: v.dataName, fileUri: v.fileUri };
}

function isPoint(v: unknown): v is EpochPoint {
  return isObject(v) && typeof v.epoch === 'number' && typeof v.cost === 'number' && typeof v.accuracy === 'number' && isNumbers(v.gradNorms);
}

/**
 * The model kept with the run, checked as a model file is (`fileName` names it in the message):
 * a model that fails is dropped with the reason, the run itself is still shown.
 */
function modelOf(v: unknown, fileName: string): { model: SavedModel | null; modelProblem?: string } {
  if (!isObject(v) || typeof v.datasetName !== 'string' || !('json' in v)) return { model: null };
  try {
    return { model: { json: parseModelFile(JSON.stringify(v.json), fileName).model, datasetName: v.datasetName } };
  } catch (e) {
    if (e instanceof ModelError) return { model: null, modelProblem: e.message };
    throw e;
  }
}

/**
 * The saved run, or null for a file that is not one (another format or version, cut short, edited):
 * such a file is ignored, never shown half. `fileName` names the file in a message about its model.
 */
export function parseSavedRun(text: string, fileName = 'the last run'): SavedRun | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(v) || v.format !== FORMAT || v.version !== VERSION) return null;
  if (v.kind === 'running') return typeof v.datasetName === 'string' ? { kind: 'running', datasetName: v.datasetName } : null;
  if (v.kind !== 'finished' || !isObject(v.state)) return null;
  const s = v.state;
  if (!isRunInfo(s.info) || !Array.isArray(s.points) || !s.points.every(isPoint) || !isObject(s.result) || s.mode !== 'finished') return null;
  const { model, modelProblem } = modelOf(v.model, `${fileName} (the last run's model)`);
  return {
    kind: 'finished',
    state: {
      info: s.info,
      points: s.points,
      snapshot: isObject(s.snapshot) ? (s.snapshot as unknown as MapSnapshot) : null,
      boundary: isObject(s.boundary) ? (s.boundary as unknown as Boundary) : null,
      mode: 'finished',
      result: s.result as unknown as RunResult,
      gradcheck: isObject(s.gradcheck) ? (s.gradcheck as unknown as GradCheckResult) : null,
    },
    model,
    origin: originOf(v.origin),
    ...(modelProblem !== undefined ? { modelProblem } : {}),
  };
}

/** What the restored panel says when the last run was cut off (by the reload, or a failure). */
export function unfinishedRunMessage(datasetName: string): string {
  return `The last run (on ${datasetName}) did not finish: the window was reloaded or the training stopped. Start it again with "Backprop Map: Train DNN".`;
}
