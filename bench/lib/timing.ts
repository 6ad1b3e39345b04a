/**
 * Time per epoch as the benchmark reports it, measured the same way as bench/reference.py:
 * samples of k epochs (k such that a sample takes at least 2 ms, so the clock's resolution does not
 * matter), after a warm-up; the median of the samples' mean time per epoch.
 */
export interface Timing {
  msPerEpoch: number;
  samples: number;
  epochsPerSample: number;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/** The median of the figures (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The shortest warm-up, in seconds (bench/reference.py warms up as long). */
export const WARM_UP_SECONDS = 0.5;

/**
 * `run(k)` runs k epochs. Warm-up first (at least 3 epochs and WARM_UP_SECONDS), then k from one
 * warm epoch, as bench/reference.py does: the first epochs pay for V8's optimising and, in the fast
 * engine, for starting its second thread (about 100 ms), which are not the time per epoch. Stops
 * after `seconds` once `minSamples` samples are in (at most 101); an epoch of a second or more gets
 * one warm-up epoch and two samples, so that the slowest engines on W4 do not take many minutes.
 */
export function medianEpochMs(run: (k: number) => void, seconds: number, minSamples: number): Timing {
  const warmStart = now();
  run(1);
  const first = now() - warmStart;
  for (let warm = 1; first < 1000 && (warm < 3 || now() - warmStart < WARM_UP_SECONDS * 1000); warm++) run(1);
  let t = now();
  run(1);
  const one = Math.max(now() - t, 1e-6);
  const k = Math.max(1, Math.floor(2 / one));
  const samples: number[] = [];
  const needed = one >= 1000 ? Math.min(2, minSamples) : minSamples;
  const start = now();
  while (samples.length < needed || (now() - start < seconds * 1000 && samples.length < 101)) {
    t = now();
    run(k);
    samples.push((now() - t) / k);
  }
  return { msPerEpoch: median(samples), samples: samples.length, epochsPerSample: k };
}
