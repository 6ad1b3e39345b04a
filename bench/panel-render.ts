/**
 * `npm run bench:panel`: the panel's first render of the map in Debian's Chromium (headless), the
 * real bundle under the panel's own CSP. For each network and each moment the run arrives, a fresh
 * page per sample; the figure is the time from posting the run message to the end of the frame that
 * paints the map (the panel marks it), with the median time the panel spent typesetting it.
 *
 * The map is typeset as far as it is in view in the first frame, the rest
 * right after that frame: both times are printed.
 *
 * Moments: "at once" posts the run as soon as the panel has said `ready`, nothing warmed up: Train DNN
 * opens the panel once the data is read and the host replays the run when the panel is ready, and a
 * restored panel gets its run the same way. "settled" posts it a second later: a panel already open
 * when the next run starts. "again" posts the same run a second time in that page, as Reset and New
 * seed do.
 */
import { cpus, loadavg } from 'node:os';
import { DEFAULT_HYPER } from '../src/core/hyper';
import { loadSample } from '../src/data/samples';
import type { Hyper } from '../src/core/types';
import type { ToPanel } from '../src/protocol';
import { drain, launch, makeRun, openPanel } from '../test/webview/harness';
import { median } from './lib/timing';

const SAMPLES = 9;
const BUDGET_MS = 300;

interface Sample {
  paintMs: number;
  /** Until the whole map (also the formulas out of view) was typeset. */
  completeMs: number;
  typesetMs: number;
  fonts: string;
  pendingInView: string;
}

async function runMessage(hidden: number[]): Promise<ToPanel> {
  const hyper: Hyper = { ...DEFAULT_HYPER, hidden, epochs: 1 };
  const run = makeRun(loadSample('flower'), hyper);
  await run.controller.start(run.setup(hyper.seed));
  const first = drain(run.sent)[0]!;
  if (first.type !== 'run') throw new Error(`expected the run message first, got ${first.type}`);
  return first;
}

async function main(): Promise<void> {
  console.log(`# first render of the map: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}, ${SAMPLES} pages per figure`);
  const browser = await launch();
  try {
    for (const hidden of [[6], DEFAULT_HYPER.hidden]) {
      const message = await runMessage(hidden);
      if (message.type !== 'run') continue;
      const rows: Record<string, Sample[]> = { 'at once': [], settled: [], again: [] };
      for (let i = 0; i < SAMPLES; i++) {
        for (const moment of ['at once', 'settled'] as const) {
          const p = await openPanel(browser);
          if (moment === 'settled') await p.page.waitForTimeout(1000);
          const measure = (): Promise<Sample> =>
            p.page.evaluate(async (m) => {
              delete document.body.dataset.mapPaintedAt;
              window.scrollTo(0, 0);
              const t0 = performance.now();
              window.postMessage(m, '*');
              await new Promise<void>((done) => {
                const wait = (): void => void (document.body.dataset.mapPaintedAt ? done() : setTimeout(wait, 2));
                wait();
              });
              const d = document.body.dataset;
              return { paintMs: Number(d.mapPaintedAt) - t0, completeMs: Number(d.mapCompleteAt) - t0, typesetMs: Number(d.mapRenderMs), fonts: d.mapFonts ?? '', pendingInView: d.mapPendingInView ?? '' };
            }, message);
          rows[moment]!.push(await measure());
          if (moment === 'settled') {
            await p.page.waitForTimeout(300);
            rows.again!.push(await measure());
          }
          await p.page.context().close();
        }
      }
      const terms = `[${message.info.layerDims.join(', ')}], m = ${message.info.m}`;
      for (const [moment, samples] of Object.entries(rows)) {
        const paint = median(samples.map((s) => s.paintMs));
        const fontsLate = samples.filter((s) => s.fonts !== 'loaded').length;
        const pending = samples.filter((s) => s.pendingInView !== '0').length;
        console.log(
          `${terms.padEnd(24)} ${moment.padEnd(8)} map in view on screen: median ${paint.toFixed(0).padStart(4)} ms (min ${Math.min(...samples.map((s) => s.paintMs)).toFixed(0)}, max ${Math.max(...samples.map((s) => s.paintMs)).toFixed(0)}), ` +
            `${(paint / BUDGET_MS).toFixed(2)} × the ${BUDGET_MS} ms budget; typesetting it median ${median(samples.map((s) => s.typesetMs)).toFixed(0)} ms; ` +
            `whole map typeset at median ${median(samples.map((s) => s.completeMs)).toFixed(0)} ms` +
            (fontsLate ? `; KaTeX fonts still loading at paint in ${fontsLate} of ${samples.length}` : '') +
            (pending ? `; formulas in view still waiting at paint in ${pending} of ${samples.length}` : ''),
        );
      }
    }
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
