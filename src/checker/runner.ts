import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PythonSetupError } from './python';
import type { CheckCode, CheckFunctions, CheckReport, CheckResult } from './types';

export interface CheckerRunnerOptions {
  /** A Python 3 with numpy (see findPython). */
  python: string;
  /** Time limit of one check; default 10000. */
  timeoutMs?: number;
  log?: (line: string) => void;
  /** The folder holding server.py; found next to the bundle by default. */
  harnessDir?: string;
}

export interface CheckOptions {
  functions?: CheckFunctions;
  signal?: AbortSignal;
  /** The checked file's folder: its modules (`from dnn_utils import relu_backward`) can be imported. */
  folder?: string;
}

/** Where the Python harness is: dist/checker next to a bundle, or the sources in a checkout. */
export function harnessDirectory(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    for (const c of [join(dir, 'checker'), join(dir, 'dist', 'checker'), join(dir, 'src', 'checker', 'python')]) {
      if (existsSync(join(c, 'server.py'))) return c;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`the derivation checker's Python files (server.py) were not found near ${__dirname}; reinstall the package`);
}

interface Waiting {
  id: number;
  resolve: (r: Omit<CheckResult, 'durationMs'>) => void;
  died: () => void;
}

const STARTUP_MS = 20000;
/** Beyond the server's own time limit (which reports the user's line), the runner's last resort. */
const WATCHDOG_EXTRA_MS = 5000;
const CANCEL_GRACE_MS = 3000;

/**
 * The servers' working folders (the checked code's current directory), made here rather than by
 * the server so that they go however it ends: with it, on stop, and at the latest when this
 * process exits. The server also removes its own when its input closes (this process killed).
 */
const workdirs = new Set<string>();
let removedOnExit = false;

function makeWorkdir(): string {
  if (!removedOnExit) {
    removedOnExit = true;
    process.on('exit', removeAllWorkdirs);
  }
  const dir = mkdtempSync(join(tmpdir(), 'backprop-map-check-'));
  workdirs.add(dir);
  return dir;
}

function removeWorkdir(dir: string): void {
  workdirs.delete(dir);
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // Already gone, or not ours to remove any more: nothing to do.
  }
}

function removeAllWorkdirs(): void {
  for (const dir of workdirs) removeWorkdir(dir);
}

/** A result that is one error report (as bpm_schema.failure builds it): the check gave none. */
function failure(file: string, code: CheckCode, message: string): Omit<CheckResult, 'durationMs'> {
  const report: CheckReport = { line: 1, column: 1, endColumn: 2, severity: 'error', code, message, related: [] };
  return { file, convention: null, dims: {}, tolerance: 1e-7, gradients: [], reports: [report], functions: [], traces: [], units: [] };
}

function abortError(): Error {
  const e = new Error('the check was cancelled');
  e.name = 'AbortError';
  return e;
}

/**
 * Runs checks in a warm Python process (a fork server with numpy imported), one at a time.
 * A check that hangs or crashes ends in a report; the server is restarted when it dies.
 */
export class CheckerRunner {
  private readonly python: string;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  private readonly harnessDir: string | undefined;
  private proc: ChildProcessWithoutNullStreams | null = null;
  private workdir: string | null = null;
  private started: Promise<void> | null = null;
  private waiting: Waiting | null = null;
  private cancelling: { id: number; timer: NodeJS.Timeout } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private stdoutBuf = '';
  private stderrTail = '';
  private disposed = false;

  constructor(options: CheckerRunnerOptions) {
    this.python = options.python;
    this.timeoutMs = options.timeoutMs ?? 10000;
    this.log = options.log ?? (() => {});
    this.harnessDir = options.harnessDir;
  }

  /** Checks the text of a (possibly unsaved) file; `fileName` is used in messages only. */
  check(text: string, fileName: string, options: CheckOptions = {}): Promise<CheckResult> {
    const run = this.queue.then(() => this.run(text, fileName, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Starts the Python server now (the first check otherwise pays for it). */
  warmUp(): Promise<void> {
    return this.start();
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  private async run(text: string, fileName: string, options: CheckOptions): Promise<CheckResult> {
    const { signal } = options;
    const t0 = performance.now();
    // A server that dies during a check was killed from outside (checks run in its children):
    // it is restarted and the check sent once more.
    for (let attempt = 0; ; attempt++) {
      if (this.disposed) throw new Error('the checker was disposed');
      if (signal?.aborted) throw abortError();
      await this.start();
      if (signal?.aborted) throw abortError();
      const result = await this.exchange(text, fileName, options);
      if (result === 'server-died' && attempt === 0) continue;
      const r = result === 'server-died' ? failure(fileName, 'crash', 'the checker process ended during the check; it restarts with the next check') : result;
      return { ...r, file: fileName, durationMs: Math.round((performance.now() - t0) * 10) / 10 };
    }
  }

  /** Sends one check to the running server and waits for its answer. */
  private exchange(text: string, fileName: string, options: CheckOptions): Promise<Omit<CheckResult, 'durationMs'> | 'server-died'> {
    const { signal } = options;
    const id = this.nextId++;
    const request = { id, text, fileName, functions: options.functions ?? null, timeoutMs: this.timeoutMs, folder: options.folder ?? null };
    return new Promise((resolve, reject) => {
      const watchdog = setTimeout(() => {
        this.log(`check ${id}: no answer within ${this.timeoutMs + WATCHDOG_EXTRA_MS} ms, restarting the checker`);
        finish();
        this.stop();
        resolve(failure(fileName, 'timeout', `the check did not finish within the time limit of ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs + WATCHDOG_EXTRA_MS);
      const onAbort = () => {
        finish();
        this.send({ cancel: id });
        // A server that does not answer the cancelled check soon is stuck: it is replaced.
        this.cancelling = { id, timer: setTimeout(() => this.stop(), CANCEL_GRACE_MS) };
        reject(abortError());
      };
      const finish = () => {
        clearTimeout(watchdog);
        signal?.removeEventListener('abort', onAbort);
        if (this.waiting?.id === id) this.waiting = null;
      };
      this.waiting = {
        id,
        resolve: (r) => {
          finish();
          resolve(r);
        },
        died: () => {
          finish();
          resolve('server-died');
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.send(request);
    });
  }

  private send(obj: unknown): void {
    if (this.proc?.stdin.writable) this.proc.stdin.write(JSON.stringify(obj) + '\n');
  }

  private start(): Promise<void> {
    if (this.started) return this.started;
    const dir = this.harnessDir ?? harnessDirectory();
    this.started = new Promise<void>((resolve, reject) => {
      let proc: ChildProcessWithoutNullStreams;
      let workdir: string;
      try {
        workdir = makeWorkdir();
      } catch (e) {
        this.started = null;
        reject(new Error(`the derivation checker cannot make its working folder in ${tmpdir()}: ${(e as Error).message}`));
        return;
      }
      try {
        proc = spawn(this.python, ['-B', join(dir, 'server.py'), workdir], {
          cwd: workdir,
          env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1' },
          stdio: ['pipe', 'pipe', 'pipe'],
          windowsHide: true,
        });
      } catch (e) {
        this.started = null;
        removeWorkdir(workdir);
        reject(new PythonSetupError('bad-python', `Cannot start "${this.python}": ${(e as Error).message}`));
        return;
      }
      this.proc = proc;
      this.workdir = workdir;
      this.stdoutBuf = '';
      this.stderrTail = '';
      let ready = false;
      const timer = setTimeout(() => {
        if (!ready) fail(new PythonSetupError('bad-python', `"${this.python}" did not start the checker within ${STARTUP_MS / 1000} s. ${this.stderrTail}`.trim()));
      }, STARTUP_MS);
      const fail = (e: Error) => {
        clearTimeout(timer);
        if (this.proc === proc) this.stop();
        reject(e);
      };
      proc.stdin.on('error', () => {}); // writing to a server that just died: its exit is handled below
      proc.stdout.setEncoding('utf8');
      proc.stderr.setEncoding('utf8');
      proc.stderr.on('data', (chunk: string) => {
        this.stderrTail = (this.stderrTail + chunk).slice(-2000);
        for (const line of chunk.split('\n')) if (line.trim()) this.log(`python: ${line}`);
      });
      proc.stdout.on('data', (chunk: string) => {
        this.stdoutBuf += chunk;
        let nl: number;
        while ((nl = this.stdoutBuf.indexOf('\n')) >= 0) {
          const line = this.stdoutBuf.slice(0, nl);
          this.stdoutBuf = this.stdoutBuf.slice(nl + 1);
          let msg: { ready?: boolean; python?: string; numpy?: string; id?: number; result?: Omit<CheckResult, 'durationMs'> };
          try {
            msg = JSON.parse(line);
          } catch {
            continue;
          }
          if (msg.ready) {
            ready = true;
            clearTimeout(timer);
            this.log(`checker ready: Python ${msg.python}, numpy ${msg.numpy}`);
            resolve();
          } else if (msg.result) {
            const w = this.waiting;
            if (w && w.id === msg.id) w.resolve(msg.result);
            const c = this.cancelling;
            if (c && c.id === msg.id) {
              clearTimeout(c.timer);
              this.cancelling = null;
            }
          }
        }
      });
      proc.on('error', (e: NodeJS.ErrnoException) => {
        removeWorkdir(workdir);
        fail(
          e.code === 'ENOENT'
            ? new PythonSetupError('bad-python', `The Python "${this.python}" does not exist; set the Python path setting or install Python 3 with numpy.`)
            : new PythonSetupError('bad-python', `Cannot start "${this.python}": ${e.message}`),
        );
      });
      proc.on('exit', (code, sig) => {
        clearTimeout(timer);
        removeWorkdir(workdir);
        const current = this.proc === proc;
        if (current) {
          this.proc = null;
          this.started = null;
        }
        if (!ready) {
          const noNumpy = /No module named '?numpy/.test(this.stderrTail);
          reject(
            noNumpy
              ? new PythonSetupError('no-numpy', `The derivation checker needs numpy, but "${this.python}" has none. Install it with \`${this.python} -m pip install numpy\` (or \`sudo apt install python3-numpy\`), or set the Python path setting.`)
              : new PythonSetupError('bad-python', `"${this.python}" could not run the checker (exit ${code ?? sig}). ${this.stderrTail.trim().split('\n').pop() ?? ''}`.trim()),
          );
          return;
        }
        this.log(`checker process ended (${code ?? sig})`);
        // The waiting check was sent to this process unless a new one has started since.
        if (current || this.proc === null) this.waiting?.died();
      });
    });
    return this.started;
  }

  private stop(): void {
    if (this.cancelling) clearTimeout(this.cancelling.timer);
    this.cancelling = null;
    const proc = this.proc;
    this.proc = null;
    this.started = null;
    if (proc && proc.exitCode === null) {
      proc.stdin.destroy();
      proc.kill('SIGKILL');
    }
    if (this.workdir) removeWorkdir(this.workdir);
    this.workdir = null;
  }
}
