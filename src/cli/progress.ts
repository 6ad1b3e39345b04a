import type { EpochPoint } from '../core/types';
import { clock, fmt } from './format';

/**
 * A one-line progress bar on a terminal: epoch, bar, cost, time left. Redrawn at most ten
 * times a second; the last state is drawn by finish(), which then clears the line.
 */
export class ProgressBar {
  private readonly started: number;
  // -Infinity, not 0: performance.now() counts from process start, so the first update of a
  // young process would otherwise fall inside the 100 ms throttle and not be drawn.
  private lastDraw = -Infinity;
  private last: EpochPoint | null = null;

  constructor(
    private readonly stream: NodeJS.WritableStream & { columns?: number },
    private readonly firstEpoch: number,
    private readonly lastEpoch: number,
    /** Milliseconds; tests pass their own clock. */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  update(point: EpochPoint): void {
    this.last = point;
    const now = this.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.draw(point, now);
  }

  /** A message above the bar (e.g. after Ctrl-C); the bar is drawn again below it. */
  note(text: string): void {
    this.stream.write(`\r\x1b[2K${text}\n`);
    if (this.last) this.draw(this.last, this.now());
  }

  finish(): void {
    this.stream.write('\r\x1b[2K');
  }

  private draw(p: EpochPoint, now: number): void {
    const total = this.lastEpoch - this.firstEpoch;
    const done = p.epoch - this.firstEpoch;
    const fraction = total > 0 ? done / total : 1;
    const seconds = (now - this.started) / 1000;
    const left = done > 0 ? (seconds / done) * (total - done) : NaN;
    const width = String(this.lastEpoch).length;
    const head = `epoch ${String(p.epoch).padStart(width)}/${this.lastEpoch} `;
    const validation = p.validationCost === null ? '' : `  val ${fmt(p.validationCost)}`;
    const tail = ` ${String(Math.floor(fraction * 100)).padStart(3)}%  cost ${fmt(p.cost)}${validation}  ${Number.isFinite(left) ? `${clock(left)} left` : ''}`;
    // A pseudo-terminal without a size reports 0 columns.
    const columns = this.stream.columns || 80;
    const barWidth = Math.min(40, columns - head.length - tail.length - 1);
    const filled = Math.round(fraction * Math.max(0, barWidth));
    // On a narrow terminal the bar goes first, the numbers stay.
    const bar = barWidth >= 5 ? `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}` : '';
    const line = `${head}${bar}${tail}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
  }
}

/**
 * "Loading FILE …" on a terminal while a data file is read and parsed (seconds for a large one);
 * the returned function clears the line, and does nothing when called again.
 */
export function showLoading(stream: NodeJS.WritableStream, file: string): () => void {
  stream.write(`Loading ${file} …`);
  let shown = true;
  return () => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
}

/**
 * `--json` epoch lines: every epoch for runs up to 1000 epochs, else every k-th epoch so that
 * about 1000 lines are written; the first and the last epoch of the run are always written.
 */
export class EpochLines {
  private readonly every: number;
  private pending: EpochPoint | null = null;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly firstEpoch: number,
    epochs: number,
  ) {
    this.every = Math.max(1, Math.ceil(epochs / 1000));
  }

  point(p: EpochPoint): void {
    const k = p.epoch - this.firstEpoch;
    if (k === 1 || k % this.every === 0) {
      this.write(p);
      this.pending = null;
    } else {
      this.pending = p;
    }
  }

  /** Writes the run's last epoch if the throttling skipped it. */
  finish(): void {
    if (this.pending) this.write(this.pending);
    this.pending = null;
  }

  private write(p: EpochPoint): void {
    this.out.write(`${JSON.stringify(p)}\n`);
  }
}
