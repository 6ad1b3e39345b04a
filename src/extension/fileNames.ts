// The file names the save dialogs suggest for what a run produced, from the run's dataset name
// (a file name, or sample:NAME for a built-in dataset). No `vscode`, so node:test checks them.
import type { ScriptKind } from '../export/pythonScript';

export function modelFileName(datasetName: string): string {
  return `${datasetName.replace(/\.(csv|tsv)$/i, '').replace(/[^\w.-]+/g, '-')}.model.json`;
}

export function historyFileName(datasetName: string, format: 'csv' | 'json'): string {
  return `${datasetName.replace(/^sample:/, '').replace(/\.(csv|tsv)$/i, '').replace(/[^\w.-]+/g, '-')}-history.${format}`;
}

/** A Python module name, so that the script can also be imported. */
export function scriptFileName(datasetName: string, kind: ScriptKind): string {
  return `${datasetName.replace(/^sample:/, '').replace(/\.(csv|tsv)$/i, '').replace(/\W+/g, '_')}_${kind}.py`;
}
