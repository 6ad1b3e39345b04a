/**
 * The training worker's message stream: runs a TrainingSession in slices and posts what the panel
 * needs, throttled.
 */
import type { TrainingSession } from '../core/session';
import { randomSeed } from '../core/hyper';
import { runInSlices } from '../core/slices';
import type { EpochPoint, RunInfo, RunResult, StopReason } from '../core/types';
import type { ControlAction, FromWorker, RunMode } from '../protocol';

export interface RunIO {
  post(message: FromWorker): void;
  now(): number;
  /** Lets incoming messages (pause, stop) in between slices of work. */
  yieldToEvents(): Promise<void>;
}

export interface RunSetup {
  session: TrainingSession;
  info: RunInfo;
  /** The model file of the session's parameters, for 'finished' with this result. */
  model(session: TrainingSession, result: RunResult): unknown;
}

/** Intervals that keep the message stream at ≤ 20 messages per second in total. */
export const THROTTLE = { epochsMs: 62.5, snapshotMs: 600, boundaryMs: 600, sliceMs: 25 } as const;

/**
 * Runs a session and posts what the panel needs: epoch points batched (≤ 16 messages/s, the last
 * epoch always included), snapshots and decision boundaries throttled, the mode, and the result.
 * Never a message per epoch, never a full snapshot at epoch rate.
 */
export class RunController {
  private setup: RunSetup | null = null;
  private mode: RunMode = 'paused';
  private pending: EpochPoint[] = [];
  private lastEpochPost = -Infinity;
  private lastSnapshot = -Infinity;
  private lastBoundary = -Infinity;
  /** The setup a loop is running for; a reset's new setup gets its own loop while the old one ends. */
  private loopingFor: RunSetup | null = null;

  constructor(
    private readonly io: RunIO,
    /** A fresh session for a seed: used to reset (same seed) and for a new seed. */
    private readonly restart: (seed: number) => RunSetup,
  ) {}

  get currentMode(): RunMode {
    return this.mode;
  }

  start(setup: RunSetup, paused = false): Promise<void> {
    this.setup = setup;
    this.pending = [];
    this.lastEpochPost = this.lastSnapshot = this.lastBoundary = -Infinity;
    this.io.post({ type: 'loaded', info: setup.info });
    this.postSnapshot(true);
    this.postBoundary(true);
    if (setup.session.finished) {
      this.finish('completed', null);
      return Promise.resolve();
    }
    this.setMode(paused ? 'paused' : 'running');
    return paused ? Promise.resolve() : this.loop();
  }

  async control(action: ControlAction): Promise<void> {
    const s = this.setup;
    if (!s) return;
    switch (action) {
      case 'play':
        if (this.mode !== 'paused') return;
        this.setMode('running');
        return this.loop();
      case 'pause':
        if (this.mode !== 'running') return;
        this.setMode('paused');
        return;
      case 'step': {
        if (this.mode !== 'paused') return;
        const out = s.session.step();
        if (out.point) this.pending.push(out.point);
        this.flushEpochs();
        this.postSnapshot(true);
        if (out.diverged) this.finish('diverged', out.diverged);
        else if (s.session.finished) this.finish('completed', null);
        return;
      }
      // A paused run starts over paused (ready to step from epoch 1); otherwise it runs.
      case 'reset':
        return this.start(this.restart(s.session.hyper.seed), this.mode === 'paused');
      case 'newSeed':
        return this.start(this.restart(randomSeed()), this.mode === 'paused');
    }
  }

  gradcheck(): void {
    if (!this.setup) return;
    this.io.post({ type: 'gradcheck', result: this.setup.session.gradcheck() });
  }

  /** Ends the run now with reason 'cancelled' (the result and model of the epochs done). */
  stop(): Promise<void> {
    if (!this.setup || this.mode === 'finished') return Promise.resolve();
    this.finish('cancelled', null);
    return Promise.resolve();
  }

  private setMode(mode: RunMode): void {
    this.mode = mode;
    this.io.post({ type: 'mode', mode });
  }

  private async loop(): Promise<void> {
    const setup = this.setup!;
    if (this.loopingFor === setup) return;
    this.loopingFor = setup;
    try {
      // Slices of ~25 ms, so that pause and stop are answered quickly.
      await runInSlices({ targetMs: THROTTLE.sliceMs, now: () => this.io.now(), yieldToEvents: () => this.io.yieldToEvents(), slice: (n) => this.slice(setup, n) });
      if (this.mode === 'paused' && this.setup === setup) {
        this.flushEpochs();
        this.postSnapshot(true);
        this.postBoundary(true);
      }
    } finally {
      if (this.loopingFor === setup) this.loopingFor = null;
    }
  }

  /** Up to n epochs of a running setup, and the messages due; false when the loop is to end. */
  private slice(setup: RunSetup, n: number): boolean {
    if (this.mode !== 'running' || this.setup !== setup) return false;
    const out = setup.session.runEpochs(n, (p) => this.pending.push(p));
    if (out.reason === 'diverged' || setup.session.finished) {
      this.finish(out.reason, out.message);
      return false;
    }
    const now = this.io.now();
    if (now - this.lastEpochPost >= THROTTLE.epochsMs) this.flushEpochs();
    if (now - this.lastSnapshot >= THROTTLE.snapshotMs) this.postSnapshot(false);
    if (now - this.lastBoundary >= THROTTLE.boundaryMs) this.postBoundary(false);
    return true;
  }

  private flushEpochs(): void {
    if (this.pending.length === 0) return;
    this.io.post({ type: 'epochs', points: this.pending });
    this.pending = [];
    this.lastEpochPost = this.io.now();
  }

  private postSnapshot(force: boolean): void {
    if (!this.setup || (!force && this.io.now() - this.lastSnapshot < THROTTLE.snapshotMs)) return;
    this.io.post({ type: 'snapshot', snapshot: this.setup.session.snapshot() });
    this.lastSnapshot = this.io.now();
  }

  private postBoundary(force: boolean): void {
    if (!this.setup || (!force && this.io.now() - this.lastBoundary < THROTTLE.boundaryMs)) return;
    const b = this.setup.session.boundary();
    if (b) this.io.post({ type: 'boundary', boundary: b });
    this.lastBoundary = this.io.now();
  }

  private finish(reason: StopReason, message: string | null): void {
    const s = this.setup!;
    this.flushEpochs();
    this.postSnapshot(true);
    this.postBoundary(true);
    this.setMode('finished');
    const result = s.session.result(reason, message);
    this.io.post({ type: 'finished', result, model: s.model(s.session, result) });
  }
}

