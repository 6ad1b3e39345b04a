// The command ids, context keys and the panel's view type are written once, in src/extension/ids.ts;
// package.json's contributions must name exactly those.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMANDS, CONTEXT_KEYS, PANEL_VIEW_TYPE } from '../../src/extension/ids';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const BEHIND_LENSES = new Set<string>([COMMANDS.recheck, COMMANDS.revealLine]);

test('package.json contributes every command but those behind the code lenses, and no other', () => {
  const contributed = (pkg.contributes.commands as { command: string }[]).map((c) => c.command).sort();
  assert.deepEqual(contributed, Object.values(COMMANDS).filter((id) => !BEHIND_LENSES.has(id)).sort());
});

test("the menus name known commands and test only the extension's context keys", () => {
  const known = new Set<string>(Object.values(COMMANDS));
  const keys = new Set<string>(Object.values(CONTEXT_KEYS));
  for (const [menu, items] of Object.entries(pkg.contributes.menus as Record<string, { command: string; when?: string }[]>)) {
    for (const item of items) {
      assert.ok(known.has(item.command), `${menu}: ${item.command}`);
      for (const key of item.when?.match(/backpropMap\.\w+/g) ?? []) assert.ok(keys.has(key), `${menu}: ${item.when}`);
    }
  }
  // Each context key shows or hides something.
  const whens = JSON.stringify(pkg.contributes.menus);
  for (const key of keys) assert.ok(whens.includes(key), key);
});

test('the panel is restored by its view type', () => {
  assert.ok((pkg.activationEvents as string[]).includes(`onWebviewPanel:${PANEL_VIEW_TYPE}`));
});
