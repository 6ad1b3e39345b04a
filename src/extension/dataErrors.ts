// A problem with the training data, shown to the user: its message (naming file, line and column),
// and "Open File", which goes to that place in the table.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sniffTable } from '../data/sniff';
import type { DataErrorInfo } from '../data/types';
import { fieldOffset, inert } from './runFiles';
import type { TrainOutcome } from './workerRun';

export function showDataError(error: DataErrorInfo, uri: vscode.Uri | undefined, log: Pick<vscode.LogOutputChannel, 'warn'>): TrainOutcome {
  log.warn(`data error: ${error.message}`);
  const actions = uri ? ['Open File'] : [];
  void vscode.window.showErrorMessage(inert(error.message), ...actions).then(async (action) => {
    if (action === 'Open File' && uri) await revealDataError(uri, error);
  });
  return { kind: 'dataError', error };
}

/** Opens a table at a data error: its line, and the start of its field when the column is known. */
async function revealDataError(uri: vscode.Uri, error: DataErrorInfo): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const line = Math.min(Math.max((error.line ?? 1) - 1, 0), doc.lineCount - 1);
  let character = 0;
  if (error.column) {
    let delimiter = ',';
    try {
      delimiter = sniffTable(doc.getText(), path.basename(uri.fsPath)).delimiter;
    } catch {
      // the file is unreadable as a table: the line alone has to do
    }
    character = fieldOffset(doc.lineAt(line).text, delimiter, error.column);
  }
  const pos = new vscode.Position(line, character);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
}
