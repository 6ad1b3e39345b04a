// How a checker's report becomes a diagnostic's place and severity: shared by the checked file's
// diagnostics, the helper modules' and the Markdown math's.
import * as vscode from 'vscode';

export const SOURCE = 'Backprop Map';

export function severity(s: string): vscode.DiagnosticSeverity {
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
