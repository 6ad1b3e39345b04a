/**
 * The training worker's message stream: runs a TrainingSession in slices and posts what the panel
 * needs, throttled.
 */
import type { TrainingSession } from '../core/session';
import type { EpochPoint, RunInfo, StopReason } from '../core/types';
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
  /** The model file of the session's parameters, for 'finished'. */
  model(session: TrainingSession): unknown;
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
  private epochsPerSlice = 1;
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
    if (setup.session.finished) return this.finish('completed', null);
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
        if (out.diverged) return this.finish('diverged', out.diverged);
        if (s.session.finished) return this.finish('completed', null);
        return;
      }
      // A paused run starts over paused (ready to step from epoch 1); otherwise it runs.
      case 'reset':
        return this.start(this.restart(s.session.hyper.seed), this.mode === 'paused');
      case 'newSeed': {
        const seed = Math.floor(Math.random() * 2 ** 31);
        return this.start(this.restart(seed), this.mode === 'paused');
      }
    }
  }

  gradcheck(): void {
    if (!this.setup) return;
    this.io.post({ type: 'gradcheck', result: this.setup.session.gradcheck() });
  }

  /** Ends the run now with reason 'cancelled' (the result and model of the epochs done). */
  stop(): Promise<void> {
    if (!this.setup || this.mode === 'finished') return Promise.resolve();
    return this.finish('cancelled', null);
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
      while (this.mode === 'running' && this.setup === setup) {
        const t0 = this.io.now();
        const out = setup.session.runEpochs(this.epochsPerSlice, (p) => this.pending.push(p));
        const dt = this.io.now() - t0;
        // Aim at slices of ~25 ms, so pause and stop are answered quickly.
        const perEpoch = dt / Math.max(1, this.epochsPerSlice);
        this.epochsPerSlice = Math.max(1, Math.min(100_000, Math.round(THROTTLE.sliceMs / Math.max(perEpoch, 1e-3))));
        if (out.reason === 'diverged') return await this.finish('diverged', out.message);
        if (setup.session.finished) return await this.finish('completed', null);
        const now = this.io.now();
        if (now - this.lastEpochPost >= THROTTLE.epochsMs) this.flushEpochs();
        if (now - this.lastSnapshot >= THROTTLE.snapshotMs) this.postSnapshot(false);
        if (now - this.lastBoundary >= THROTTLE.boundaryMs) this.postBoundary(false);
        await this.io.yieldToEvents();
      }
      if (this.mode === 'paused' && this.setup === setup) {
        this.flushEpochs();
        this.postSnapshot(true);
        this.postBoundary(true);
      }
    } finally {
      if (this.loopingFor === setup) this.loopingFor = null;
    }
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

  private async finish(reason: StopReason, message: string | null): Promise<void> {
    const s = this.setup!;
    this.flushEpochs();
    this.postSnapshot(true);
    this.postBoundary(true);
    this.setMode('finished');
    this.io.post({ type: 'finished', result: s.session.result(reason, message), model: s.model(s.session) });
  }
}

