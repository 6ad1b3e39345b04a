// Shared by the node:test wrapper: a code-server with the extension loaded live, a headless
// Chromium showing its workbench, and a fresh copy of the fixture workspace per window.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ensureCodeServer, installExtension, startCodeServer, workbenchUrl, type CodeServer } from '../../scripts/vscode/codeServer.mjs';

/** The repository root (this file runs from out/test/vscode/). */
export const root = join(__dirname, '..', '..', '..');
export const artifacts = join(root, '.test-artifacts', 'vscode');
/** A stand-in for the Python extension (its `environments` API), loaded beside ours where a window asks for it. */
export const pythonExtensionStandIn = join(root, 'test', 'fixtures', 'python-extension');

export interface Session {
  server: CodeServer;
  context: BrowserContext;
  stateDir: string;
  resultsFile: string;
  /** Windows run the extension installed from this .vsix, not the repository's live copy. */
  vsix?: string;
  /** Everything the server and the pages printed, for failure messages. */
  log: string[];
  close(): Promise<void>;
}

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function openSession(options: { workspaceTrust?: boolean; vsix?: string } = {}): Promise<Session> {
  ensureCodeServer(join(root, 'scripts', 'vscode'));
  const stateDir = mkdtempSync(join(tmpdir(), 'backprop-map-vscode-'));
  const resultsFile = join(stateDir, 'results.json');
  const log: string[] = [];
  const keep = (line: string) => {
    log.push(line);
    if (log.length > 400) log.shift();
  };
  // A quiet window: no welcome page or walkthrough opening on its own and taking the focus.
  mkdirSync(join(stateDir, 'user', 'User'), { recursive: true });
  writeFileSync(
    join(stateDir, 'user', 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
    }),
  );
  let server: CodeServer | undefined;
  let context: BrowserContext | undefined;
  try {
    if (options.vsix) keep(`[install] ${installExtension(stateDir, options.vsix)}`);
    server = await startCodeServer({
      stateDir,
      env: { BACKPROP_MAP_VSCODE_RESULTS: resultsFile },
      log: (l) => keep(`[server] ${l}`),
      workspaceTrust: options.workspaceTrust ?? false,
    });
    const profile = join(stateDir, 'chromium');
    mkdirSync(profile);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.BACKPROP_MAP_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
      env: {
        ...process.env,
        HOME: profile,
        XDG_CONFIG_HOME: join(profile, 'config'),
        XDG_CACHE_HOME: join(profile, 'cache'),
        XDG_DATA_HOME: join(profile, 'data'),
      },
      timeout: 60_000,
    });
  } catch (e) {
    await context?.close().catch(() => {});
    await server?.stop();
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
  const s = server;
  const c = context;
  return {
    server: s,
    context: c,
    stateDir,
    resultsFile,
    ...(options.vsix ? { vsix: options.vsix } : {}),
    log,
    async close() {
      await c.close().catch(() => {});
      await s.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A fresh copy of test/fixtures/vscode, so tests may edit files without touching the repository. */
export function workspaceCopy(session: Session, name: string): string {
  const dir = join(session.stateDir, 'workspaces', name);
  cpSync(join(root, 'test', 'fixtures', 'vscode'), dir, { recursive: true });
  // CI may have numpy under a python3 that is not the first on PATH.
  const python = process.env.BACKPROP_MAP_PYTHON;
  if (python) {
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'backpropMap.checker.pythonPath': python }, null, 2));
  }
  return dir;
}

export interface Workbench {
  page: Page;
  /** Settles with the code the workbench reports when an extensionTestsPath suite has finished. */
  exit: Promise<number>;
}

/**
 * Opens a workbench window on `folder` with the extension loaded live from the repository (or, in
 * a session with a .vsix, the installed one) and, with `testsPath`, the mocha suite there running
 * in its extension host. `alongside`: more extension folders loaded live in this window only.
 */
export async function openWorkbench(session: Session, folder: string, testsPath?: string, alongside: string[] = []): Promise<Workbench> {
  const page = await session.context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('vsda')) session.log.push(`[page] ${m.text()}`);
  });
  page.on('pageerror', (e) => session.log.push(`[page error] ${e.message}`));
  let settle!: (code: number) => void;
  const exit = new Promise<number>((resolve) => (settle = resolve));
  // The workbench calls these when it runs an extension test suite (its automation hooks).
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    session.log.push(`[suite ${type}] ${(Array.isArray(args) ? args : [args]).map(String).join(' ')}`);
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => settle(code));
  const extensions = [...(session.vsix ? [] : [root]), ...alongside];
  const url = workbenchUrl(session.server, { folder, extensionPath: developmentFolder(session, extensions), ...(testsPath ? { testsPath } : {}) });
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  return { page, exit };
}

/**
 * The one folder to load `extensions` live from: the extension's own, or, for several (the web
 * workbench takes one development path), a folder of links to them, which the editor scans as a
 * folder of extensions.
 */
function developmentFolder(session: Session, extensions: string[]): string | undefined {
  if (extensions.length <= 1) return extensions[0];
  const dir = mkdtempSync(join(session.stateDir, 'development-'));
  for (const ext of extensions) symlinkSync(ext, join(dir, basename(ext)), 'dir');
  return dir;
}

/** Rejects after `ms` with `what` in the message; the timer never keeps the process alive. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
