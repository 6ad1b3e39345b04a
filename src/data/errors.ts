import type { Dataset } from './csv';
import type { DataErrorInfo } from './types';

export interface DataErrorLocation {
  /** A file name as the user gave it (a sample is `sample:NAME`). */
  file?: string | null;
  /** 1-based physical line in the file. */
  line?: number | null;
  /** 1-based column of the table (the field number, not a character offset). */
  column?: number | null;
}

/**
 * Bad input data: the message is one complete paragraph for the user that already names the
 * file, line and column where it can; the location is also kept apart for editors to jump to.
 */
export class DataError extends Error {
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;

  constructor(message: string, where: DataErrorLocation = {}) {
    super(message);
    this.name = 'DataError';
    this.file = where.file ?? null;
    this.line = where.line ?? null;
    this.column = where.column ?? null;
  }

  toInfo(): DataErrorInfo {
    return { message: this.message, file: this.file, line: this.line, column: this.column };
  }
}

/** `"a", "b", "c" and 7 more` — for messages that list values or column names. */
export function listForMessage(items: readonly string[], max = 8, total = items.length): string {
  const shown = items.slice(0, max).map((s) => JSON.stringify(s));
  const rest = total - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/**
 * DataError when two feature columns share a name: a model finds its inputs by name, so a model
 * trained on them could be used nowhere (and a model file with such names is refused).
 */
export function checkDistinctFeatureNames(ds: Dataset): void {
  const first = new Map<string, number>();
  ds.featureNames.forEach((name, i) => {
    const before = first.get(name);
    if (before === undefined) first.set(name, i);
    else {
      throw new DataError(
        `${ds.name}: two feature columns are named ${JSON.stringify(name)}; a model finds its columns by name, so each needs a name of its own. Rename one in the header row, or leave one out with --ignore.`,
        { file: ds.name, line: 1 },
      );
    }
  });
}
