/**
 * The data's types that cross to the panel and the worker: where the training data comes from, and
 * a problem with it. Plain data, no node: the browser bundle's type check sees them too.
 */

/** A data problem, located where it can be (1-based line and column). */
export interface DataErrorInfo {
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
}

/** Where the training data comes from; the worker loads it so the extension host never parses. */
export type DataSource =
  | { kind: 'file'; path: string; text?: string; label: string | number | null; /** columns left out (by name or 1-based number) */ ignore?: string[] }
  | { kind: 'sample'; name: string };
