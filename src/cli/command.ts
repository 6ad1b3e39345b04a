import type { CommandSpec, ParsedArgs } from './args';

/** Exit codes of every command. */
export const EXIT = {
  ok: 0,
  /** The work ran, but its result failed a check (gradient check above 1e-7, training diverged). */
  checkFailed: 1,
  /** Bad input or usage: unreadable or malformed data or model files, unknown options, bad values. */
  badInput: 2,
  /** Stopped with Ctrl-C (128 + SIGINT, as shells report it); the results so far were still printed. */
  interrupted: 130,
} as const;

export interface CliContext {
  stdout: NodeJS.WritableStream;
  /** Messages and progress; the progress bar is drawn only when this is a terminal. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Aborted on Ctrl-C: long commands stop at the next safe point and report what they have. */
  interrupt: AbortSignal;
}

/** One entry of the command table in main.ts. */
export interface Command {
  spec: CommandSpec;
  /** Resolves to the exit code; throws UsageError, DataError or ModelError for bad input. */
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}
