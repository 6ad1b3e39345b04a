// The files a run produces, each through its save dialog: the model file, the model as a Python
// script, the training history (CSV or JSON), and the panel's view as a PNG.
import * as vscode from 'vscode';
import { parseModelFile } from '../core/model';
import { historyCsv, historyJson } from '../data/history';
import { type ScriptKind, pythonScript } from '../export/pythonScript';
import { historyFileName, modelFileName, scriptFileName } from './fileNames';
import type { RunState, SavedModel } from './lastRun';
import { pngFromDataUrl } from './runFiles';

type Log = Pick<vscode.LogOutputChannel, 'info' | 'error'>;

/** A file of this name in the first workspace folder, as a save dialog's suggestion. */
export function defaultUri(fileName: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, fileName) : undefined;
}

async function write(uri: vscode.Uri, bytes: Uint8Array, what: string, log: Log): Promise<void> {
  try {
    await vscode.workspace.fs.writeFile(uri, bytes);
    log.info(`wrote ${what} to ${uri.fsPath}`);
  } catch (e) {
    void vscode.window.showErrorMessage(`Could not write ${what} to ${uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Save Trained Model…: `target` skips the save dialog (for code that calls the command). */
export async function saveModel(model: SavedModel, target: vscode.Uri | undefined, log: Log): Promise<vscode.Uri | undefined> {
  const uri = target ?? (await vscode.window.showSaveDialog({
    title: 'Save Trained Model',
    defaultUri: defaultUri(modelFileName(model.datasetName)),
    filters: { 'Backprop Map model': ['json'] },
    saveLabel: 'Save Model',
  }));
  if (!uri) return undefined;
  await write(uri, new TextEncoder().encode(JSON.stringify(model.json, null, 2) + '\n'), 'the model', log);
  return uri;
}

/**
 * Export as numpy… / Export as PyTorch…: the model as a Python script that predicts like
 * `backprop-map predict`. The save dialog asks before it replaces a file; a `target` given by code
 * that already exists is refused, never replaced.
 */
export async function exportScript(kind: ScriptKind, model: SavedModel, target: vscode.Uri | undefined, log: Log): Promise<vscode.Uri | undefined> {
  const title = kind === 'numpy' ? 'Export as numpy' : 'Export as PyTorch';
  const uri = target ?? (await vscode.window.showSaveDialog({
    title,
    defaultUri: defaultUri(scriptFileName(model.datasetName, kind)),
    filters: { Python: ['py'] },
    saveLabel: 'Export',
  }));
  if (!uri) return undefined;
  if (target && (await vscode.workspace.fs.stat(target).then(() => true, () => false))) {
    void vscode.window.showErrorMessage(`${target.fsPath} already exists; it was not replaced. Choose a new file name.`);
    return undefined;
  }
  let script: string;
  try {
    script = pythonScript(kind, parseModelFile(JSON.stringify(model.json), model.datasetName).model);
  } catch (e) {
    void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
    return undefined;
  }
  await write(uri, new TextEncoder().encode(script), 'the script', log);
  return uri;
}

export async function exportHistory(s: RunState, format: 'csv' | 'json', log: Log): Promise<void> {
  const uri = await vscode.window.showSaveDialog({
    title: 'Export Training History',
    defaultUri: defaultUri(historyFileName(s.info.datasetName, format)),
    filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
  });
  if (!uri) return;
  const text = format === 'csv' ? historyCsv(s.points, s.info.layerDims.length - 1) : historyJson(s.info, s.points, s.result);
  await write(uri, new TextEncoder().encode(text), 'the history', log);
}

export async function exportPng(dataUrl: string, log: Log): Promise<void> {
  const bytes = pngFromDataUrl(dataUrl);
  if (!bytes) {
    log.error('the panel sent an image that is not a PNG; nothing was written');
    return;
  }
  const uri = await vscode.window.showSaveDialog({ title: 'Export Backprop Map as PNG', defaultUri: defaultUri('backprop-map.png'), filters: { PNG: ['png'] } });
  if (uri) await write(uri, bytes, 'the image', log);
}
