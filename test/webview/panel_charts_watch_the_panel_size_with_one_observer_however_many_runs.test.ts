// The charts are redrawn when the panel is resized, by one ResizeObserver: each new run (Reset,
// New seed, another Train DNN) ends the last one's instead of adding another that keeps watching
// charts no longer on the page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadSample } from '../../src/data/samples';
import { drain, launch, makeRun, openPanel } from './harness';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('five runs in a row leave one ResizeObserver watching the charts', async () => {
  const run = makeRun(loadSample('moons'), { hidden: [3], learningRate: 0.5, epochs: 30, batchSize: null, seed: 2, validationSplit: 0, standardize: true });
  await run.controller.start(run.setup(2));
  const messages = drain(run.sent);
  const p = await openPanel(browser);
  const { page } = p;
  // Counts the observers that watch something and have not been disconnected.
  await page.evaluate(() => {
    const w = window as unknown as { __watching: number; ResizeObserver: typeof ResizeObserver };
    w.__watching = 0;
    const Base = w.ResizeObserver;
    w.ResizeObserver = class extends Base {
      private watching = false;
      override observe(target: Element, options?: ResizeObserverOptions): void {
        if (!this.watching) w.__watching++;
        this.watching = true;
        super.observe(target, options);
      }
      override disconnect(): void {
        if (this.watching) w.__watching--;
        this.watching = false;
        super.disconnect();
      }
    };
  });
  for (let i = 0; i < 5; i++) {
    // The rest of the panel, charts included, is built right after the frame that paints the map.
    const before = await page.evaluate(() => document.body.dataset.mapCompleteAt ?? '');
    await p.send(...messages);
    await page.waitForFunction((b) => (document.body.dataset.mapCompleteAt ?? '') !== b && document.querySelector('.training .charts') !== null, before);
  }
  assert.equal(await page.evaluate(() => (window as unknown as { __watching: number }).__watching), 1);
  await page.context().close();
});
