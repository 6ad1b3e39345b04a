// The reports a check makes at the lines of a helper module the checked file uses (`relu_backward` of
// dnn_utils.py, wrong on its own): shown in that module's own document, from every checked file that
// uses it, until the module is itself checked (its own check then reports the same faults).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckReport } from '../checker/types';
import { reportRange, severity, SOURCE } from './diagnosticRange';

export class HelperDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('backpropMap.helpers');
  /** checked file's URI -> helper module's URI -> its diagnostics from that check. */
  private readonly byChecked = new Map<string, Map<string, vscode.Diagnostic[]>>();
  private readonly reports = new WeakMap<vscode.Diagnostic, CheckReport>();

  /** `checkedItself`: whether a document has a check result of its own (its own diagnostics say it all). */
  constructor(private readonly checkedItself: (uri: vscode.Uri) => boolean) {}

  /**
   * The helper modules' reports of one check (those with a `file`); `folder`: the checked file's folder,
   * which their paths start from (an unsaved file has none, and its checks none of these).
   */
  set(checked: vscode.Uri, folder: string | undefined, reports: CheckReport[]): void {
    const mine = new Map<string, vscode.Diagnostic[]>();
    for (const r of reports) {
      if (r.file === undefined || folder === undefined) continue;
      const uri = vscode.Uri.file(path.join(folder, r.file));
      const d = new vscode.Diagnostic(this.range(uri, r.line, r.column, r.endColumn), r.message, severity(r.severity));
      d.source = SOURCE;
      d.code = r.code;
      if (r.related.length > 0) {
        d.relatedInformation = r.related.map((x) => {
          const at = x.file !== undefined ? vscode.Uri.file(path.join(folder, x.file)) : checked;
          return new vscode.DiagnosticRelatedInformation(new vscode.Location(at, this.range(at, x.line, 1, undefined)), x.message);
        });
      }
      this.reports.set(d, r);
      mine.set(uri.toString(), [...(mine.get(uri.toString()) ?? []), d]);
    }
    const before = this.byChecked.get(checked.toString());
    if (mine.size > 0) this.byChecked.set(checked.toString(), mine);
    else this.byChecked.delete(checked.toString());
    this.refresh([...mine.keys(), ...(before?.keys() ?? [])]);
  }

  /** A checked file closed: its reports about helper modules go. */
  forget(checked: vscode.Uri): void {
    const before = this.byChecked.get(checked.toString());
    this.byChecked.delete(checked.toString());
    this.refresh([...(before?.keys() ?? []), checked.toString()]);
  }

  /** A document's own check result came or went: its reports from others hide or show again. */
  refreshFor(uri: vscode.Uri): void {
    this.refresh([uri.toString()]);
  }

  clear(): void {
    this.byChecked.clear();
    this.collection.clear();
  }

  report(d: vscode.Diagnostic): CheckReport | undefined {
    return this.reports.get(d);
  }

  private refresh(keys: string[]): void {
    for (const key of new Set(keys)) {
      const uri = vscode.Uri.parse(key);
      const all = this.checkedItself(uri) ? [] : [...this.byChecked.values()].flatMap((m) => m.get(key) ?? []);
      this.collection.set(uri, dedupe(all));
    }
  }

  /** The range of a report in a module: by its text where it is open, else by the columns as given. */
  private range(uri: vscode.Uri, line: number, column: number, endColumn: number | undefined): vscode.Range {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc) return reportRange(doc, line, column, endColumn);
    const l = Math.max(line - 1, 0);
    return new vscode.Range(l, Math.max(column - 1, 0), l, Math.max(column, (endColumn ?? column + 1) - 1));
  }

  dispose(): void {
    this.collection.dispose();
  }
}

/** One diagnostic per place and message: two files using one module report its fault once. */
function dedupe(ds: vscode.Diagnostic[]): vscode.Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.range.start.line}:${d.range.start.character}:${typeof d.code === 'object' ? d.code.value : d.code ?? ''}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
