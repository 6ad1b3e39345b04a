// Runs the derivation checker on Python files and keeps the latest result per file: on open, on
// save and (debounced) while typing; never two checks of one file at once; a result for text that
// has changed since is dropped. Publishes diagnostics and tells the providers to refresh.
import * as vscode from 'vscode';
import { findPython, PythonSetupError } from '../checker/python';
import { CheckerRunner } from '../checker/runner';
import type { CheckFunctions, CheckReport, CheckResult } from '../checker/types';
import { onInterpreterChange, selectedInterpreter } from './interpreter';
import { affectsChecker, checkerSettings } from './settings';

export const SOURCE = 'Backprop Map';
const DEBOUNCE_MS = 500;

/** Quick test before starting Python: does the text have anything the checker looks for? */
const CHECKABLE = /\bdef\s+\w*(?:backward|backprop|back_prop)\w*\s*\(|backprop[-_ ]map/i;

interface FileState {
  /** The document version the shown result belongs to. */
  version: number;
  result: CheckResult | undefined;
  running: Promise<void> | undefined;
  /** Another check was asked for while one was running. */
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  abort: AbortController | undefined;
}

export class CheckerService implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('backpropMap');
  private readonly files = new Map<string, FileState>();
  private readonly reports = new WeakMap<vscode.Diagnostic, CheckReport>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a file's result changed (providers refresh their lenses and hints). */
  readonly onDidChangeResult = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.diagnostics, this.changed];
  private runner: Promise<CheckerRunner> | undefined;
  /** The setup problem already shown (no Python, no numpy): checks wait until something changes. */
  private setupProblem: string | undefined;
  private trustExplained = false;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const d = this.disposables;
    d.push(vscode.workspace.onDidOpenTextDocument((doc) => this.request(doc, 'open')));
    d.push(vscode.workspace.onDidSaveTextDocument((doc) => this.request(doc, 'save')));
    d.push(vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0) this.request(e.document, 'type');
    }));
    d.push(vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri)));
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
  }

  /** The latest applied result of a file, if any. */
  result(uri: vscode.Uri): CheckResult | undefined {
    return this.files.get(uri.toString())?.result;
  }

  report(d: vscode.Diagnostic): CheckReport | undefined {
    return this.reports.get(d);
  }

  /**
   * Checks a document now (the command and "Re-check"), whatever the on-type setting says, and
   * resolves once the result for its current text is applied; undefined when it could not run.
   */
  async checkNow(doc: vscode.TextDocument): Promise<CheckResult | undefined> {
    if (!this.mayRun(doc, true)) return undefined;
    this.setupProblem = undefined;
    const st = this.state(doc.uri);
    clearTimeout(st.timer);
    await this.check(doc);
    return st.version === doc.version ? st.result : undefined;
  }

  private request(doc: vscode.TextDocument, why: 'open' | 'save' | 'type'): void {
    if (doc.languageId !== 'python' || (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled')) return;
    const settings = checkerSettings(doc.uri);
    if (!settings.enabled || (why === 'type' && settings.run === 'onSave')) return;
    if (!this.mayRun(doc, false)) return;
    const st = this.state(doc.uri);
    clearTimeout(st.timer);
    if (why === 'type') {
      st.timer = setTimeout(() => void this.check(doc), DEBOUNCE_MS);
    } else {
      void this.check(doc);
    }
  }

  /** Workspace trust and setup problems: said once, not per keystroke. */
  private mayRun(doc: vscode.TextDocument, explicit: boolean): boolean {
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
    if (this.setupProblem !== undefined && !explicit) return false;
    return doc.languageId === 'python';
  }

  private state(uri: vscode.Uri): FileState {
    const key = uri.toString();
    let st = this.files.get(key);
    if (!st) {
      st = { version: -1, result: undefined, running: undefined, again: false, timer: undefined, abort: undefined };
      this.files.set(key, st);
    }
    return st;
  }

  /** One check at a time per file: a request during a check runs once more afterwards. */
  private check(doc: vscode.TextDocument): Promise<void> {
    const st = this.state(doc.uri);
    if (st.running) {
      st.again = true;
      return st.running;
    }
    const run = this.runOnce(doc, st).finally(() => {
      st.running = undefined;
      if (st.again && !doc.isClosed && this.files.get(doc.uri.toString()) === st) {
        st.again = false;
        return this.check(doc);
      }
      return undefined;
    });
    st.running = run;
    return run;
  }

  private async runOnce(doc: vscode.TextDocument, st: FileState): Promise<void> {
    const version = doc.version;
    const text = doc.getText();
    const name = vscode.workspace.asRelativePath(doc.uri);
    const functions = definedIn(text, checkerSettings(doc.uri).functions);
    if (!CHECKABLE.test(text) && !functions.backward) {
      this.apply(doc, st, version, undefined);
      return;
    }
    let runner: CheckerRunner;
    try {
      runner = await this.getRunner(doc.uri);
    } catch (e) {
      this.setupFailed(e);
      return;
    }
    const abort = new AbortController();
    st.abort = abort;
    const t0 = Date.now();
    let result: CheckResult;
    try {
      result = await runner.check(text, doc.fileName, { signal: abort.signal, ...(Object.keys(functions).length > 0 ? { functions } : {}) });
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
    const stale = doc.isClosed || doc.version !== version;
    this.log.info(`checked ${name} (version ${version}) in ${Date.now() - t0} ms: ${result.functions.map((f) => f.name).join(', ') || 'no checkable functions'}; ` +
      `${errors} error(s), ${warnings} other report(s)${stale ? ' — dropped, the text has changed since' : ''}`);
    if (!stale) this.apply(doc, st, version, result);
  }

  private apply(doc: vscode.TextDocument, st: FileState, version: number, result: CheckResult | undefined): void {
    if (this.files.get(doc.uri.toString()) !== st) return; // closed while it was checked
    st.version = version;
    st.result = result;
    this.diagnostics.set(doc.uri, result ? result.reports.map((r) => this.toDiagnostic(doc, r)) : []);
    this.changed.fire(doc.uri);
  }

  private toDiagnostic(doc: vscode.TextDocument, r: CheckReport): vscode.Diagnostic {
    const d = new vscode.Diagnostic(reportRange(doc, r.line, r.column, r.endColumn), r.message, severity(r.severity));
    d.source = SOURCE;
    d.code = r.code;
    if (r.related.length > 0) {
      d.relatedInformation = r.related.map(
        (rel) => new vscode.DiagnosticRelatedInformation(new vscode.Location(doc.uri, reportRange(doc, rel.line, 1, undefined)), rel.message),
      );
    }
    this.reports.set(d, r);
    return d;
  }

  private getRunner(resource: vscode.Uri): Promise<CheckerRunner> {
    this.runner ??= (async () => {
      const settings = checkerSettings(resource);
      const preferred = settings.pythonPath || (await selectedInterpreter(resource));
      const python = await findPython(preferred || undefined);
      this.log.info(`gradient checker uses ${python.path} (Python ${python.version})`);
      return new CheckerRunner({ python: python.path, timeoutMs: settings.timeoutMs, log: (line: string) => this.log.debug(line) });
    })();
    // A failed lookup is not cached: the next explicit check tries again.
    this.runner.catch(() => (this.runner = undefined));
    return this.runner;
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
    for (const doc of vscode.workspace.textDocuments) this.request(doc, 'open');
  }

  private clearAll(): void {
    this.diagnostics.clear();
    for (const [key, st] of this.files) {
      st.result = undefined;
      this.changed.fire(vscode.Uri.parse(key));
    }
  }

  private forget(uri: vscode.Uri): void {
    const st = this.files.get(uri.toString());
    if (st) {
      clearTimeout(st.timer);
      st.abort?.abort();
      this.files.delete(uri.toString());
    }
    this.diagnostics.delete(uri);
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
  return tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
}

function severity(s: string): vscode.DiagnosticSeverity {
  return s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

/** The checker's 1-based line and columns as a range inside the document (a whole line's text when no columns). */
export function reportRange(doc: vscode.TextDocument, line: number, column: number | undefined, endColumn: number | undefined): vscode.Range {
  const l = Math.min(Math.max(line - 1, 0), doc.lineCount - 1);
  const text = doc.lineAt(l);
  const start = column && column > 1 ? Math.min(column - 1, text.text.length) : text.firstNonWhitespaceCharacterIndex;
  const end = endColumn && endColumn - 1 > start ? Math.min(endColumn - 1, text.text.length) : text.text.length;
  return new vscode.Range(l, start, l, Math.max(start, end));
}
