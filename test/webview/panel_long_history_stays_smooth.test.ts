// A 100,000-epoch history arriving as the worker sends it (batched, ≤ 16 messages a second): the
// panel keeps up — every batch is taken and the charts redrawn, reduced to one min/max stroke per
// pixel column (counted, so the bound holds on any machine; the times are printed, not asserted) —
// and the hover read-out still finds any epoch.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { parseDataset } from '../../src/data/csv';
import type { EpochPoint } from '../../src/core/types';
import type { ToPanel } from '../../src/protocol';
import { drain, launch, makeRun, openPanel, root } from './harness';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('100,000 epoch points in 50 batches: every batch drawn with strokes bounded by the canvas width; hover finds the last epoch', async () => {
  const notes7 = parseDataset(readFileSync(join(root, 'test/fixtures/webview/notes7.csv'), 'utf8'), { fileName: 'notes7.csv', label: 'label' });
  const run = makeRun(notes7, { hidden: [3], learningRate: 0.1, epochs: 1, batchSize: null, seed: 1, validationSplit: 0, standardize: true });
  await run.controller.start(run.setup(1));
  const p = await openPanel(browser);
  const { page } = p;
  const first = drain(run.sent).filter((m) => m.type !== 'epochs' && m.type !== 'finished' && m.type !== 'mode');
  await p.send(...first, { type: 'mode', mode: 'running' });
  await page.waitForSelector('.chart canvas');
  // The first paint of the panel (and KaTeX's fonts) is not part of what is measured here.
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
  // A plausible cost curve: every epoch, as the worker sends them.
  const batches: ToPanel[] = [];
  for (let b = 0; b < 50; b++) {
    const points: EpochPoint[] = [];
    for (let e = b * 2000 + 1; e <= (b + 1) * 2000; e++) {
      points.push({ epoch: e, cost: 0.7 * Math.exp(-e / 20_000) + 0.02 + 0.01 * Math.sin(e), validationCost: null, accuracy: 1 - 0.5 * Math.exp(-e / 10_000), validationAccuracy: null, gradNorms: [0.1 * Math.exp(-e / 30_000), 0.05] });
    }
    batches.push({ type: 'epochs', points });
  }
  // Counts the path points the charts add (lineTo/moveTo) since the last reset.
  await page.evaluate(() => {
    const proto = CanvasRenderingContext2D.prototype;
    const w = window as unknown as { pathPoints: number };
    w.pathPoints = 0;
    for (const name of ['lineTo', 'moveTo'] as const) {
      const original = proto[name];
      proto[name] = function (this: CanvasRenderingContext2D, x: number, y: number) {
        w.pathPoints++;
        original.call(this, x, y);
      };
    }
  });
  // Each batch as the host posts it: handled and drawn on the next frame.
  const times: [number, number][] = [];
  const pathPoints: number[] = [];
  for (const b of batches) {
    await page.evaluate(() => void ((window as unknown as { pathPoints: number }).pathPoints = 0));
    times.push(
      await page.evaluate(async (m) => {
        const t0 = performance.now();
        window.postMessage(m, '*');
        await new Promise((r) => setTimeout(r, 0));
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        return [performance.now() - t0, Number(document.body.dataset.chartsMs)];
      }, b),
    );
    pathPoints.push(await page.evaluate(() => (window as unknown as { pathPoints: number }).pathPoints));
  }
  const frames = times.map(([f]) => f).sort((a, b) => a - b);
  const draws = times.map(([, d]) => d).sort((a, b) => a - b);
  const median = (xs: number[]): number => xs[Math.floor(xs.length / 2)]!;
  console.log(
    `# 100,000-epoch history in batches of 2,000: frame (message, handling, redraw, next frame) median ${median(frames).toFixed(0)} ms, slowest ${frames.at(-1)!.toFixed(0)} ms; ` +
      `redrawing the three charts median ${median(draws).toFixed(0)} ms, slowest ${draws.at(-1)!.toFixed(0)} ms (at the full 100,000 points ${times.at(-1)![1].toFixed(0)} ms)`,
  );
  // Four series (cost, accuracy, two gradient norms), at most a min/max pair per pixel column each,
  // plus grid lines; 100,000 epochs drawn point by point would be 400,000.
  const widths = await page.$$eval('.chart canvas', (cs) => cs.map((c) => (c as HTMLCanvasElement).clientWidth));
  const bound = 4 * 2 * Math.max(...widths) + 200;
  assert.ok(pathPoints.every((n) => n > 0), `a batch was not drawn: ${pathPoints.join(', ')}`);
  assert.ok(pathPoints.at(-1)! <= bound, `${pathPoints.at(-1)} path points for the 100,000-epoch charts, bound ${bound}`);
  assert.match((await page.textContent('header .status'))!, /Epoch 100000/);
  // Keyboard on the cost chart: ← from nowhere starts at the last epoch.
  await page.focus('.chart canvas');
  await page.keyboard.press('ArrowLeft');
  assert.match((await page.textContent('.chart .readout'))!, /^Epoch 100000: training 0\.0\d+$/);
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});
