import { type Dataset, loadDatasetFile, parseDataset } from './csv';
import { loadSample } from './samples';
import type { DataSource } from './types';

/** The dataset a DataSource describes; DataError for anything wrong with it. */
export async function loadSource(source: DataSource): Promise<Dataset> {
  if (source.kind === 'sample') return loadSample(source.name);
  // An editor may pass the text of an unsaved document along with its path.
  const options = { label: source.label, ignore: source.ignore };
  if (source.text !== undefined) return parseDataset(source.text, { fileName: source.path, ...options });
  return loadDatasetFile(source.path, options);
}

/** `sample:NAME` names a built-in dataset; anything else is a file path. */
export function parseSourceArgument(arg: string | undefined, label: string | number | null, ignore: string[] = []): DataSource {
  if (arg === undefined) return { kind: 'sample', name: 'flower' };
  if (arg.startsWith('sample:')) return { kind: 'sample', name: arg.slice('sample:'.length) };
  return ignore.length > 0 ? { kind: 'file', path: arg, label, ignore } : { kind: 'file', path: arg, label };
}
