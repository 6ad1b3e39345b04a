// `npm run test:electron`: the same integration suite under @vscode/test-electron, for machines
// that can download VS Code. Runs on a fresh copy of the fixture workspace.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { pythonExtensionStandIn, root } from './harness';
import type { SuiteResult } from './results';

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-map-electron-'));
  const workspace = join(dir, 'workspace');
  cpSync(join(root, 'test', 'fixtures', 'vscode'), workspace, { recursive: true });
  const results = join(dir, 'results.json');
  try {
    const code = await runTests({
      version: '1.100.3',
      // With the stand-in for the Python extension, as in the code-server run (real_vscode.test.ts).
      extensionDevelopmentPath: [root, pythonExtensionStandIn],
      extensionTestsPath: join(__dirname, 'suite', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(dir, 'user')],
      extensionTestsEnv: { BACKPROP_MAP_VSCODE_RESULTS: results },
    });
    const list = JSON.parse(readFileSync(results, 'utf8')) as SuiteResult[];
    const failed = list.filter((r) => r.state === 'failed');
    console.log(`${list.length - failed.length} of ${list.length} integration tests passed`);
    return code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`test:electron failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
