// The self-contained HTML report renders a finished run offline: opened from file:// with every
// network request blocked, the map, curves, boundary and results show, KaTeX's fonts come from the
// file itself, and its own Content-Security-Policy sees no violation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { reportHtml, reportMessages } from '../../src/cli/report';
import { thinPoints } from '../../src/data/history';
import { loadSample } from '../../src/data/samples';
import type { EpochPoint } from '../../src/core/types';
import type { FromWorker } from '../../src/protocol';
import { launch, makeRun, root, screenshotPath } from './harness';

let browser: Browser;
let dir: string;
before(async () => {
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), 'bm-report-'));
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a report file with the network cut off; returns what was attempted and reported. */
async function openOffline(file: string): Promise<{ page: import('playwright-core').Page; requests: string[]; violations: () => Promise<string[]>; dialogs: string[] }> {
  const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const dialogs: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    requests.push(url);
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.addInitScript(`window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));`);
  await page.goto(`file://${file}`);
  return { page, requests, dialogs, violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations) };
}

test('the report of a finished run renders offline with the panel bundle, fonts inline, no CSP violation', async () => {
  const run = makeRun(loadSample('moons'), { hidden: [5], learningRate: 0.8, epochs: 150, batchSize: null, seed: 4, validationSplit: 0.25, standardize: true });
  const setup = run.setup(4);
  await run.controller.start(setup);
  const points = run.sent.flatMap((m: FromWorker) => (m.type === 'epochs' ? m.points : []));
  const finished = run.sent.find((m) => m.type === 'finished');
  assert.ok(finished && finished.type === 'finished');
  const messages = reportMessages({ info: setup.info, points, result: finished.result, params: setup.session.params, data: setup.session.data, gradcheck: setup.session.gradcheck() });
  const html = reportHtml(messages);
  const file = join(dir, 'run.html');
  writeFileSync(file, html);
  assert.ok(!/(src|href)="https?:/.test(html), 'no external resource');

  const { page, requests, violations, dialogs } = await openOffline(file);
  await page.waitForSelector('.term[data-term="dW1"] .katex');
  await page.waitForSelector('.results table.confusion');
  assert.equal(await page.locator('.katex-error').count(), 0);
  assert.match((await page.textContent('header .status'))!, /^finished · Epoch 150 · Cost 0\.\d+$/);
  // The live controls are not offered; exports are (made in the browser).
  assert.equal(await page.locator('button[data-action="step"]').count(), 0);
  assert.equal(await page.locator('button[data-action="exportCsv"]').count(), 1);
  // No extension host to write a script: the report has no code exports.
  assert.equal(await page.locator('button[data-action="exportNumpy"]').count(), 0);
  // The final matrices: dW[1] of the trained network, (5 × 2).
  await page.click('.term[data-term="dW1"]');
  assert.equal(await page.locator('.detail table.matrix td').count(), 10);
  // The curves and the boundary are drawn, the gradient check is shown.
  assert.equal(await page.locator('.chart canvas').count(), 4);
  assert.equal(await page.locator('.gc-table').count(), 1);
  // KaTeX's fonts were loaded from the file itself.
  await page.evaluate(() => document.fonts.ready);
  assert.ok(await page.evaluate(() => document.fonts.check('16px KaTeX_Main')), 'KaTeX_Main is available');
  assert.ok(await page.evaluate(() => Array.from(document.fonts).some((f) => f.family.replace(/"/g, '') === 'KaTeX_Math' && f.status === 'loaded')), 'KaTeX_Math loaded');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshotPath('report.png'), fullPage: true });
  // Export PNG in a browser is a download of the view.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action="exportPng"]')]);
  assert.equal(download.suggestedFilename(), 'backprop-map.png');
  const png = readFileSync((await download.path())!);
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], await page.evaluate(() => [document.documentElement.clientWidth, window.innerHeight]));
  assert.deepEqual(requests, []);
  assert.deepEqual(await violations(), []);
  assert.deepEqual(dialogs, []);
  await page.context().close();
});

test('a column or label that tries to close the data block stays data', async () => {
  const run = makeRun(loadSample('xor'), { hidden: [3], learningRate: 0.5, epochs: 5, batchSize: null, seed: 1, validationSplit: 0, standardize: true });
  const setup = run.setup(1);
  await run.controller.start(setup);
  const finished = run.sent.find((m) => m.type === 'finished');
  assert.ok(finished && finished.type === 'finished');
  const evil = '</script><script>alert(1)</script><!--';
  const info = { ...setup.info, featureNames: [evil, 'x2'], labelName: evil };
  const html = reportHtml(reportMessages({ info, points: [], result: finished.result, params: setup.session.params, data: setup.session.data }));
  const file = join(dir, 'evil.html');
  writeFileSync(file, html);
  const { page, violations, dialogs } = await openOffline(file);
  await page.waitForSelector('.term[data-term="X"]');
  await page.click('.term[data-term="X"]');
  // X is (2 × 400): a canvas heatmap with the feature names beside its rows.
  assert.equal(await page.textContent('.detail .rowlabels span'), evil);
  assert.equal(await page.locator('script').count(), 2, 'the data block and the bundle only');
  assert.deepEqual(dialogs, []);
  assert.deepEqual(await violations(), []);
  await page.context().close();
});

test('long histories are thinned evenly for the report, keeping the first and last epoch', () => {
  const points: EpochPoint[] = Array.from({ length: 100_001 }, (_, i) => ({ epoch: i + 1, cost: 1, validationCost: null, accuracy: 1, validationAccuracy: null, gradNorms: [] }));
  const thin = thinPoints(points, 20_000);
  assert.ok(thin.length <= 20_001);
  assert.equal(thin[0]!.epoch, 1);
  assert.equal(thin[thin.length - 1]!.epoch, 100_001);
  assert.equal(thin[1]!.epoch - thin[0]!.epoch, 6); // ceil(100,001 / 20,000)
});

/** The environment without a German locale (the report's language follows LC_ALL, LC_MESSAGES, LANG). */
const english = { ...process.env, LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8' };

test('`backprop-map train … --report run.html` writes a report that renders offline', async () => {
  const file = join(dir, 'cli-run.html');
  const cli = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'train', 'sample:circles', '--epochs', '120', '--hidden', '4', '--report', file], { encoding: 'utf8', cwd: dir, env: english });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /Wrote the report to .*cli-run\.html\./);
  const { page, requests, violations, dialogs } = await openOffline(file);
  await page.waitForSelector('.results table.confusion');
  assert.equal(await page.locator('.katex-error').count(), 0);
  // circles: 400 examples, the default validation split; the map's m is the training examples'.
  const m = Number(await page.evaluate(() => /m = (\d+)/.exec(document.querySelector('header .meta')!.textContent!)![1]));
  const xShape = await page.$eval('.term[data-term="X"] .shape .katex-html', (e) => e.textContent!.replace(/[\s\u200b]/g, ''));
  assert.equal(xShape, `X(nx×m)=(2×${m})`);
  const counts = await page.$$eval('table.confusion', (ts) => ts.map((t) => Array.from(t.querySelectorAll('td')).reduce((s, td) => s + Number(td.textContent), 0)));
  assert.equal(counts[0], m);
  assert.equal(counts[0]! + (counts[1] ?? 0), 400);
  assert.match((await page.textContent('header .status'))!, /^finished · Epoch 120 · Cost/);
  assert.equal(await page.locator('.chart.boundary canvas').count(), 1);
  assert.deepEqual(requests, []);
  assert.deepEqual(await violations(), []);
  assert.deepEqual(dialogs, []);
  await page.context().close();
});

test('the report is in German where the locale is German, unless --report-lang says otherwise', async () => {
  const train = (file: string, env: NodeJS.ProcessEnv, ...extra: string[]) =>
    spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'train', 'sample:xor', '--epochs', '20', '--hidden', '3', '--report', file, ...extra], { encoding: 'utf8', cwd: dir, env });
  const german = { ...english, LANG: 'de_DE.UTF-8' };
  const de = join(dir, 'de.html');
  assert.equal(train(de, german).status, 0);
  const { page, violations } = await openOffline(de);
  await page.waitForSelector('.results table.confusion');
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.deepEqual(await page.$$eval('.phases li[data-phase]', (ls) => ls.map((l) => l.textContent)), ['Vorwärtslauf', 'Rückwärtslauf', 'Gewichtsaktualisierungen']);
  assert.deepEqual(await violations(), []);
  await page.context().close();

  const en = join(dir, 'en.html');
  assert.equal(train(en, german, '--report-lang', 'en').status, 0);
  assert.match(readFileSync(en, 'utf8'), /<html lang="en">/);
  const bad = train(join(dir, 'fr.html'), english, '--report-lang', 'fr');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--report-lang must be en or de, got fr\./);
});
