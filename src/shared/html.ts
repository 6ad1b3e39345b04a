/** HTML built as text, for the panel's page and the command line's report: escaping, and the page. */

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The panel's page, in VS Code and as the command line's report: its Content-Security-Policy, its
 * title, the `head` elements (stylesheets), the panel's root `#app`, then the `body` elements (its
 * scripts).
 * `lang`, `csp` and `title` are text; `head` and `body` are markup, escaped by the caller.
 */
export function panelPage(p: { lang: string; csp: string; title: string; head: string[]; body: string[] }): string {
  return `<!DOCTYPE html>
<html lang="${escapeHtml(p.lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(p.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(p.title)}</title>
${p.head.join('\n')}
</head>
<body>
<div id="app"></div>
${p.body.join('\n')}
</body>
</html>
`;
}
