export function codeServerDir(): string;
export function ensureCodeServer(scriptsDir: string, timeoutMs?: number): string;
export function freePort(): Promise<number>;
export interface CodeServer {
  port: number;
  url: string;
  pgid: number;
  /** The last lines the server printed. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(graceMs?: number): Promise<void>;
}
export function startCodeServer(options: {
  stateDir: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  log?: (line: string) => void;
  /** Ask whether a folder is trusted, as a user's VS Code does (off by default: all trusted). */
  workspaceTrust?: boolean;
}): Promise<CodeServer>;
export function installExtension(stateDir: string, vsix: string): string;
export function workbenchUrl(server: { url: string; port: number }, what: { folder: string; extensionPath?: string; testsPath?: string }): string;
