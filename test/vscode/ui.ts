// End-to-end UI tests: a user's steps in the workbench, through the command palette and the views.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, openWorkbench, type Session } from './harness';

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

/** Waits for the workbench to be usable: the explorer shows the workspace. */
async function ready(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 30_000 });
  await input.press('Enter');
}

export const uiTests: Record<string, (s: Session, folder: string) => Promise<void>> = {
  async 'command palette lists the commands'(s, folder) {
    const { page } = await openWorkbench(s, folder);
    try {
      await ready(page).catch(async (e) => { await shot(page, 'not-ready'); throw e; });
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Backprop Map');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Train DNN' }).first().waitFor({ timeout: 30_000 });
      await shot(page, 'command-palette');
    } finally {
      await page.close();
    }
  },
};
void runCommand;
