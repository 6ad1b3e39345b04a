// The package as users install it: `npm run package` builds the .vsix, code-server installs it with
// --install-extension, and windows opened without the repository's development copy train from the
// command palette and show a checker diagnostic. This proves the .vsix ships everything.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { packageVsix, root } from '../package/vsix';
import { openSession, workspaceCopy, type Session } from './harness';
import { uiTests } from './ui';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; publisher: string; version: string };
const dir = mkdtempSync(join(tmpdir(), 'bpm-installed-'));
let session: Session | undefined;

before(async () => {
  const vsix = join(dir, `${pkg.name}-${pkg.version}.vsix`);
  packageVsix(vsix);
  session = await openSession({ vsix });
}, { timeout: 20 * 60_000 }); // a first run installs code-server (about 2–3 minutes on 2 cores)

after(async () => {
  await session?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('code-server lists the extension as installed from the .vsix', () => {
  const installed = readdirSync(join(session!.stateDir, 'ext'));
  assert.ok(installed.includes(`${pkg.publisher}.${pkg.name}-${pkg.version}`), installed.join(', '));
  const manifest = JSON.parse(readFileSync(join(session!.stateDir, 'ext', 'extensions.json'), 'utf8')) as { identifier: { id: string } }[];
  assert.deepEqual(manifest.map((e) => e.identifier.id), [`${pkg.publisher}.${pkg.name}`]);
});

for (const name of ['Train DNN from the command palette on a built-in dataset', 'a broken backward pass shows its problems in the Problems panel']) {
  const run = uiTests[name];
  test(`installed .vsix, UI: ${name}`, { timeout: 3 * 60_000 }, async () => {
    assert.ok(run, `no UI test named "${name}"`);
    const s = session!;
    await run(s, workspaceCopy(s, `installed-${name.replace(/\W+/g, '-')}`));
  });
}
