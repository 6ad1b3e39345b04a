import type { DataSource } from '../protocol';
import { type Dataset, loadDatasetFile, parseDataset } from './csv';
import { loadSample } from './samples';

/** The dataset a DataSource describes; DataError for anything wrong with it. */
export async function loadSource(source: DataSource): Promise<Dataset> {
  if (source.kind === 'sample') return loadSample(source.name);
  // An editor may pass the text of an unsaved document along with its path.
  if (source.text !== undefined) return parseDataset(source.text, { fileName: source.path, label: source.label });
  return loadDatasetFile(source.path, { label: source.label });
}

/** `sample:NAME` names a built-in dataset; anything else is a file path. */
export function parseSourceArgument(arg: string | undefined, label: string | number | null): DataSource {
  if (arg === undefined) return { kind: 'sample', name: 'flower' };
  if (arg.startsWith('sample:')) return { kind: 'sample', name: arg.slice('sample:'.length) };
  return { kind: 'file', path: arg, label };
}
