// The file names the save dialogs suggest for what a run produced, all from one base: the run's
// dataset name (a file name, or sample:NAME for a built-in dataset) without `sample:` and without
// .csv/.tsv. No `vscode`, so node:test checks them.
import type { ScriptKind } from '../export/pythonScript';

function baseName(datasetName: string): string {
  return datasetName.replace(/^sample:/, '').replace(/\.(csv|tsv)$/i, '');
}

/** The base with every run of characters a file name should not hold as one `-`. */
function fileBase(datasetName: string): string {
  return baseName(datasetName).replace(/[^\w.-]+/g, '-');
}

export function modelFileName(datasetName: string): string {
  return `${fileBase(datasetName)}.model.json`;
}

export function historyFileName(datasetName: string, format: 'csv' | 'json'): string {
  return `${fileBase(datasetName)}-history.${format}`;
}

/** A Python module name, so that the script can also be imported. */
export function scriptFileName(datasetName: string, kind: ScriptKind): string {
  return `${baseName(datasetName).replace(/\W+/g, '_')}_${kind}.py`;
}
