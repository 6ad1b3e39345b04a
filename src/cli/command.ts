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
  /** Aborted on Ctrl-C while interrupts are held: the command stops at a safe point and reports. */
  interrupt: AbortSignal;
  /**
   * From now until the returned release function is called, Ctrl-C aborts `interrupt` instead of
   * ending the process (a second Ctrl-C still ends it). Commands that never hold interrupts end
   * at once on Ctrl-C, as any program does. Absent where there is no process to interrupt (tests).
   */
  holdInterrupts?(): () => void;
}

/** One entry of the command table in main.ts. */
export interface Command {
  spec: CommandSpec;
  /** Resolves to the exit code; throws UsageError, DataError or ModelError for bad input. */
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}
