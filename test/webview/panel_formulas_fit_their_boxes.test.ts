// Every formula of the map fits its box at any panel width: long sides break where the map allows
// (at `=`, and at the marked places of np.sum(…) and the broadcast sum), never cut off or scrolled.
// The widths include the narrowest two-column layout (just above the 720 px breakpoint).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadSample } from '../../src/data/samples';
import type { ToPanel } from '../../src/protocol';
import { drain, launch, makeRun, openPanel } from './harness';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function runMessages(sample: string, hidden: number[]): Promise<ToPanel[]> {
  const run = makeRun(loadSample(sample), { hidden, learningRate: 0.1, epochs: 3, batchSize: null, seed: 1, validationSplit: 0.2, standardize: true });
  await run.controller.start(run.setup(1));
  return drain(run.sent);
}

for (const [sample, hidden] of [['flower', [16, 8]], ['banknote', [128, 64, 32]]] as const) {
  test(`${sample} [${hidden.join(', ')}]: no formula of the map is wider than its box, from 340 to 1600 px`, async () => {
    const messages = await runMessages(sample, [...hidden]);
    const p = await openPanel(browser, { width: 1600 });
    await p.send(...messages);
    await p.page.waitForSelector('.results table.confusion');
    for (const width of [1600, 1280, 1024, 900, 820, 780, 740, 560, 380, 340]) {
      await p.page.setViewportSize({ width, height: 900 });
      const { boxes, wider } = await p.page.evaluate(async () => {
        await new Promise((r) => requestAnimationFrame(r));
        const all = [...document.querySelectorAll<HTMLElement>('.map .term > div, .map .stacked')];
        const over = all.filter((e) => e.scrollWidth > e.clientWidth + 1);
        return { boxes: all.length, wider: over.map((e) => `${e.closest<HTMLElement>('.term')?.dataset.term ?? 'stacked'} ${e.className}: ${e.scrollWidth} > ${e.clientWidth} px`) };
      });
      assert.ok(boxes > 40, `${boxes} formula boxes`);
      assert.deepEqual(wider, [], `at ${width} px`);
    }
    await p.page.context().close();
  });
}
