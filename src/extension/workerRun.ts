// One run in the training worker thread: the worker's life (started, asked to stop, ended), the
// run's state as the worker reports it, and how the run ended. No `vscode` here: the extension's
// Training shows what a WorkerRun reports (the panel, progress, status bar, messages), and node:test
// drives a WorkerRun with the real worker.
import { Worker } from 'node:worker_threads';
import type { Hyper, RunInfo, RunResult } from '../core/types';
import type { DataErrorInfo, DataSource } from '../data/types';
import type { FromWorker, ToWorker } from '../protocol';
import type { RunState } from './lastRun';

/** How a run ended: what `backpropMap.train` resolves to. */
export type TrainOutcome =
  | { kind: 'finished'; info: RunInfo; result: RunResult }
  | { kind: 'dataError'; error: DataErrorInfo }
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled' };

/** When the worker does not confirm a stop, it is terminated after this long. */
const STOP_GRACE_MS = 3000;

export interface WorkerRunOptions {
  /** dist/trainWorker.js */
  workerPath: string;
  source: DataSource;
  hyper: Hyper;
  /** Each message of the worker, after the run's state has taken it in. */
  onMessage(m: FromWorker): void;
  /** The worker is gone or going: the run takes no more controls. */
  onEnd(): void;
  log: { error(message: string): void };
}

export class WorkerRun {
  /** The run as the worker reported it so far; undefined until the data are loaded. */
  state: RunState | undefined;
  /** The model file the worker finished with. */
  model: unknown;
  /** Settles once, when the run finishes, fails, is cancelled or its worker ends. */
  readonly outcome: Promise<TrainOutcome>;
  /** Resolves when the worker thread has exited. */
  readonly exited: Promise<void>;

  private readonly worker: Worker;
  private live = true;
  private settled = false;
  private settle!: (o: TrainOutcome) => void;

  constructor(private readonly o: WorkerRunOptions) {
    this.outcome = new Promise<TrainOutcome>((resolve) => {
      this.settle = (outcome) => {
        if (this.settled) return;
        this.settled = true;
        resolve(outcome);
      };
    });
    this.worker = new Worker(o.workerPath);
    this.exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (m: FromWorker) => {
      if (this.live) this.receive(m);
    });
    this.worker.on('error', (e) => {
      o.log.error(`training worker: ${e.stack ?? e.message}`);
      this.end();
      this.settle({ kind: 'failed', message: e.message });
    });
    this.worker.on('exit', (code) => {
      this.end();
      if (!this.settled) o.log.error(`the training worker stopped unexpectedly (exit code ${code}).`);
      this.settle(this.state?.result ? { kind: 'finished', info: this.state.info, result: this.state.result } : { kind: 'cancelled' });
    });
    this.post({ type: 'start', source: o.source, hyper: o.hyper });
  }

  /** The worker still takes controls: it has not finished, failed or been stopped. */
  get active(): boolean {
    return this.live;
  }

  post(m: ToWorker): void {
    if (this.live) this.worker.postMessage(m);
  }

  /**
   * Asks the worker to stop and ends the run here: its later messages are not taken in (a new run
   * replaces it). Resolves when the worker has exited.
   */
  close(): Promise<void> {
    this.post({ type: 'stop' });
    this.end();
    return this.exited;
  }

  /** Ends the run at once: the worker is terminated, the outcome (if still open) is 'cancelled'. */
  dispose(): void {
    this.live = false;
    void this.worker.terminate();
    this.settle({ kind: 'cancelled' });
  }

  /** No more controls or messages; the worker is terminated unless it exits by itself first. */
  private end(): void {
    if (!this.live) return;
    this.live = false;
    setTimeout(() => void this.worker.terminate(), STOP_GRACE_MS).unref();
    this.o.onEnd();
  }

  private receive(m: FromWorker): void {
    const s = this.state;
    switch (m.type) {
      case 'loaded':
        this.state = { info: m.info, points: [], snapshot: null, boundary: null, mode: 'running', result: null, gradcheck: null };
        break;
      case 'epochs':
        s?.points.push(...m.points);
        break;
      case 'snapshot':
        if (s) s.snapshot = m.snapshot;
        break;
      case 'boundary':
        if (s) s.boundary = m.boundary;
        break;
      case 'mode':
        if (s) {
          s.mode = m.mode;
          if (m.mode !== 'finished') s.result = null;
        }
        break;
      case 'gradcheck':
        if (s) s.gradcheck = m.result;
        break;
      case 'finished':
        if (s) {
          s.result = m.result;
          s.mode = 'finished';
        }
        this.model = m.model;
        break;
      case 'dataError':
      case 'error':
        break;
    }
    this.o.onMessage(m);
    if (m.type === 'finished' && s) this.settle({ kind: 'finished', info: s.info, result: m.result });
    if (m.type === 'dataError' || (m.type === 'error' && !this.settled)) {
      this.end();
      this.settle(m.type === 'dataError' ? { kind: 'dataError', error: m.error } : { kind: 'failed', message: m.message });
    }
  }
}
