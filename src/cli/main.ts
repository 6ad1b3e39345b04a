/**
 * `backprop-map`: the command line. Every command is an entry of COMMANDS; main() turns bad
 * input (UsageError, DataError, ModelError) into one paragraph on stderr and exit code 2, never
 * a stack trace.
 */
import { version } from '../../package.json';
import { EngineCapacityError } from '../core/fast/engine';
import { ModelError } from '../core/model';
import { DataError } from '../data/errors';
import { UsageError, helpText, parseArgs, suggestion, wrap } from './args';
import { type CliContext, type Command, EXIT } from './command';
import { checkCommand } from './check';
import { exerciseCommand } from './exercise';
import { exportCommand } from './export';
import { gradcheckCommand } from './gradcheck';
import { predictCommand } from './predict';
import { trainCommand } from './train';

const PROGRAM = 'backprop-map';

export const COMMANDS: Command[] = [trainCommand, gradcheckCommand, checkCommand, exerciseCommand, predictCommand, exportCommand];

export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  const indent = ' '.repeat(width + 2);
  const list = COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}${wrap(c.spec.summary, 98 - width, indent)}`).join('\n');
  return (
    `Usage: ${PROGRAM} COMMAND [arguments] [options]\n\n` +
    'Train, inspect and check the lecture notes\' backpropagation network on CSV data.\n\n' +
    `Commands:\n${list}\n\n` +
    `Run ${PROGRAM} COMMAND --help for a command's arguments and options.\n` +
    'Exit codes: 0 success, 1 a check failed, 2 bad input or usage, 130 stopped with Ctrl-C.\n'
  );
}

/** Runs one command line; resolves to the exit code. All output goes through ctx. */
export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.spec.name === rest[0]) : undefined;
    if (name === undefined) {
      ctx.stderr.write(overview());
      return EXIT.badInput;
    }
    ctx.stdout.write(topic ? helpText(topic.spec, PROGRAM) : overview());
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    ctx.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  try {
    if (command === undefined) {
      const hint = suggestion(name, COMMANDS.map((c) => c.spec.name), '');
      throw new UsageError(`Unknown command ${JSON.stringify(name)}.${hint} The commands are ${COMMANDS.map((c) => c.spec.name).join(', ')}.`);
    }
    const args = parseArgs(rest, command.spec);
    if (args.help) {
      ctx.stdout.write(helpText(command.spec, PROGRAM));
      return EXIT.ok;
    }
    return await command.run(args, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      const help = command ? `${PROGRAM} ${command.spec.name} --help` : `${PROGRAM} --help`;
      ctx.stderr.write(`${PROGRAM}: ${e.message}\nSee ${help}.\n`);
      return EXIT.badInput;
    }
    if (e instanceof DataError || e instanceof ModelError || e instanceof EngineCapacityError) {
      ctx.stderr.write(`${PROGRAM}: ${e.message}\n`);
      return EXIT.badInput;
    }
    // A bug, not the user's input: still one line, no stack trace unless asked for.
    const detail = process.env['BACKPROP_MAP_DEBUG'] ? `\n${(e as Error)?.stack ?? String(e)}` : ' (set BACKPROP_MAP_DEBUG=1 to see where)';
    ctx.stderr.write(`${PROGRAM}: internal error: ${(e as Error)?.message ?? String(e)}${detail}\n`);
    return EXIT.badInput;
  }
}

function start(): void {
  const controller = new AbortController();
  // Listening to SIGINT only while a command holds interrupts keeps node's own Ctrl-C (which
  // ends even a long synchronous computation at once) everywhere else.
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
  };
  let holds = 0;
  const holdInterrupts = (): (() => void) => {
    if (holds++ === 0) process.on('SIGINT', onSigint);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--holds === 0) process.off('SIGINT', onSigint);
    };
  };
  // `… | head` closes stdout early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
  });
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, interrupt: controller.signal, holdInterrupts }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${PROGRAM}: internal error: ${(e as Error)?.message ?? String(e)}\n`);
      process.exitCode = EXIT.badInput;
    },
  );
}

if (require.main === module) start();
