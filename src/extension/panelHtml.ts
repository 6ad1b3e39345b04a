/**
 * The panel's HTML page and its Content-Security-Policy. Pure (no vscode, no DOM): the extension's
 * panel and the browser tests build the very same page.
 */
import { escapeHtml, panelPage } from '../shared/html';

export interface PanelPage {
  /** `webview.cspSource` in VS Code: the origin the extension's own files are served from. */
  cspSource: string;
  /** A fresh random nonce per page. */
  nonce: string;
  scriptUri: string;
  katexCssUri: string;
  panelCssUri: string;
  /** BCP 47 language of the UI, e.g. `en` or `de`. */
  lang: string;
}

/**
 * Scripts only by nonce; styles and fonts only from the extension's own folder. KaTeX positions
 * glyphs with inline styles, but it sets them through the CSSOM (`element.style`), which CSP does not
 * restrict, so no 'unsafe-inline' is needed; the panel's own code does the same. `data:` images are
 * allowed for canvas exports only.
 */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

export function panelHtml(p: PanelPage): string {
  const a = escapeHtml;
  return panelPage({
    lang: p.lang,
    csp: panelCsp(p.cspSource, p.nonce),
    title: 'Backprop Map',
    head: [`<link rel="stylesheet" href="${a(p.katexCssUri)}">`, `<link rel="stylesheet" href="${a(p.panelCssUri)}">`],
    body: [`<script nonce="${a(p.nonce)}" src="${a(p.scriptUri)}"></script>`],
  });
}
