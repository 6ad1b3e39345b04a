// End-to-end UI tests: a user's steps in the workbench through the command palette, quick picks,
// the panel and the Problems view. Screenshots go to .test-artifacts/vscode/ (git-ignored).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, watch, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { artifacts, openWorkbench, type Session } from './harness';

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

/** Runs `steps` on a fresh workbench window; on failure a screenshot shows where it stood. */
async function inWorkbench(s: Session, folder: string, name: string, steps: (page: Page) => Promise<void>, beforeReady?: (page: Page) => Promise<void>): Promise<void> {
  const { page } = await openWorkbench(s, folder);
  try {
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    await beforeReady?.(page);
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    await steps(page);
  } catch (e) {
    await shot(page, `${name}-failed`).catch(() => {});
    throw e;
  } finally {
    await page.close();
  }
}

const quickInput = (page: Page) => page.locator('.quick-input-widget');

/** Types into the open quick input and accepts the first row that shows `text`. */
async function pick(page: Page, filter: string, text: string): Promise<void> {
  const input = quickInput(page).locator('input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(filter);
  const row = quickInput(page).locator('.monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
}

/**
 * Runs a command from the palette. Right after the window opens the extension's contributions may
 * not have arrived yet and the palette, once open, does not refresh: reopen it until they have.
 */
async function runCommand(page: Page, title: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = quickInput(page).locator('input.input');
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = quickInput(page).locator('.monaco-list-row', { hasText: title }).first();
    const none = quickInput(page).getByText('No matching commands');
    await row.or(none).first().waitFor({ timeout: Math.max(1000, deadline - Date.now()) });
    if (await row.isVisible()) {
      await row.click();
      return;
    }
    if (Date.now() > deadline) throw new Error(`the command palette never offered "${title}"`);
    await page.keyboard.press('Escape');
    await input.waitFor({ state: 'hidden' });
  }
}

/** Presses a notification's button; under load a click can land while the toast still moves. */
async function pressNotificationButton(toast: Locator, name: string): Promise<void> {
  const button = toast.getByRole('button', { name });
  for (let attempt = 1; ; attempt++) {
    await button.click();
    try {
      await toast.waitFor({ state: 'hidden', timeout: 10_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw new Error(`the notification stayed after pressing "${name}" three times: ${(e as Error).message}`);
    }
  }
}

/** Train DNN from the palette on the built-in circles with the default settings, until it has finished. */
async function trainOnCircles(page: Page): Promise<void> {
  await runCommand(page, 'Backprop Map: Train DNN');
  await pick(page, 'circles', 'circles');
  await pick(page, '', 'Start training');
  await page.locator('.notifications-toasts .notification-toast', { hasText: 'finished after' }).waitFor({ timeout: 120_000 });
}

/** Accepts the save dialog, checking it proposes `fileName`; with `rename`, saves under that name instead. */
async function saveAs(page: Page, fileName: string, rename?: string): Promise<void> {
  const input = quickInput(page).locator('input.input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  // The dialog shows the folder first and then completes the proposed name.
  const proposed = new RegExp(`/${fileName.replace('.', '\\.')}$`);
  const deadline = Date.now() + 15_000;
  while (!proposed.test(await input.inputValue())) {
    if (Date.now() > deadline) assert.match(await input.inputValue(), proposed);
    await page.waitForTimeout(100);
  }
  if (rename !== undefined) await input.fill((await input.inputValue()).replace(proposed, `/${rename}`));
  await input.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** The file's bytes once it exists and is not empty (the save finishes after the dialog closes). */
function fileWritten(file: string, ms = 30_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (existsSync(file) && statSync(file).size > 0) {
        done();
        resolve(readFileSync(file));
      }
    };
    const watcher = watch(dirname(file), check);
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${file} was not written within ${ms} ms`));
    }, ms);
    const done = () => {
      watcher.close();
      clearTimeout(timer);
    };
    check();
  });
}

/** The panel's webview: ours among the workbench's (a notebook's outputs are a webview too). */
const PANEL_WEBVIEW = 'iframe.webview.ready[src*="extensionId=backprop-map."]';

/** The panel's content frame (a webview is an iframe holding the content's iframe). */
const panelContent = (page: Page): FrameLocator => page.frameLocator(PANEL_WEBVIEW).frameLocator('iframe#active-frame');

/** The panel's content frame as a Frame, to run script in it. */
async function panelFrame(page: Page): Promise<Frame> {
  const outer = await (await page.waitForSelector(PANEL_WEBVIEW, { timeout: 60_000 })).contentFrame();
  const inner = await (await outer!.waitForSelector('iframe#active-frame', { timeout: 60_000 })).contentFrame();
  return inner!;
}

/** What the panel shows of a finished run: status line, results, the selected term and its detail. */
async function panelView(page: Page): Promise<{ status: string; results: string; selected: string | null; detail: string | null; cost: string }> {
  const content = panelContent(page);
  await content.locator('.results table.confusion').first().waitFor({ timeout: 60_000 });
  await content.locator('.detail[data-term]').waitFor({ timeout: 30_000 });
  return {
    status: await content.locator('.top .status').innerText(),
    results: await content.locator('.results').innerText(),
    selected: await content.locator('.term[aria-pressed="true"]').getAttribute('data-term'),
    detail: await content.locator('.detail').getAttribute('data-term'),
    cost: await content.locator('.term[data-term="J"] .value').innerText(),
  };
}

export const uiTests: Record<string, (s: Session, folder: string) => Promise<void>> = {
  async 'Train DNN from the command palette on a built-in dataset'(s, folder) {
    await inWorkbench(s, folder, 'train', async (page) => {
      await runCommand(page, 'Backprop Map: Train DNN');
      await quickInput(page).getByText('Train DNN: choose the data').waitFor();
      await shot(page, 'train-1-data');
      await pick(page, 'circles', 'circles');
      await quickInput(page).getByText('Train DNN: hyper-parameters').waitFor();
      await shot(page, 'train-2-hyper-parameters');
      await pick(page, '', 'Start training');
      // The panel is a webview: an iframe holding the content frame.
      const content = panelContent(page);
      await content.locator('body *').first().waitFor({ timeout: 60_000 });
      const done = page.locator('.notifications-toasts .notification-toast', { hasText: 'finished after' });
      await done.waitFor({ timeout: 120_000 });
      await done.getByRole('button', { name: 'Save Model…' }).waitFor();
      await shot(page, 'train-3-finished');

      // The panel's exports go through the editor's save dialog (a quick input in the browser).
      await content.getByRole('button', { name: 'History CSV' }).click();
      await saveAs(page, 'circles-history.csv');
      const csv = await fileWritten(join(folder, 'circles-history.csv'));
      assert.match(csv.toString('utf8').split('\n')[0]!, /^epoch,cost,validation_cost,accuracy,validation_accuracy,norm_dW1,norm_dW2,norm_dW3$/);
      await content.getByRole('button', { name: 'Export PNG' }).click();
      await saveAs(page, 'backprop-map.png');
      const png = await fileWritten(join(folder, 'backprop-map.png'));
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    });
  },

  async 'changed epochs show in the status bar, and Stop Training ends the run'(s, folder) {
    await inWorkbench(s, folder, 'stop', async (page) => {
      await runCommand(page, 'Backprop Map: Train DNN');
      await pick(page, 'moons', 'moons');
      await pick(page, '', 'Epochs');
      const input = quickInput(page).locator('input.input');
      await input.fill('2.5');
      await quickInput(page).getByText('A whole number from 0 to 10000000.').waitFor();
      await input.fill('1000000');
      await input.press('Enter');
      await quickInput(page).locator('.monaco-list-row', { hasText: 'Epochs' }).filter({ hasText: '1000000' }).waitFor();
      await pick(page, '', 'Start training');
      const status = page.locator('.part.statusbar .statusbar-item', { hasText: /epoch \d+\/1000000/ });
      await status.waitFor({ timeout: 60_000 });
      await shot(page, 'stop-1-status-bar');
      await runCommand(page, 'Backprop Map: Stop Training');
      await page.locator('.notifications-toasts .notification-toast', { hasText: /stopped after \d+ epochs/ }).waitFor({ timeout: 30_000 });
      await status.waitFor({ state: 'hidden' });
      await shot(page, 'stop-2-stopped');
    });
  },

  async 'bad data: an error naming the place, and Open File goes there'(s, folder) {
    await inWorkbench(s, folder, 'data-error', async (page) => {
      await page.keyboard.press('Control+P');
      await pick(page, 'broken.csv', 'broken.csv');
      await page.locator('.monaco-editor .view-lines', { hasText: '1.1,abc,1' }).waitFor({ timeout: 30_000 });
      await runCommand(page, 'Backprop Map: Train DNN');
      // The active editor is a CSV: no data question, the label column comes first.
      await quickInput(page).getByText('which column of broken.csv is the label?').waitFor();
      await pick(page, '', 'label');
      await pick(page, '', 'Start training');
      const toast = page.locator('.notifications-toasts .notification-toast').filter({ has: page.getByRole('button', { name: 'Open File' }) });
      await toast.waitFor({ timeout: 30_000 });
      assert.match(await toast.innerText(), /broken\.csv, line 4, column 2/);
      await shot(page, 'data-error');
      assert.equal(await page.locator('iframe.webview').count(), 0, 'no panel for bad data');
      await pressNotificationButton(toast, 'Open File');
      // "abc" is the second field of line 4: the cursor goes to its start.
      await page.locator('.part.statusbar .statusbar-item', { hasText: 'Ln 4, Col 5' }).waitFor({ timeout: 30_000 });
    });
  },

  async 'without a usable Python: one clear message with what to do'(s, folder) {
    mkdirSync(join(folder, '.vscode'), { recursive: true });
    writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'backpropMap.checker.pythonPath': '/nonexistent/python3' }));
    await inWorkbench(s, folder, 'no-python', async (page) => {
      await page.keyboard.press('Control+P');
      await pick(page, 'missing_keepdims.py', 'missing_keepdims.py');
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'cannot check gradients' });
      await toast.waitFor({ timeout: 60_000 });
      assert.match(await toast.innerText(), /\/nonexistent\/python3/);
      await toast.getByRole('button', { name: 'Open Settings' }).waitFor();
      await toast.getByRole('button', { name: 'Retry' }).waitFor();
      await shot(page, 'no-python');
    });
  },

  async 'a broken backward pass shows its problems in the Problems panel'(s, folder) {
    await inWorkbench(s, folder, 'problems', async (page) => {
      await page.keyboard.press('Control+P');
      await pick(page, 'missing_keepdims.py', 'missing_keepdims.py');
      await page.locator('.monaco-editor .view-lines', { hasText: 'def backward_propagation' }).waitFor({ timeout: 30_000 });
      await runCommand(page, 'Focus on Problems View');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'db1' }).first();
      await row.waitFor({ timeout: 90_000 });
      await page.locator('.monaco-editor .codelens-decoration', { hasText: '✗ db1 wrong' }).waitFor({ timeout: 30_000 });
      await shot(page, 'problems');
    });
  },
  async 'the exercise as a notebook: the panel marks its terms after each check'(s, folder) {
    await inWorkbench(s, folder, 'exercise-notebook', async (page) => {
      await trainOnCircles(page);
      await runCommand(page, 'Backprop Map: Write the Backward Pass Yourself');
      // The save dialog proposes a .py beside the workspace's files; the learner names a notebook.
      await saveAs(page, 'L_model_backward.py', 'my_backward.ipynb');
      const file = join(folder, 'my_backward.ipynb');
      const written = (await fileWritten(file)).toString('utf8');
      assert.match(written, /dZ3 = \.\.\. {2}# TODO dZ3/);
      const content = panelContent(page);
      const summary = content.locator('.exercise-summary');
      await summary.filter({ hasText: /\(my_backward\.ipynb\): 0 right, 0 wrong, [1-9]\d* not written yet/ }).waitFor({ timeout: 90_000 });
      const missing = Number(/(\d+) not written yet/.exec(await summary.innerText())![1]);
      assert.equal(await content.locator('.term[data-exercise="missing"]').count(), missing);
      await shot(page, 'exercise-notebook-1-written');

      // The learner writes the output layer's three terms (saved from another editor): the notebook
      // reloads, is checked again, and the panel marks them right; dZ3 counts once dW3 and db3 are right.
      const filled = written
        .replace('dZ3 = ...  # TODO dZ3', 'dZ3 = A3 - Y  # dZ3')
        .replace('dW3 = ...  # TODO dW3', 'dW3 = np.dot(dZ3, A2.T) / m  # dW3')
        .replace('db3 = ...  # TODO db3', 'db3 = np.sum(dZ3, axis=1, keepdims=True) / m  # db3');
      assert.equal(filled.match(/# TODO d[ZWb]3/g), null, 'the three TODOs were in the notebook');
      writeFileSync(file, filled);
      await summary.filter({ hasText: `: 3 right, 0 wrong, ${missing - 3} not written yet` }).waitFor({ timeout: 90_000 });
      for (const term of ['dZ3', 'dW3', 'db3']) assert.equal(await content.locator(`.term[data-term="${term}"]`).getAttribute('data-exercise'), 'right', term);
      await shot(page, 'exercise-notebook-2-output-layer-right');
    });
  },
  async 'the panel survives being hidden and a window reload; a run cut off by a reload says so'(s, folder) {
    await inWorkbench(s, folder, 'revive', async (page) => {
      await trainOnCircles(page);
      const content = panelContent(page);
      await content.locator('.term[data-term="dW1"]').click();
      const before = await panelView(page);
      assert.equal(before.selected, 'dW1');
      assert.match(before.status, /Epoch 2000/);
      // A mark in the page: a webview shown again or restored is a new page, without it.
      await (await panelFrame(page)).evaluate(() => ((window as unknown as { mark: boolean }).mark = true));
      const fresh = async (): Promise<boolean> => (await panelFrame(page)).evaluate(() => !(window as unknown as { mark?: boolean }).mark);

      // Hidden behind another editor in its group (its page is torn down), then shown again.
      await page.keyboard.press('Control+P');
      await pick(page, 'broken.csv', 'broken.csv');
      await page.locator('.monaco-editor .view-lines', { hasText: '1.1,abc,1' }).waitFor({ timeout: 30_000 });
      await page.locator(PANEL_WEBVIEW).waitFor({ state: 'hidden' });
      await page.locator('.tabs-container .tab', { hasText: 'Backprop Map' }).click();
      assert.deepEqual(await panelView(page), before);
      assert.ok(await fresh(), 'the panel shown again is a new page');
      await shot(page, 'revive-1-shown-again');

      // A window reload restarts the extension host: the restored panel shows the run from the file kept for it.
      await runCommand(page, 'Developer: Reload Window');
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
      assert.deepEqual(await panelView(page), before);
      assert.ok(await fresh(), 'the restored panel is a new page');
      await shot(page, 'revive-2-after-reload');

      // Reset on the restored run, whose worker went with the reload: the same data and seed train
      // again, to the very same result.
      await content.getByRole('button', { name: 'Reset' }).click();
      await page.locator('.notifications-toasts .notification-toast', { hasText: 'finished after 2000 epochs' }).waitFor({ timeout: 120_000 });
      assert.deepEqual(await panelView(page), before);

      // A long run, cut off by a reload: the restored panel says so instead of showing a run that never ended.
      await runCommand(page, 'Backprop Map: Train DNN');
      await pick(page, 'moons', 'moons');
      await pick(page, '', 'Epochs');
      await quickInput(page).locator('input.input').fill('1000000');
      await quickInput(page).locator('input.input').press('Enter');
      await quickInput(page).locator('.monaco-list-row', { hasText: 'Epochs' }).filter({ hasText: '1000000' }).waitFor();
      await pick(page, '', 'Start training');
      await page.locator('.part.statusbar .statusbar-item', { hasText: /epoch \d+\/1000000/ }).waitFor({ timeout: 60_000 });
      await content.locator('.top .meta', { hasText: 'sample:moons' }).waitFor({ timeout: 30_000 });
      await runCommand(page, 'Developer: Reload Window');
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
      const banner = content.locator('.banner.notice');
      await banner.waitFor({ timeout: 60_000 });
      assert.match(await banner.innerText(), /The last run \(on sample:moons\) did not finish/);
      assert.equal(await content.locator('.map .term').count(), 0, 'no map of a run that never ended');
      await shot(page, 'revive-3-cut-off');
    });
  },
};

/** Run on a server that asks about workspace trust; the folder is not trusted. */
export async function untrustedWorkspace(s: Session, folder: string): Promise<void> {
  const distrust = async (page: Page) => {
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'trust the authors' });
    await dialog.waitFor({ timeout: 60_000 });
    await dialog.getByRole('button', { name: /^No, I don.t trust the authors/ }).click();
    await dialog.waitFor({ state: 'hidden' });
  };
  await inWorkbench(s, folder, 'untrusted', async (page) => {
    await page.keyboard.press('Control+P');
    await pick(page, 'missing_keepdims.py', 'missing_keepdims.py');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'not trusted' });
    await toast.waitFor({ timeout: 60_000 });
    await toast.getByRole('button', { name: 'Manage Workspace Trust' }).waitFor();
    await shot(page, 'untrusted-1-explained');
    await toast.locator('.codicon-notifications-clear').click();
    // Training reads data only: it works untrusted.
    await runCommand(page, 'Backprop Map: Train DNN');
    await pick(page, 'xor', 'xor');
    await pick(page, '', 'Start training');
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'finished after' }).waitFor({ timeout: 120_000 });
    await shot(page, 'untrusted-2-trained');
    // Long enough for a check of the open file to have finished, had one run: it would have
    // reported the error at line 29.
    const problems = await page.locator('.part.statusbar [id="status.problems"]').getAttribute('aria-label');
    assert.match(problems ?? '', /No Problems/);
  }, distrust);
}
