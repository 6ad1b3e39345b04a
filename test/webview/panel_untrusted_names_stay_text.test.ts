// Column names and label values come from the user's file: a column named
// `<img src=x onerror=alert(1)>` (and a label `<b onmouseover=alert(3)>yes</b>`) must show as text
// everywhere the panel shows them, and no script may run — no dialog, no extra element, no CSP report.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { parseDataset } from '../../src/data/csv';
import { drain, launch, makeRun, openPanel, root } from './harness';

const EVIL_COLUMN = '<img src=x onerror=alert(1)>';
const EVIL_SECOND = '<script>alert(2)</script>';
const EVIL_LABEL = '<b onmouseover=alert(3)>yes</b>';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('hostile column names and label values render as text and run nothing', async () => {
  const ds = parseDataset(readFileSync(join(root, 'test/fixtures/webview/evil-columns.csv'), 'utf8'), { fileName: '<i onmouseover=alert(4)>evil.csv', label: 'label' });
  assert.deepEqual(ds.featureNames, [EVIL_COLUMN, EVIL_SECOND]);
  assert.ok(ds.labels['0'] === EVIL_LABEL || ds.labels['1'] === EVIL_LABEL);
  const run = makeRun(ds, { hidden: [3], learningRate: 0.3, epochs: 20, batchSize: null, seed: 1, validationSplit: 0, standardize: true });
  await run.controller.start(run.setup(1));
  const p = await openPanel(browser);
  const { page } = p;
  await p.send(...drain(run.sent));
  await page.waitForSelector('.term[data-term="X"]');
  await page.click('.term[data-term="X"]');
  await page.waitForSelector('.detail th.rowlabel');

  // Shown as the literal strings: the X matrix's row labels, the header, the boundary's axes and legend, the confusion matrix.
  assert.deepEqual(await page.$$eval('.detail th.rowlabel', (ths) => ths.map((t) => t.textContent)), [EVIL_COLUMN, EVIL_SECOND]);
  const header = await page.textContent('header');
  assert.ok(header!.includes('<i onmouseover=alert(4)>evil.csv'), header!);
  assert.ok(header!.includes(EVIL_LABEL), header!);
  assert.ok((await page.textContent('.chart.boundary'))!.includes(EVIL_COLUMN));
  assert.ok((await page.textContent('.chart.boundary .legend'))!.includes(EVIL_LABEL));
  assert.ok((await page.textContent('table.confusion'))!.includes(EVIL_LABEL));
  // Hover over everything that could carry an onmouseover.
  for (const sel of ['header', '.chart.boundary .legend', 'table.confusion', '.detail th.rowlabel']) await page.hover(sel);

  // Nothing was interpreted: no such elements exist, no dialog opened, the CSP saw nothing to block.
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.locator('main b, header b, main i, header i').count(), 0);
  assert.equal(await page.locator('script').count(), 1, 'only the panel\'s own script element');
  await page.waitForTimeout(200);
  assert.deepEqual(p.dialogs, []);
  assert.deepEqual(await p.violations(), []);
  assert.deepEqual(p.blocked, [], 'no request to x or anywhere else');
  await page.context().close();
});
