/**
 * Long work in slices of about `targetMs`, between which the caller's events get their turn (Ctrl-C
 * on the command line, pause and stop in the worker): the size of the next slice follows from how
 * long the last one took. The one loop of `backprop-map train` and of the worker's run. No timers of
 * its own: the caller gives the clock and the way to yield.
 */
export interface SliceLoop {
  targetMs: number;
  now(): number;
  yieldToEvents(): Promise<void>;
  /** Does up to `n` units of work (epochs); false ends the loop. */
  slice(n: number): boolean;
}

/** The largest slice: a run of tiny epochs still answers within a slice of these. */
const MAX_SLICE = 100_000;

/** The next slice's size: as many units as fit in targetMs at the last slice's speed, at most 4 times as many. */
export function nextSliceSize(n: number, elapsedMs: number, targetMs: number): number {
  return Math.max(1, Math.min(4 * n, MAX_SLICE, Math.round((n * targetMs) / Math.max(elapsedMs, 1e-3))));
}

export async function runInSlices(loop: SliceLoop): Promise<void> {
  for (let n = 1; ; ) {
    const t0 = loop.now();
    if (!loop.slice(n)) return;
    n = nextSliceSize(n, loop.now() - t0, loop.targetMs);
    await loop.yieldToEvents();
  }
}
