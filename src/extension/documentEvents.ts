// The text documents' life as both checkers follow it: a document opened, saved or edited asks for a
// check; a file closed (not a notebook cell: its notebook closing says that) is forgotten.
import * as vscode from 'vscode';

export type Why = 'open' | 'save' | 'type';

export function followTextDocuments(request: (doc: vscode.TextDocument, why: Why) => void, forget: (uri: vscode.Uri) => void): vscode.Disposable[] {
  return [
    vscode.workspace.onDidOpenTextDocument((doc) => request(doc, 'open')),
    vscode.workspace.onDidSaveTextDocument((doc) => request(doc, 'save')),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0) request(e.document, 'type');
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme !== 'vscode-notebook-cell') forget(doc.uri);
    }),
  ];
}
