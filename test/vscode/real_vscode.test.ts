// The extension in a real VS Code 1.100 (code-server, offline, driven by headless Chromium):
// 1. the mocha integration suite (test/vscode/suite/) runs in the extension host; each of its tests
//    becomes a node:test subtest here, failing with mocha's error when it failed;
// 2. the end-to-end UI tests (test/vscode/ui.ts) drive the workbench like a user.
// code-server is installed on first use into a cache outside the repository (scripts/vscode/).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openSession, openWorkbench, pythonExtensionStandIn, within, workspaceCopy, type Session } from './harness';
import type { SuiteResult } from './results';
import { uiTests, untrustedWorkspace } from './ui';

const SUITE_TIMEOUT_MS = 4 * 60_000;
let session: Session | undefined;

before(async () => {
  session = await openSession();
}, { timeout: 20 * 60_000 }); // a first run installs code-server (about 2–3 minutes on 2 cores)

after(async () => {
  await session?.close();
});

function failWithLog(s: Session, message: string): never {
  throw new Error(`${message}\n--- last output of code-server and the workbench ---\n${s.log.slice(-60).join('\n')}`);
}

test('integration suite in the extension host', { timeout: SUITE_TIMEOUT_MS + 60_000 }, async (t) => {
  const s = session!;
  const folder = workspaceCopy(s, 'integration');
  const suite = join(__dirname, 'suite', 'index.js');
  const started = Date.now();
  // The suite's window also runs a stand-in for the Python extension: the checker asks it which
  // interpreter to run (it names none until interpreter.suite selects one).
  const wb = await openWorkbench(s, folder, suite, [pythonExtensionStandIn]);
  let code: number;
  try {
    code = await within(SUITE_TIMEOUT_MS, 'the integration suite did not finish', wb.exit);
  } catch (e) {
    failWithLog(s, (e as Error).message);
  } finally {
    await wb.page.close().catch(() => {});
  }
  t.diagnostic(`suite finished in ${((Date.now() - started) / 1000).toFixed(1)} s with exit code ${code!}`);
  if (!existsSync(s.resultsFile)) failWithLog(s, `the suite exited with ${code!} but wrote no results`);
  const results = JSON.parse(readFileSync(s.resultsFile, 'utf8')) as SuiteResult[];
  if (results.length === 0) failWithLog(s, 'the suite ran no tests');
  for (const r of results) {
    await t.test(r.title, { skip: r.state === 'skipped' }, () => {
      if (r.state === 'failed') throw new Error(r.error ?? 'failed');
    });
  }
  if (code! !== 0 && results.every((r) => r.state !== 'failed')) failWithLog(s, `the suite exited with ${code!}`);
});

for (const [name, run] of Object.entries(uiTests)) {
  test(`UI: ${name}`, { timeout: 3 * 60_000 }, async () => {
    const s = session!;
    await run(s, workspaceCopy(s, name.replace(/\W+/g, '-')));
  });
}

test('UI: an untrusted workspace explains why nothing is checked, and still trains', { timeout: 4 * 60_000 }, async () => {
  // A server of its own: the shared one trusts every folder.
  const s = await openSession({ workspaceTrust: true });
  try {
    await untrustedWorkspace(s, workspaceCopy(s, 'untrusted'));
  } catch (e) {
    failWithLog(s, (e as Error).message);
  } finally {
    await s.close();
  }
});
