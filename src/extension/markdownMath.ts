// The math in Markdown files and in notebooks' Markdown cells, checked by src/derivations: on open,
// on save and (debounced, as the gradient checker) while typing. Diagnostics at each broken step,
// a hover on an equation with each side's shape and value at the test point. A notebook's Markdown
// cells are checked together, in order, so that a definition in an earlier cell is in force in a
// later one. It runs no code of the user's, so it works in untrusted workspaces too.
import * as vscode from 'vscode';
import { checkMath, type MathSource } from '../derivations/check';
import { equationAt, hoverLines } from '../derivations/hover';
import type { Lang } from '../derivations/messages';
import type { EquationReport, MathFinding } from '../derivations/types';
import { DEBOUNCE_MS, notebookOf } from './checkerService';
import { reportRange, SOURCE } from './diagnosticRange';
import { followTextDocuments, type Why } from './documentEvents';
import { checkerSettings, mathEnabled } from './settings';

const MARKDOWN: vscode.DocumentSelector = [
  { language: 'markdown', scheme: 'file' },
  { language: 'markdown', scheme: 'untitled' },
  { language: 'markdown', scheme: 'vscode-notebook-cell' },
];

const isMarkdownCell = (c: vscode.NotebookCell): boolean => c.kind === vscode.NotebookCellKind.Markup && c.document.languageId === 'markdown';

export class MarkdownMath implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('backpropMap.math');
  /** Each checked document's equations (a notebook cell: its own), for hovers. */
  private readonly equations = new Map<string, EquationReport[]>();
  /** A notebook's Markdown cells that got results, to clear when they move or go. */
  private readonly cellsOf = new Map<string, vscode.Uri[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly checked = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document or notebook was checked. */
  readonly onDidCheck = this.checked.event;
  private readonly disposables: vscode.Disposable[] = [this.diagnostics, this.checked];

  constructor(
    private readonly locale: () => Lang,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const d = this.disposables;
    d.push(...followTextDocuments((doc, why) => this.request(doc, why), (uri) => this.forget(uri)));
    d.push(vscode.workspace.onDidOpenNotebookDocument((nb) => this.schedule(nb.uri, 'open', () => this.checkNotebook(nb))));
    d.push(vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.contentChanges.length > 0) this.schedule(e.notebook.uri, 'type', () => this.checkNotebook(e.notebook));
    }));
    d.push(vscode.workspace.onDidCloseNotebookDocument((nb) => this.forget(nb.uri)));
    d.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('backpropMap.math') || e.affectsConfiguration('backpropMap.checker.run')) this.checkAll();
    }));
    d.push(vscode.languages.registerHoverProvider(MARKDOWN, { provideHover: (doc, pos) => this.hover(doc, pos) }));
    this.checkAll();
  }

  private checkAll(): void {
    for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme !== 'vscode-notebook-cell') this.request(doc, 'open');
    for (const nb of vscode.workspace.notebookDocuments) this.schedule(nb.uri, 'open', () => this.checkNotebook(nb));
  }

  private request(doc: vscode.TextDocument, why: Why): void {
    if (doc.languageId !== 'markdown') return;
    if (doc.uri.scheme === 'vscode-notebook-cell') {
      const nb = notebookOf(doc.uri);
      // Each cell of a notebook opening is a document opening: one check of the notebook does for all.
      if (nb && (why !== 'open' || !this.cellsOf.has(nb.uri.toString()))) this.schedule(nb.uri, why, () => this.checkNotebook(nb));
      return;
    }
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled') return;
    this.schedule(doc.uri, why, () => this.checkFile(doc));
  }

  private schedule(uri: vscode.Uri, why: Why, run: () => void): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    if (why === 'type' && checkerSettings(uri).run === 'onSave') return;
    if (why === 'type') this.timers.set(key, setTimeout(() => this.guarded(run), DEBOUNCE_MS));
    else this.guarded(run);
  }

  private guarded(run: () => void): void {
    try {
      run();
    } catch (e) {
      // A bug must not cost the user the rest of the extension; the document stays as it was.
      this.log.error(`the math check failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  private checkFile(doc: vscode.TextDocument): void {
    if (doc.isClosed) return;
    const text = doc.getText();
    if (!mathEnabled(doc.uri)) {
      this.forget(doc.uri);
      return;
    }
    const result = checkMath([{ text }], { lang: this.locale(), file: vscode.workspace.asRelativePath(doc.uri) });
    this.equations.set(doc.uri.toString(), result.equations);
    this.diagnostics.set(doc.uri, result.findings.map((f) => toDiagnostic(doc, f, () => doc)));
    this.checked.fire(doc.uri);
  }

  private checkNotebook(nb: vscode.NotebookDocument): void {
    if (nb.isClosed) return;
    const cells = nb.getCells();
    this.clearCells(nb.uri);
    const sources: MathSource[] = cells.flatMap((c, i) => (isMarkdownCell(c) ? [{ text: c.document.getText(), cell: i + 1 }] : []));
    if (!mathEnabled(nb.uri) || sources.length === 0) return;
    const result = checkMath(sources, { lang: this.locale(), file: vscode.workspace.asRelativePath(nb.uri) });
    const docOf = (n: number | undefined): vscode.TextDocument | undefined => cells[(n ?? 1) - 1]?.document;
    const uris: vscode.Uri[] = [];
    for (const s of sources) {
      const doc = cells[s.cell! - 1]!.document;
      this.equations.set(doc.uri.toString(), result.equations.filter((e) => e.cell === s.cell));
      this.diagnostics.set(doc.uri, result.findings.filter((f) => f.cell === s.cell).map((f) => toDiagnostic(doc, f, docOf)));
      uris.push(doc.uri);
    }
    this.cellsOf.set(nb.uri.toString(), uris);
    this.checked.fire(nb.uri);
  }

  private clearCells(nb: vscode.Uri): void {
    for (const uri of this.cellsOf.get(nb.toString()) ?? []) {
      this.diagnostics.delete(uri);
      this.equations.delete(uri.toString());
    }
    this.cellsOf.delete(nb.toString());
  }

  private forget(uri: vscode.Uri): void {
    clearTimeout(this.timers.get(uri.toString()));
    this.timers.delete(uri.toString());
    this.clearCells(uri);
    this.diagnostics.delete(uri);
    this.equations.delete(uri.toString());
  }

  private hover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const equations = this.equations.get(doc.uri.toString());
    const e = equations && equationAt(equations, pos.line + 1, pos.character + 1);
    if (!e) return undefined;
    const md = new vscode.MarkdownString();
    hoverLines(e, this.locale()).forEach((line, i) => {
      if (i > 0) md.appendMarkdown('  \n');
      md.appendText(line);
    });
    md.appendMarkdown(`\n\n*${SOURCE}*`);
    return new vscode.Hover(md, new vscode.Range(e.line - 1, e.column - 1, e.endLine - 1, e.endColumn - 1));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

function toDiagnostic(doc: vscode.TextDocument, f: MathFinding, docOfCell: (cell: number | undefined) => vscode.TextDocument | undefined): vscode.Diagnostic {
  const range =
    f.endLine === f.line ? reportRange(doc, f.line, f.column, f.endColumn) : new vscode.Range(f.line - 1, f.column - 1, f.endLine - 1, f.endColumn - 1);
  const severity = f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const d = new vscode.Diagnostic(range, f.message, severity);
  d.source = SOURCE;
  d.code = f.code;
  if (f.related.length > 0) {
    d.relatedInformation = f.related.map((r) => {
      const at = docOfCell(r.cell) ?? doc;
      return new vscode.DiagnosticRelatedInformation(new vscode.Location(at.uri, reportRange(at, r.line, r.column, r.endColumn)), r.message);
    });
  }
  return d;
}
