/** One mocha test of the integration suite, as written by test/vscode/suite/index.ts. */
export interface SuiteResult {
  title: string;
  state: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  error?: string;
}
