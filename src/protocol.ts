/**
 * The messages that cross a process or thread boundary, as discriminated unions on `type`:
 * extension host ⇄ backprop-map webview, and extension host ⇄ training worker.
 * Everything here must survive structured cloning / JSON (no classes, no typed arrays).
 */
import type { Boundary, EpochPoint, GradCheckResult, Hyper, MapSnapshot, RunInfo, RunResult } from './core/types';
import type { DataErrorInfo, DataSource } from './data/types';
import type { ExerciseMark } from './exercise/marks';
import type { Locale } from './shared/locale';

export type RunMode = 'running' | 'paused' | 'finished';

// ---------------------------------------------------------------- host → webview

export type ToPanel =
  | { type: 'run'; info: RunInfo; locale: Locale }
  | { type: 'epochs'; points: EpochPoint[] }
  | { type: 'snapshot'; snapshot: MapSnapshot }
  | { type: 'boundary'; boundary: Boundary }
  | { type: 'mode'; mode: RunMode }
  | { type: 'finished'; result: RunResult }
  | { type: 'gradcheck'; result: GradCheckResult }
  | { type: 'error'; message: string }
  /** Information, not a fault (e.g. why a restored panel shows no run). */
  | { type: 'notice'; message: string }
  /** The latest check of the exercise file (its name, not its path): which terms are right, wrong, not written yet. */
  | { type: 'exercise'; file: string; marks: ExerciseMark[] };

// ---------------------------------------------------------------- webview → host

export type ControlAction = 'play' | 'pause' | 'step' | 'reset' | 'newSeed';

export type FromPanel =
  | { type: 'ready' }
  | { type: 'control'; action: ControlAction }
  | { type: 'gradcheck' }
  | { type: 'export'; format: 'csv' | 'json' }
  | { type: 'exportPng'; dataUrl: string }
  | { type: 'writeExercise' }
  | { type: 'exportScript'; kind: 'numpy' | 'torch' };

// ---------------------------------------------------------------- host → training worker

export type ToWorker =
  | { type: 'start'; source: DataSource; hyper: Hyper; initModel?: unknown }
  | { type: 'control'; action: ControlAction }
  | { type: 'gradcheck' }
  | { type: 'stop' };

// ---------------------------------------------------------------- training worker → host

export type FromWorker =
  | { type: 'loaded'; info: RunInfo }
  | { type: 'dataError'; error: DataErrorInfo }
  | { type: 'epochs'; points: EpochPoint[] }
  | { type: 'snapshot'; snapshot: MapSnapshot }
  | { type: 'boundary'; boundary: Boundary }
  | { type: 'mode'; mode: RunMode }
  /** `model` is the JSON model file (see src/core/model.ts) of the parameters at the end. */
  | { type: 'finished'; result: RunResult; model: unknown }
  | { type: 'gradcheck'; result: GradCheckResult }
  | { type: 'error'; message: string };
