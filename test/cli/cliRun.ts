// Runs the built command line (dist/cli.js) as a user would, for the end-to-end tests.
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(__dirname, '../../../dist/cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: options.cwd,
    input: options.input,
    timeout: 120_000,
    env: { ...process.env, BACKPROP_MAP_DEBUG: '', ...options.env },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the command line without blocking; after `limitMs` it is killed and `killed` is true. Each
 * stream keeps its first MiB: a runaway report must not fill the test's memory.
 */
export function cliAsync(args: string[], options: { cwd: string; limitMs: number; env?: NodeJS.ProcessEnv }): Promise<CliResult & { killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BACKPROP_MAP_DEBUG: '', ...options.env } });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, options.limitMs);
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout = (stdout + s).slice(0, 1 << 20)));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(0, 1 << 20)));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

/** Starts a run, sends Ctrl-C (SIGINT) once `ready(stdout)` holds, and collects the rest. */
export function cliInterrupted(args: string[], ready: (stdout: string) => boolean): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 60 s; stdout so far: ${stdout.slice(-500)}`));
    }, 60_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      if (!sent && ready(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The lines of a `--json` run, parsed. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
