// Runs the derivation checker on Python files and Jupyter notebooks and keeps the latest result
// per file: on open, on save and (debounced) while typing; never two checks of one file at once; a
// result for text that has changed since is dropped. Publishes diagnostics and tells the providers
// to refresh. A notebook is checked as a whole; each cell gets its own part of the result.
// Over 400 lines: one owner of each file's check state (scheduling, running, publishing), so that
// whether a result is stale is decided in one place.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkNotebook, type NotebookCell } from '../checker/notebook';
import { findPython, PythonSetupError } from '../checker/python';
import { CheckerRunner } from '../checker/runner';
import type { CheckFunctions, CheckReport, CheckResult } from '../checker/types';
import { reportRange, severity, SOURCE } from './diagnosticRange';
import { followTextDocuments, type Why } from './documentEvents';
import { HelperDiagnostics } from './helperDiagnostics';
import { onInterpreterChange, selectedInterpreter } from './interpreter';
import { affectsChecker, checkerSettings } from './settings';

export const DEBOUNCE_MS = 500;

/**
 * Quick test before starting Python: does the text have anything the checker looks for — a function
 * named like a forward, a backward or a loss (model classes have a `loss` method, layer classes
 * `forward` and `backward`), or a `# backprop-map:` comment?
 */
export const CHECKABLE = /\bdef\s+\w*(?:forward|backward|backprop|back_prop|loss)\w*\s*\(|backprop[-_ ]map/i;

/** A Python file, or a notebook with its cells: what one check covers. */
interface Target {
  uri: vscode.Uri;
  /** Changes with any edit of the text (a notebook: of any cell, or its cells' order). */
  stamp(): string;
  closed(): boolean;
  text(): string;
  document: vscode.TextDocument | undefined;
  notebook: vscode.NotebookDocument | undefined;
}

function fileTarget(doc: vscode.TextDocument): Target {
  return { uri: doc.uri, stamp: () => String(doc.version), closed: () => doc.isClosed, text: () => doc.getText(), document: doc, notebook: undefined };
}

function notebookTarget(nb: vscode.NotebookDocument): Target {
  return {
    uri: nb.uri,
    stamp: () => nb.getCells().map((c) => `${c.kind}:${c.document.languageId}:${c.document.uri.toString()}:${c.document.version}`).join('|'),
    closed: () => nb.isClosed,
    text: () => nb.getCells().map((c) => c.document.getText()).join('\n'),
    document: undefined,
    notebook: nb,
  };
}

/** The open notebook holding the cell document of this `vscode-notebook-cell:` URI, if any. */
export function notebookOf(uri: vscode.Uri): vscode.NotebookDocument | undefined {
  if (uri.scheme !== 'vscode-notebook-cell') return undefined;
  const key = uri.toString();
  return vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document.uri.toString() === key));
}

const isPythonCell = (c: vscode.NotebookCell) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === 'python';

interface FileState {
  /** The stamp of the text the shown result belongs to. */
  version: string;
  result: CheckResult | undefined;
  /** A notebook's cells' documents that got diagnostics. */
  cells: vscode.Uri[];
  running: Promise<void> | undefined;
  /** Another check was asked for while one was running. */
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  abort: AbortController | undefined;
}

export class CheckerService implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('backpropMap');
  /** A helper module's faults found through a checked file that uses it, shown in the module. */
  private readonly helpers = new HelperDiagnostics((uri) => this.files.get(uri.toString())?.result !== undefined);
  private readonly files = new Map<string, FileState>();
  /** A notebook cell's part of its notebook's result, by the cell document's URI. */
  private readonly cellResults = new Map<string, CheckResult>();
  private readonly reports = new WeakMap<vscode.Diagnostic, CheckReport>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a result changed: a file's, a notebook cell's part, and a notebook's whole (providers refresh their lenses and hints). */
  readonly onDidChangeResult = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.diagnostics, this.helpers, this.changed];
  private runner: Promise<CheckerRunner> | undefined;
  /** The setup problem already shown (no Python, no numpy): checks wait until something changes. */
  private setupProblem: string | undefined;
  private trustExplained = false;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const d = this.disposables;
    d.push(...followTextDocuments((doc, why) => this.request(doc, why), (uri) => this.forget(uri)));
    d.push(vscode.workspace.onDidOpenNotebookDocument((nb) => this.requestNotebook(nb, 'open')));
    d.push(vscode.workspace.onDidSaveNotebookDocument((nb) => this.requestNotebook(nb, 'save')));
    // Cells added, removed or moved (their text changes arrive as text document changes).
    d.push(vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.contentChanges.length > 0) this.requestNotebook(e.notebook, 'type');
    }));
    d.push(vscode.workspace.onDidCloseNotebookDocument((nb) => this.forget(nb.uri)));
    // The editor keeps a closed tab's document alive for a while; for the user the file is closed
    // when its last tab is, so its problems go then. Shown again, it is checked again.
    d.push(vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const tab of e.closed) {
        const uri = tabUri(tab);
        if (uri && !vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => tabUri(t)?.toString() === uri.toString()))) this.forget(uri);
      }
    }));
    d.push(vscode.window.onDidChangeVisibleTextEditors((editors) => {
      for (const { document } of editors) if (!this.files.has(document.uri.toString())) this.request(document, 'open');
    }));
    d.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.recheckAll()));
    d.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsChecker(e)) return;
      this.resetRunner();
      if (!checkerSettings().enabled) this.clearAll();
      this.recheckAll();
    }));
    void onInterpreterChange(() => {
      this.resetRunner();
      this.recheckAll();
    }).then((sub) => sub && d.push(sub));
    for (const doc of vscode.workspace.textDocuments) this.request(doc, 'open');
    for (const nb of vscode.workspace.notebookDocuments) this.requestNotebook(nb, 'open');
  }

  /** The latest applied result of a file, if any; of a notebook cell, the cell's part of it. */
  result(uri: vscode.Uri): CheckResult | undefined {
    return this.files.get(uri.toString())?.result ?? this.cellResults.get(uri.toString());
  }

  /** Where a location of a document's result is: in a notebook cell's result, `cell` names a sibling cell. */
  locate(uri: vscode.Uri, at: { line: number; cell?: number }): { uri: vscode.Uri; line: number } {
    const nb = at.cell === undefined ? undefined : notebookOf(uri);
    const cell = nb && at.cell! <= nb.cellCount ? nb.cellAt(at.cell! - 1) : undefined;
    return { uri: cell?.document.uri ?? uri, line: at.line };
  }

  report(d: vscode.Diagnostic): CheckReport | undefined {
    return this.reports.get(d) ?? this.helpers.report(d);
  }

  /**
   * Checks a document (or a notebook, also through one of its cells) now — the command and
   * "Re-check" — whatever the on-type setting says, and resolves once the result for its current
   * text is applied; undefined when it could not run.
   */
  async checkNow(what: vscode.TextDocument | vscode.NotebookDocument): Promise<CheckResult | undefined> {
    const nb = 'cellCount' in what ? what : notebookOf(what.uri);
    const target = nb ? notebookTarget(nb) : fileTarget(what as vscode.TextDocument);
    if (!this.mayRun(true)) return undefined;
    this.setupProblem = undefined;
    const st = this.state(target.uri);
    clearTimeout(st.timer);
    await this.check(target);
    return st.version === target.stamp() ? st.result : undefined;
  }

  private request(doc: vscode.TextDocument, why: Why): void {
    if (doc.languageId !== 'python') return;
    if (doc.uri.scheme === 'vscode-notebook-cell') {
      const nb = notebookOf(doc.uri);
      // A cell shown again asks for a check only when its notebook has none yet.
      if (nb && (why !== 'open' || !this.files.has(nb.uri.toString()))) this.requestNotebook(nb, why);
      return;
    }
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled') return;
    this.schedule(fileTarget(doc), why);
  }

  private requestNotebook(nb: vscode.NotebookDocument, why: Why): void {
    if (nb.getCells().some(isPythonCell)) this.schedule(notebookTarget(nb), why);
  }

  private schedule(target: Target, why: Why): void {
    const settings = checkerSettings(target.uri);
    if (!settings.enabled || (why === 'type' && settings.run === 'onSave')) return;
    if (!this.mayRun(false)) return;
    const st = this.state(target.uri);
    clearTimeout(st.timer);
    if (why === 'type') {
      st.timer = setTimeout(() => void this.check(target), DEBOUNCE_MS);
    } else {
      void this.check(target);
    }
  }

  /** Workspace trust and setup problems: said once, not per keystroke. */
  private mayRun(explicit: boolean): boolean {
    if (!vscode.workspace.isTrusted) {
      if (!this.trustExplained || explicit) {
        this.trustExplained = true;
        void vscode.window
          .showInformationMessage(
            'Backprop Map does not check gradients in this workspace because it is not trusted: the check runs the Python code of your file.',
            'Manage Workspace Trust',
          )
          .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
      }
      return false;
    }
    return this.setupProblem === undefined || explicit;
  }

  private state(uri: vscode.Uri): FileState {
    const key = uri.toString();
    let st = this.files.get(key);
    if (!st) {
      st = { version: '', result: undefined, cells: [], running: undefined, again: false, timer: undefined, abort: undefined };
      this.files.set(key, st);
    }
    return st;
  }

  /** One check at a time per file: a request during a check runs once more afterwards. */
  private check(target: Target): Promise<void> {
    const st = this.state(target.uri);
    if (st.running) {
      st.again = true;
      return st.running;
    }
    const run = this.runOnce(target, st).finally(() => {
      st.running = undefined;
      if (st.again && !target.closed() && this.files.get(target.uri.toString()) === st) {
        st.again = false;
        return this.check(target);
      }
      return undefined;
    });
    st.running = run;
    return run;
  }

  private async runOnce(target: Target, st: FileState): Promise<void> {
    const version = target.stamp();
    const text = target.text();
    const name = vscode.workspace.asRelativePath(target.uri);
    const functions = definedIn(text, checkerSettings(target.uri).functions);
    if (!CHECKABLE.test(text) && !functions.backward) {
      this.apply(target, st, version, undefined);
      return;
    }
    let runner: CheckerRunner;
    try {
      runner = await this.getRunner(target.uri);
    } catch (e) {
      this.setupFailed(e);
      return;
    }
    const abort = new AbortController();
    st.abort = abort;
    const t0 = Date.now();
    let result: CheckResult;
    try {
      const options = {
        signal: abort.signal,
        ...(Object.keys(functions).length > 0 ? { functions } : {}),
        ...(target.uri.scheme === 'file' ? { folder: path.dirname(target.uri.fsPath) } : {}),
      };
      const fileName = target.uri.scheme === 'file' ? target.uri.fsPath : name;
      result = target.notebook
        ? await checkNotebook(runner, target.notebook.getCells().map((c): NotebookCell => ({ code: isPythonCell(c), text: c.document.getText() })), fileName, options)
        : await runner.check(text, fileName, options);
    } catch (e) {
      if (abort.signal.aborted) return;
      if (e instanceof PythonSetupError) {
        this.setupFailed(e);
        return;
      }
      this.log.error(`check of ${name} (version ${version}) failed after ${Date.now() - t0} ms: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return;
    } finally {
      st.abort = undefined;
    }
    const errors = result.reports.filter((r) => r.severity === 'error').length;
    const warnings = result.reports.length - errors;
    const stale = target.closed() || target.stamp() !== version;
    this.log.info(`checked ${name} in ${Date.now() - t0} ms: ${result.functions.map((f) => f.name).join(', ') || 'no checkable functions'}; ` +
      `${errors} error(s), ${warnings} other report(s)${stale ? ' — dropped, the text has changed since' : ''}`);
    if (!stale) this.apply(target, st, version, result);
  }

  private apply(target: Target, st: FileState, version: string, result: CheckResult | undefined): void {
    if (this.files.get(target.uri.toString()) !== st) return; // closed while it was checked
    st.version = version;
    st.result = result;
    // A report with a `file` is at a line of a helper module: it goes there, not to this file's lines.
    const reports = result?.reports.filter((r) => r.file === undefined) ?? [];
    this.helpers.set(target.uri, target.uri.scheme === 'file' ? path.dirname(target.uri.fsPath) : undefined, result?.reports ?? []);
    this.helpers.refreshFor(target.uri);
    const { notebook: nb, document: doc } = target;
    if (!nb) {
      this.diagnostics.set(target.uri, result && doc ? reports.map((r) => this.toDiagnostic(doc, r, () => doc)) : []);
      this.changed.fire(target.uri);
      return;
    }
    const cells = nb.getCells();
    this.clearCells(st, new Set(cells.map((c) => c.document.uri.toString())));
    const cellDoc = (n: number | undefined) => cells[(n ?? 1) - 1]?.document;
    cells.forEach((cell, i) => {
      const n = i + 1;
      const own = <T extends { cell?: number }>(xs: T[]) => xs.filter((x) => x.cell === n);
      if (result && isPythonCell(cell)) {
        // The cell's reports, functions, traces and units; the gradients are the whole notebook's.
        this.cellResults.set(cell.document.uri.toString(), { ...result, reports: own(reports), functions: own(result.functions), traces: own(result.traces), units: own(result.units) });
        this.diagnostics.set(cell.document.uri, own(reports).map((r) => this.toDiagnostic(cell.document, r, cellDoc)));
        st.cells.push(cell.document.uri);
      }
      this.changed.fire(cell.document.uri);
    });
    // And the notebook's own: the exercise marks follow the whole notebook's result.
    this.changed.fire(target.uri);
  }

  /**
   * Removes a notebook's diagnostics and cell results (its cells may have moved or gone since).
   * `refilled`: cells the caller fires "changed" for itself, so that providers refresh once.
   */
  private clearCells(st: FileState, refilled: ReadonlySet<string> = new Set()): void {
    for (const uri of st.cells) {
      this.diagnostics.delete(uri);
      this.cellResults.delete(uri.toString());
      if (!refilled.has(uri.toString())) this.changed.fire(uri);
    }
    st.cells = [];
  }

  private toDiagnostic(doc: vscode.TextDocument, r: CheckReport, docOfCell: (cell: number | undefined) => vscode.TextDocument | undefined): vscode.Diagnostic {
    const d = new vscode.Diagnostic(reportRange(doc, r.line, r.column, r.endColumn), r.message, severity(r.severity));
    d.source = SOURCE;
    d.code = r.code;
    if (r.related.length > 0) {
      d.relatedInformation = r.related.map((rel) => {
        const at = docOfCell(rel.cell) ?? doc;
        return new vscode.DiagnosticRelatedInformation(new vscode.Location(at.uri, reportRange(at, rel.line, 1, undefined)), rel.message);
      });
    }
    this.reports.set(d, r);
    return d;
  }

  private getRunner(resource: vscode.Uri): Promise<CheckerRunner> {
    const lookup = (this.runner ??= (async () => {
      const settings = checkerSettings(resource);
      const selected = settings.pythonPath ? undefined : await selectedInterpreter(resource);
      const python = await findPython(settings.pythonPath || selected);
      const source = settings.pythonPath ? ', from backpropMap.checker.pythonPath' : selected ? ', selected in the Python extension' : '';
      this.log.info(`gradient checker uses ${python.path} (Python ${python.version}${source})`);
      return new CheckerRunner({ python: python.path, timeoutMs: settings.timeoutMs, log: (line: string) => this.log.debug(line) });
    })());
    return lookup.catch((e: unknown) => {
      // A failed lookup is not cached: the next explicit check tries again.
      if (this.runner === lookup) {
        this.runner = undefined;
        throw e;
      }
      // The interpreter or the settings changed while this one was tried: only the new one counts.
      return this.getRunner(resource);
    });
  }

  private setupFailed(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.log.error(`gradient checker cannot run: ${message}`);
    if (this.setupProblem === message) return;
    this.setupProblem = message;
    void vscode.window.showErrorMessage(`Backprop Map cannot check gradients: ${message}`, 'Open Settings', 'Retry').then((a) => {
      if (a === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'backpropMap.checker.pythonPath');
      else if (a === 'Retry') {
        this.setupProblem = undefined;
        this.recheckAll();
      }
    });
  }

  private resetRunner(): void {
    const old = this.runner;
    this.runner = undefined;
    this.setupProblem = undefined;
    void old?.then((r) => r.dispose(), () => {});
  }

  private recheckAll(): void {
    for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme !== 'vscode-notebook-cell') this.request(doc, 'open');
    for (const nb of vscode.workspace.notebookDocuments) this.requestNotebook(nb, 'open');
  }

  private clearAll(): void {
    this.diagnostics.clear();
    this.helpers.clear();
    this.cellResults.clear();
    for (const [key, st] of this.files) {
      st.result = undefined;
      this.changed.fire(vscode.Uri.parse(key));
      for (const cell of st.cells) this.changed.fire(cell);
      st.cells = [];
    }
  }

  private forget(uri: vscode.Uri): void {
    const st = this.files.get(uri.toString());
    if (st) {
      clearTimeout(st.timer);
      st.abort?.abort();
      this.files.delete(uri.toString());
      this.clearCells(st);
    }
    this.diagnostics.delete(uri);
    this.helpers.forget(uri);
    this.changed.fire(uri);
  }

  dispose(): void {
    for (const st of this.files.values()) {
      clearTimeout(st.timer);
      st.abort?.abort();
    }
    this.resetRunner();
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The functions named in the settings that this file defines: a workspace-wide setting must not
 * turn every other Python file into an error about a missing function.
 */
function definedIn(text: string, named: CheckFunctions): CheckFunctions {
  const out: CheckFunctions = {};
  for (const [role, name] of Object.entries(named) as [keyof CheckFunctions, string][]) {
    if (new RegExp(`^\\s*def\\s+${name}\\s*\\(`, 'm').test(text)) out[role] = name;
  }
  return out;
}

function tabUri(tab: vscode.Tab): vscode.Uri | undefined {
  return tab.input instanceof vscode.TabInputText || tab.input instanceof vscode.TabInputNotebook ? tab.input.uri : undefined;
}
