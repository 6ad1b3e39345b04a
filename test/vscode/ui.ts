// End-to-end UI tests: a user's steps in the workbench through the command palette, quick picks,
// the panel and the Problems view. Screenshots go to .test-artifacts/vscode/ (git-ignored).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, openWorkbench, type Session } from './harness';

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

/** Runs `steps` on a fresh workbench window; on failure a screenshot shows where it stood. */
async function inWorkbench(s: Session, folder: string, name: string, steps: (page: Page) => Promise<void>): Promise<void> {
  const { page } = await openWorkbench(s, folder);
  try {
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
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
async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    const input = quickInput(page).locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = quickInput(page).locator('.monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ timeout: 3000 });
      await row.click();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`the command palette never offered "${title}": ${(e as Error).message}`);
      await page.keyboard.press('Escape');
    }
  }
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
      const content = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await content.locator('body *').first().waitFor({ timeout: 60_000 });
      const done = page.locator('.notifications-toasts .notification-toast', { hasText: 'finished after' });
      await done.waitFor({ timeout: 120_000 });
      await done.getByRole('button', { name: 'Save Model…' }).waitFor();
      await shot(page, 'train-3-finished');
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
      await shot(page, 'problems');
    });
  },
};
