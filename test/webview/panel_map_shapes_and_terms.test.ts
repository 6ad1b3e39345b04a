// The panel in Chromium, fed a real run of the notes' network (n_x = 4, n_h = 3, m = 7): the map
// renders without a KaTeX error, the shapes it shows are the notes' ones, clicking a term shows
// its matrix, and nothing violates the Content-Security-Policy.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { parseDataset } from '../../src/data/csv';
import type { MapSnapshot } from '../../src/core/types';
import type { ToPanel } from '../../src/protocol';
import { drain, launch, makeRun, openPanel, root, screenshotPath, texText, type PanelPage } from './harness';

const notes7 = parseDataset(readFileSync(join(root, 'test/fixtures/webview/notes7.csv'), 'utf8'), { fileName: 'notes7.csv', label: 'label' });

let browser: Browser;
let messages: ToPanel[];
before(async () => {
  browser = await launch();
  const run = makeRun(notes7, { hidden: [3], learningRate: 0.5, epochs: 30, batchSize: null, seed: 7, validationSplit: 0, standardize: true });
  await run.controller.start(run.setup(7));
  messages = drain(run.sent);
});
after(async () => {
  await browser?.close();
});

const lastSnapshot = (): MapSnapshot => [...messages].reverse().find((m): m is Extract<ToPanel, { type: 'snapshot' }> => m.type === 'snapshot')!.snapshot;

/** A page showing a run (by default the notes' network), once the whole map is typeset. */
async function shownRun(shown: ToPanel[] = messages, view: { width?: number; height?: number } = {}): Promise<PanelPage> {
  const p = await openPanel(browser, view);
  await p.send(...shown);
  await p.page.waitForSelector('.map[data-typeset="all"]');
  return p;
}

/** The messages of a short run on the notes' data with these hidden layers. */
async function notes7Run(hidden: number[]): Promise<ToPanel[]> {
  const run = makeRun(notes7, { hidden, learningRate: 0.3, epochs: 3, batchSize: null, seed: 2, validationSplit: 0, standardize: true });
  await run.controller.start(run.setup(2));
  return drain(run.sent);
}

test('the map renders every term without a KaTeX error, with the notes\' shapes in symbols and numbers', async () => {
  const p = await shownRun();
  const { page } = p;
  assert.equal(await page.locator('.katex-error').count(), 0);
  assert.ok((await page.locator('.term .katex').count()) > 20, 'the terms are typeset');
  // Expected shapes as the notes write them for X (4 × 7) and n_h = 3.
  const shapes: Record<string, string> = {
    X: 'X(nx×m)=(4×7)',
    Z1: 'Z[1](nh×m)=(3×7)',
    A2: 'A[2](1×m)=(1×7)',
    dW1: 'dW[1](nh×nx)=(3×4)',
    db1: 'db[1](nh×1)=(3×1)',
    dA1: 'dA[1](nh×m)=(3×7)',
    dW2: 'dW[2](1×nh)=(1×3)',
    db2: 'db[2](1×1)=(1×1)',
  };
  for (const [id, want] of Object.entries(shapes)) {
    assert.equal(await texText(page, `.term[data-term="${id}"] .shape`), want, `shape of ${id}`);
  }
  // The products in numbers, e.g. the notes' dA[1]: (3 × 7) = (3 × 1)·(1 × 7).
  assert.equal(await texText(page, '.term[data-term="dA1"] .product'), '(3×7)=(3×1)⋅(1×7)');
  assert.equal(await texText(page, '.term[data-term="dW2"] .product'), '(1×3)=(1×7)⋅(7×3)');
  assert.equal(await texText(page, '.term[data-term="dW1"] .product'), '(3×4)=(3×7)⋅(7×4)');
  // Z[1] = W[1]·X + b[1], with b's (3 × 1) broadcast over the 7 columns.
  assert.equal(await texText(page, '.term[data-term="Z1"] .product:not(.broadcast)'), '(3×7)=(3×4)⋅(4×7)+(3×1)');
  assert.equal(await texText(page, '.term[data-term="Z1"] .broadcast'), 'b[1](3×1)broadcasting(3×7)');
  // The three phases of the notes' "Prozessablauf", and J of the last snapshot.
  assert.deepEqual(await page.$$eval('.phases li[data-phase]', (ls) => ls.map((l) => l.textContent)), ['Forward run', 'Backward run', 'Weight updates']);
  const cost = lastSnapshot().cost;
  assert.equal(await page.textContent('.term[data-term="J"] .value'), `J = ${Number(cost.toPrecision(6))}`);
  assert.deepEqual(await p.violations(), []);
  assert.deepEqual(p.blocked, []);
  await page.context().close();
});

test('clicking a term shows its matrix with the run\'s values, and the neighbours it is computed from', async () => {
  const p = await shownRun();
  const { page } = p;
  const snap = lastSnapshot();
  await page.click('.term[data-term="dW1"]');
  await page.waitForSelector('.detail[data-term="dW1"] table.matrix');
  const cells = await page.$$eval('.detail table.matrix tr', (rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => td.getAttribute('title'))));
  const dW1 = snap.layers[0]!.dW;
  assert.equal(cells.length, 3);
  assert.equal(cells[0]!.length, 4);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) assert.equal(cells[i]![j], `(${i + 1}, ${j + 1}) = ${dW1.data[i * 4 + j]}`);
  assert.equal(await page.getAttribute('.term[data-term="dW1"]', 'aria-pressed'), 'true');
  // dW[1] = 1/m·dZ[1]·Xᵀ: its neighbours are dZ[1] and X; following one shows that matrix.
  const neighbours = await page.$$eval('.detail .chips button', (bs) => bs.map((b) => b.getAttribute('data-goto')));
  assert.deepEqual(neighbours, ['dZ1', 'X']);
  await page.click('.detail .chips button[data-goto="X"]');
  await page.waitForSelector('.detail[data-term="X"] table.matrix');
  assert.deepEqual(await page.$$eval('.detail th.rowlabel', (ths) => ths.map((t) => t.textContent)), ['x1', 'x2', 'x3', 'x4']);
  // Keyboard: focus a term and press Enter.
  await page.focus('.term[data-term="db2"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.detail[data-term="db2"] table.matrix td');
  assert.equal(await page.getAttribute('.detail table.matrix td', 'title'), `(1, 1) = ${snap.layers[1]!.db.data[0]}`);
  // The ReLU example on the run's values: the mask is 1 exactly where Z > 0.
  const z = await page.$$eval('.relu-cell[data-goto="Z1"] td', (tds) => tds.map((t) => Number(t.getAttribute('title')!.split(' = ')[1])));
  const mask = await page.$$eval('.relu-cell[data-goto="mask1"] td', (tds) => tds.map((t) => Number(t.textContent)));
  assert.equal(z.length, 18); // 3 rows × the first 6 of 7 columns
  assert.deepEqual(mask, z.map((v) => (v > 0 ? 1 : 0)));
  await page.screenshot({ path: screenshotPath('detail-dW1.png'), fullPage: true });
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});

test('a deeper network: the map has every layer, with the notes\' n_h1, n_h2 for the hidden sizes', async () => {
  const p = await shownRun(await notes7Run([5, 3]));
  const { page } = p;
  assert.equal(await page.locator('.katex-error').count(), 0);
  // [4, 5, 3, 1]: three layers forward, three backward, six updates.
  assert.deepEqual(await page.$$eval('.col-backward .term', (ts) => ts.map((t) => t.getAttribute('data-term'))), ['dA3', 'dZ3', 'dW3', 'db3', 'dA2', 'dZ2', 'dW2', 'db2', 'dA1', 'dZ1', 'dW1', 'db1']);
  assert.equal(await texText(page, '.term[data-term="dW1"] .shape'), 'dW[1](nh1×nx)=(5×4)');
  assert.equal(await texText(page, '.term[data-term="dW2"] .shape'), 'dW[2](nh2×nh1)=(3×5)');
  assert.equal(await texText(page, '.term[data-term="dW3"] .shape'), 'dW[3](1×nh2)=(1×3)');
  assert.equal(await texText(page, '.term[data-term="dA1"] .product'), '(5×7)=(5×3)⋅(3×7)');
  assert.equal(await texText(page, '.term[data-term="dA2"] .product'), '(3×7)=(3×1)⋅(1×7)');
  // Both hidden layers can be shown in the ReLU example.
  assert.deepEqual(await page.$$eval('.relu select option', (os) => os.map((o) => o.textContent)), ['Layer 1', 'Layer 2']);
  await page.selectOption('.relu select', '2');
  await page.waitForSelector('.relu-cell[data-goto="mask2"]');
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});

test('no hidden layer (logistic regression): the map is the output layer alone', async () => {
  const p = await shownRun(await notes7Run([]));
  const { page } = p;
  assert.equal(await page.locator('.katex-error').count(), 0);
  assert.deepEqual(await page.$$eval('.col-backward .term', (ts) => ts.map((t) => t.getAttribute('data-term'))), ['dA1', 'dZ1', 'dW1', 'db1']);
  assert.equal(await texText(page, '.term[data-term="dW1"] .shape'), 'dW[1](1×nx)=(1×4)');
  assert.equal(await texText(page, '.term[data-term="A1"] .tex'), 'A[1]=σ(Z[1])=y^');
  assert.equal(await page.locator('.relu-cell').count(), 0, 'no ReLU layer to show');
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});

test('a map longer than the view: the first frame typesets the formulas in view, the rest follows right after', async () => {
  const p = await shownRun(await notes7Run([5, 3]), { width: 1000, height: 600 });
  const { page } = p;
  const d = await page.evaluate(() => ({ ...document.body.dataset }));
  // At the first paint: nothing in view waited, and some formulas out of view did.
  assert.equal(d.mapPendingInView, '0');
  assert.ok(Number(d.mapPending) > 5, `${d.mapPending} formulas left for after the first frame`);
  // Afterwards every term is typeset, without an error, and holds no estimated height any more.
  assert.equal(await page.locator('.map .term:not(:has(.tex .katex))').count(), 0);
  assert.equal(await page.locator('.map .stacked .katex').count(), 1);
  assert.equal(await page.locator('.katex-error').count(), 0);
  assert.deepEqual(await page.$$eval('.map .term, .map .stacked', (es) => es.filter((e) => (e as HTMLElement).style.minHeight !== '').length), 0);
  assert.equal(await texText(page, '.term[data-term="uW1"] .shape'), 'W[1](nh1×nx)=(5×4)');
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});
