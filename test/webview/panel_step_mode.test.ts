// Step mode in the panel (German labels, as when VS Code's display language is German): paused, each
// Step walks one phase of the notes' "Prozessablauf" — Vorwärtslauf → Rückwärtslauf →
// Gewichtsaktualisierungen — highlighting the terms computed, with values before and after.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseDataset } from '../../src/data/csv';
import type { MapSnapshot } from '../../src/core/types';
import type { ToPanel } from '../../src/protocol';
import { drain, launch, makeRun, openPanel, root, screenshotPath } from './harness';

const notes7 = parseDataset(readFileSync(join(root, 'test/fixtures/webview/notes7.csv'), 'utf8'), { fileName: 'notes7.csv', label: 'label' });

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const activeTerms = (page: Page): Promise<string[]> => page.$$eval('.term.active', (ts) => ts.map((t) => t.getAttribute('data-term')!).sort());
const activePhase = (page: Page): Promise<string | null> => page.textContent('.phases li.active');
const cellValues = (page: Page, which: string): Promise<number[]> =>
  page.$$eval(`${which} table.matrix td`, (tds) => tds.map((t) => Number(t.getAttribute('title')!.split(' = ')[1])));

test('Step walks forward → backward → update; the highlighted terms, the values before/after, and the epoch follow', async () => {
  const run = makeRun(notes7, { hidden: [3], learningRate: 0.5, epochs: 5, batchSize: null, seed: 3, validationSplit: 0, standardize: true });
  await run.controller.start(run.setup(3), true);
  const p = await openPanel(browser, { lang: 'de' });
  const { page } = p;
  await p.send(...drain(run.sent, 'de'));
  await page.waitForSelector('.map[data-typeset="all"]');
  assert.deepEqual(await page.$$eval('.phases li[data-phase]', (ls) => ls.map((l) => l.textContent)), ['Vorwärtslauf', 'Rückwärtslauf', 'Gewichtsaktualisierungen']);
  assert.equal(await page.isDisabled('button[data-action="step"]'), false);
  assert.equal(await page.isDisabled('button[data-action="play"]'), false);
  assert.equal(await page.isDisabled('button[data-action="pause"]'), true);
  assert.deepEqual([await page.textContent('button[data-action="exportNumpy"]'), await page.textContent('button[data-action="exportTorch"]')], ['Als numpy exportieren…', 'Als PyTorch exportieren…']);

  let last: MapSnapshot | null = null;
  const step = async (): Promise<void> => {
    const before = (await p.posted()).length;
    await page.click('button[data-action="step"]');
    const posted = await p.posted();
    assert.deepEqual(posted.slice(before), [{ type: 'control', action: 'step' }], 'the panel asks the host for one step');
    await run.controller.control('step');
    const ms: ToPanel[] = drain(run.sent, 'de');
    const snap = ms.find((m): m is Extract<ToPanel, { type: 'snapshot' }> => m.type === 'snapshot');
    assert.ok(snap, 'each step posts a snapshot');
    last = snap.snapshot;
    await p.send(...ms);
  };

  await page.click('.term[data-term="uW1"]'); // W[1], to watch it change in the update
  await step();
  assert.equal(last!.phase, 'forward');
  assert.equal(await activePhase(page), 'Vorwärtslauf');
  assert.deepEqual(await activeTerms(page), ['A1', 'A2', 'J', 'L', 'Z1', 'Z2']);
  // W[1] (selected) is not updated yet in this epoch.
  assert.match((await page.textContent('.detail .stale'))!, /noch nicht aktualisiert/);
  assert.match((await page.textContent('header .status'))!, /Epoche 1 · Kosten [\d.]+ · Vorwärtslauf$/);

  await step();
  assert.equal(last!.phase, 'backward');
  assert.equal(await activePhase(page), 'Rückwärtslauf');
  assert.deepEqual(await activeTerms(page), ['dA1', 'dA2', 'dW1', 'dW2', 'db1', 'db2', 'dZ1', 'dZ2'].sort());
  // The gradient shown is the notes' dW[1] = 1/m·dZ[1]·Xᵀ of the matrices shown (all 7 columns are sent).
  const s = last!;
  const { dZ, dW } = s.layers[0]!;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 4; j++) {
      let sum = 0;
      for (let k = 0; k < 7; k++) sum += dZ.data[i * 7 + k]! * s.X.data[j * 7 + k]!;
      assert.ok(Math.abs(dW.data[i * 4 + j]! - sum / 7) < 1e-12, `dW1[${i}][${j}]`);
    }
  }
  const dW1 = dW.data;
  await page.screenshot({ path: screenshotPath('step-backward-de.png'), fullPage: true });

  await step();
  assert.equal(last!.phase, 'update');
  assert.equal(await activePhase(page), 'Gewichtsaktualisierungen');
  assert.deepEqual(await activeTerms(page), ['uW1', 'uW2', 'ub1', 'ub2']);
  // W[1] before and after, side by side: after = before − α·dW[1].
  assert.deepEqual(await page.$$eval('.detail .before-after h4', (hs) => hs.map((h) => h.textContent)), ['Vorher', 'Nachher']);
  const beforeW = await cellValues(page, '.detail .before-after > div:first-child');
  const afterW = await cellValues(page, '.detail .before-after > div:last-child');
  assert.equal(beforeW.length, 12);
  afterW.forEach((w, k) => assert.ok(Math.abs(w - (beforeW[k]! - 0.5 * dW1[k]!)) < 1e-12, `W1 entry ${k}`));
  assert.ok(await page.locator('.detail .before-after td.changed').count() > 0, 'changed cells are marked');
  // Epoch 1 is complete: its point is in the history.
  assert.match((await page.textContent('header .status'))!, /Epoche 1/);
  await page.screenshot({ path: screenshotPath('step-update-de.png'), fullPage: true });

  // The next step starts epoch 2 with a forward run.
  await step();
  assert.equal(last!.epoch, 2);
  assert.equal(await activePhase(page), 'Vorwärtslauf');
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});
