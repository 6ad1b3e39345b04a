/**
 * Drives the real built panel bundle (dist/webview/webview.js) in Debian's Chromium: the page is the
 * panel's own HTML with the same Content-Security-Policy, served from a stand-in webview origin; a
 * stub acquireVsCodeApi records what the panel posts; every other request is blocked and recorded.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { initParameters, layerDimsOf } from '../../src/core/network';
import { TrainingSession } from '../../src/core/session';
import type { Dataset } from '../../src/data/csv';
import { prepareData, runInfoOf } from '../../src/data/prepare';
import type { Hyper } from '../../src/core/types';
import type { FromPanel, FromWorker, ToPanel } from '../../src/protocol';
import { panelHtml } from '../../src/extension/panelHtml';
import { RunController, type RunSetup } from '../../src/worker/runController';
import type { Locale } from '../../src/shared/locale';

/** The package folder, found upwards from the compiled file (out/test/webview or out/bench). */
function packageRoot(dir: string): string {
  return existsSync(join(dir, 'package.json')) || dirname(dir) === dir ? dir : packageRoot(dirname(dir));
}
export const root = packageRoot(__dirname);
export const artifacts = join(root, '.test-artifacts', 'webview');
const ORIGIN = 'https://webview.test';

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export type Theme = 'light' | 'dark' | 'high-contrast';

/** A few of the --vscode-* variables VS Code sets, per theme (values of VS Code's default themes). */
const THEMES: Record<Theme, { cls: string; vars: Record<string, string> }> = {
  light: {
    cls: 'vscode-light',
    vars: {
      '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#3b3b3b',
      '--vscode-descriptionForeground': '#717171', '--vscode-panel-border': '#e5e5e5', '--vscode-editorWidget-background': '#f8f8f8',
      '--vscode-focusBorder': '#005fb8', '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff',
      '--vscode-editor-selectionBackground': '#add6ff', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-red': '#e51400',
      '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34', '--vscode-charts-purple': '#652d90', '--vscode-charts-yellow': '#bf8803',
      '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px',
    },
  },
  dark: {
    cls: 'vscode-dark',
    vars: {
      '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d', '--vscode-panel-border': '#2b2b2b', '--vscode-editorWidget-background': '#202020',
      '--vscode-focusBorder': '#0078d4', '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff',
      '--vscode-editor-selectionBackground': '#264f78', '--vscode-charts-blue': '#3794ff', '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#cca700',
      '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px',
    },
  },
  'high-contrast': {
    cls: 'vscode-high-contrast',
    vars: {
      '--vscode-foreground': '#ffffff', '--vscode-editor-background': '#000000', '--vscode-editor-foreground': '#ffffff',
      '--vscode-descriptionForeground': '#ffffff', '--vscode-panel-border': '#6fc3df', '--vscode-contrastBorder': '#6fc3df',
      '--vscode-contrastActiveBorder': '#f38518', '--vscode-editorWidget-background': '#0c141f', '--vscode-focusBorder': '#f38518',
      '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df',
      '--vscode-editor-selectionBackground': '#264f78', '--vscode-charts-blue': '#3794ff', '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#cca700',
      '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px',
    },
  },
};

export interface PanelPage {
  page: Page;
  /** Requests that were blocked (anything but the panel's own files). */
  blocked: string[];
  dialogs: string[];
  /** Messages the panel posted to the host. */
  posted(): Promise<FromPanel[]>;
  violations(): Promise<string[]>;
  send(...messages: ToPanel[]): Promise<void>;
}

/** Records CSP violations from the first moment, and stands in for VS Code's acquireVsCodeApi. */
const INIT_SCRIPT = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
  });
  window.__posted = [];
  window.__state = undefined;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => window.__state,
    setState: (s) => { window.__state = s; },
  });
`;

function contentType(path: string): string {
  if (path.endsWith('.js')) return 'text/javascript';
  if (path.endsWith('.css')) return 'text/css';
  if (path.endsWith('.woff2')) return 'font/woff2';
  if (path.endsWith('.svg')) return 'image/svg+xml';
  return 'application/octet-stream';
}

export async function openPanel(browser: Browser, opts: { theme?: Theme; lang?: string; width?: number; height?: number } = {}): Promise<PanelPage> {
  const theme = THEMES[opts.theme ?? 'light'];
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 } });
  const page = await context.newPage();
  const blocked: string[] = [];
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.addInitScript(INIT_SCRIPT);
  // VS Code puts the theme's class on <body> and its variables on <html> before the panel's script runs.
  await page.addInitScript(
    `document.addEventListener('DOMContentLoaded', () => {
      document.body.classList.add(${JSON.stringify(theme.cls)});
      const vars = ${JSON.stringify(theme.vars)};
      for (const k in vars) document.documentElement.style.setProperty(k, vars[k]);
    }, { capture: true });`,
  );
  const html = panelHtml({
    cspSource: ORIGIN,
    nonce: 'bm' + Math.random().toString(36).slice(2),
    scriptUri: `${ORIGIN}/dist/webview/webview.js`,
    katexCssUri: `${ORIGIN}/dist/webview/katex/katex.min.css`,
    panelCssUri: `${ORIGIN}/media/panel.css`,
    lang: opts.lang ?? 'en',
  });
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) {
      blocked.push(url.href);
      return route.abort('blockedbyclient');
    }
    if (url.pathname === '/index.html') return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    if (!/^(dist\/webview|media)\//.test(rel) || rel.includes('..')) return route.fulfill({ status: 404, body: '' });
    try {
      return await route.fulfill({ status: 200, contentType: contentType(rel), body: readFileSync(join(root, rel)) });
    } catch {
      return route.fulfill({ status: 404, body: '' });
    }
  });
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
  return {
    page,
    blocked,
    dialogs,
    posted: () => page.evaluate(() => (window as unknown as { __posted: FromPanel[] }).__posted),
    violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
    async send(...messages) {
      await page.evaluate((ms) => {
        for (const m of ms) window.postMessage(m, '*');
      }, messages);
      // postMessage is asynchronous: wait until the page has handled them (a round trip through the event loop).
      await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    },
  };
}

/** The panel's message for a worker's message, as the extension host forwards it. */
export function toPanel(m: FromWorker, locale: Locale = 'en'): ToPanel | null {
  switch (m.type) {
    case 'loaded':
      return { type: 'run', info: m.info, locale };
    case 'finished':
      return { type: 'finished', result: m.result };
    case 'dataError':
      return { type: 'error', message: m.error.message };
    default:
      return m;
  }
}

export const DEFAULT_TEST_HYPER: Hyper = { hidden: [3], learningRate: 0.5, epochs: 40, batchSize: null, seed: 7, validationSplit: 0, standardize: true };

/** A real run of the core on a dataset, with a controller whose clock the test owns. */
export function makeRun(ds: Dataset, hyper: Hyper = DEFAULT_TEST_HYPER): { controller: RunController; sent: FromWorker[]; setup: (seed: number) => RunSetup; clock: { t: number } } {
  const sent: FromWorker[] = [];
  const clock = { t: 0 };
  const setup = (seed: number): RunSetup => {
    const h = { ...hyper, seed };
    const p = prepareData(ds, { validationSplit: h.validationSplit, seed, standardize: h.standardize });
    const session = new TrainingSession({ X: p.train.X, Y: p.train.Y, validation: p.validation }, h, initParameters(layerDimsOf(ds.X.rows, h.hidden), seed));
    const info = runInfoOf(ds, p, session.layerDims, h);
    return { session, info, model: () => null };
  };
  const controller = new RunController(
    {
      post: (m) => sent.push(m),
      now: () => (clock.t += 1),
      yieldToEvents: () => Promise.resolve(),
    },
    setup,
  );
  return { controller, sent, setup, clock };
}

/** Takes the messages collected so far, as the panel would receive them. */
export function drain(sent: FromWorker[], locale: Locale = 'en'): ToPanel[] {
  return sent.splice(0).map((m) => toPanel(m, locale)).filter((m): m is ToPanel => m !== null);
}

export function screenshotPath(name: string): string {
  mkdirSync(artifacts, { recursive: true });
  return join(artifacts, name);
}

/** The visible text of the KaTeX rendering inside an element, without spacing characters. */
export async function texText(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (e) => Array.from(e.querySelectorAll('.katex-html')).map((k) => k.textContent ?? '').join(' ').replace(/[\s\u200b]/g, ''));
}
