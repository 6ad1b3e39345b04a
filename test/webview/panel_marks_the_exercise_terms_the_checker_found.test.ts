// The panel in Chromium, given the checker's result for an exercise file: the map's terms carry
// right / wrong / missing, a line sums them up, the marks stay through a new run message, and the
// toolbar's button asks the host for an exercise.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { parseDataset } from '../../src/data/csv';
import { exercisePython } from '../../src/exercise/exercise';
import { exerciseMarks } from '../../src/exercise/marks';
import type { ToPanel } from '../../src/protocol';
import { checkText, fillIn } from '../exercise/exerciseSupport';
import { drain, launch, makeRun, openPanel, root, screenshotPath } from './harness';

const notes7 = parseDataset(readFileSync(join(root, 'test/fixtures/webview/notes7.csv'), 'utf8'), { fileName: 'notes7.csv', label: 'label' });

let browser: Browser;
let run: ToPanel[];
before(async () => {
  browser = await launch();
  const r = makeRun(notes7, { hidden: [5, 3], learningRate: 0.3, epochs: 3, batchSize: null, seed: 2, validationSplit: 0, standardize: true });
  await r.controller.start(r.setup(2));
  run = drain(r.sent);
});
after(async () => {
  await browser?.close();
});

async function exerciseMessage(fill: (term: string) => boolean, edit: (text: string) => string = (t) => t): Promise<ToPanel> {
  const text = exercisePython({ layerDims: [4, 5, 3, 1], lang: 'en' }, 'mine.py');
  const { result } = await checkText(edit(fillIn(text, 3, fill)));
  return { type: 'exercise', file: 'mine.py', marks: exerciseMarks(result) };
}

const marksOnPage = (page: import('playwright-core').Page) =>
  page.$$eval('.term[data-exercise]', (ts) => Object.fromEntries(ts.map((t) => [t.getAttribute('data-term'), t.getAttribute('data-exercise')])));

test('half written with dW2 wrong: the map marks each checked term, the rest stays unmarked', async () => {
  const written = new Set(['dZ3', 'dW3', 'db3', 'dA2', 'dZ2', 'dW2', 'db2']);
  const message = await exerciseMessage((t) => written.has(t), (t) => t.replace('dW2 = 1 / m * np.dot', 'dW2 = np.dot'));
  const p = await openPanel(browser);
  const { page } = p;
  await p.send(...run, message);
  await page.waitForSelector('.map[data-typeset="all"]');
  assert.deepEqual(await marksOnPage(page), {
    dZ3: 'right', dW3: 'right', db3: 'right',
    dW2: 'wrong', db2: 'right',
    dA1: 'missing', dZ1: 'missing', dW1: 'missing', db1: 'missing',
  });
  assert.equal(await page.textContent('.exercise-summary'), 'Your backward pass (mine.py): 4 right, 1 wrong, 4 not written yet');
  // The marks are seen, not only set: a wrong term's border is the error colour, a right one's another.
  const border = (id: string) => page.$eval(`.term[data-term="${id}"]`, (e) => getComputedStyle(e).borderLeftColor);
  assert.notEqual(await border('dW2'), await border('db2'));
  assert.notEqual(await border('dW2'), await border('Z1'));
  await page.screenshot({ path: screenshotPath('exercise-marks.png'), fullPage: true });

  // A new run message (Reset) draws the map again: the marks come back with it.
  await p.send(...run);
  await page.waitForSelector('.map[data-typeset="all"]');
  assert.equal(Object.keys(await marksOnPage(page)).length, 9);

  // Written in as the notes say, the next check turns every term of the backward run right.
  await p.send(await exerciseMessage(() => true));
  const marks = await marksOnPage(page);
  assert.equal(Object.keys(marks).length, 11);
  assert.ok(Object.values(marks).every((s) => s === 'right'));
  assert.equal(await page.textContent('.exercise-summary'), 'Your backward pass (mine.py): 11 right, 0 wrong, 0 not written yet');
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});

test('the toolbar button asks the host to write an exercise; German labels with a German run', async () => {
  const p = await openPanel(browser, { lang: 'de' });
  const { page } = p;
  await p.send(...run.map((m) => (m.type === 'run' ? { ...m, locale: 'de' as const } : m)), await exerciseMessage(() => false));
  await page.click('button[data-action="writeExercise"]');
  assert.deepEqual((await p.posted()).filter((m) => m.type === 'writeExercise'), [{ type: 'writeExercise' }]);
  assert.equal(await page.textContent('button[data-action="writeExercise"]'), 'Rückwärtsrechnung selbst schreiben');
  assert.equal(await page.textContent('.exercise-summary'), 'Deine Rückwärtsrechnung (mine.py): 0 richtig, 0 falsch, 11 noch nicht geschrieben');
  await page.context().close();
});
