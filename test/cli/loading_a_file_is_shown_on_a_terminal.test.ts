import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseArgs } from '../../src/cli/args';
import type { Command } from '../../src/cli/command';
import { gradcheckCommand } from '../../src/cli/gradcheck';
import { trainCommand } from '../../src/cli/train';
import { DataError } from '../../src/data/errors';

const dir = mkdtempSync(join(tmpdir(), 'bpm-loading-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'small.csv');
writeFileSync(file, 'a,b,y\n1,2,0\n2,1,1\n3,3,0\n0,1,1\n');
const broken = join(dir, 'broken.csv');
writeFileSync(broken, 'a,b,y\n1,2,0\n2,x,1\n');

const commands: Record<string, Command> = { train: trainCommand, gradcheck: gradcheckCommand };
/** Runs a command as main.ts does, but in this process (main.ts starts the program when run itself). */
const run = (argv: readonly string[], ctx: ReturnType<typeof terminal>['ctx']) => {
  const command = commands[argv[0]!]!;
  return command.run(parseArgs(argv.slice(1), command.spec), ctx);
};

function terminal(isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const stream = (into: string[]) => ({ isTTY, columns: 100, write: (s: string) => (into.push(s), true) }) as unknown as NodeJS.WritableStream & { isTTY: boolean };
  return { out, err, ctx: { stdout: stream(out), stderr: stream(err), interrupt: new AbortController().signal } };
}

test('train on a terminal: "Loading FILE …" first, cleared before the run is described', async () => {
  const t = terminal(true);
  assert.equal(await run(['train', file, '--epochs', '2', '--hidden', '3'], t.ctx), 0);
  assert.equal(t.err[0], `Loading ${file} …`);
  assert.equal(t.err[1], '\r\x1b[2K');
  assert.match(t.out.join(''), /^Data {5}small\.csv: 4 examples/);
});

test('a data error on a terminal: the loading line is cleared before the message', async () => {
  for (const command of ['train', 'gradcheck']) {
    const t = terminal(true);
    // main.ts prints the DataError's message after this.
    await assert.rejects(run([command!, broken], t.ctx), (e: unknown) => e instanceof DataError && e.line === 3 && e.column === 2);
    assert.deepEqual(t.err, [`Loading ${broken} …`, '\r\x1b[2K'], command);
  }
});

test('nothing about loading when stderr is not a terminal, with --json, or for a built-in dataset', async () => {
  for (const [isTTY, args] of [
    [false, ['train', file, '--epochs', '1']],
    [true, ['train', file, '--epochs', '1', '--json']],
    [true, ['train', 'sample:xor', '--epochs', '1']],
    [true, ['gradcheck', file, '--json']],
  ] as const) {
    const t = terminal(isTTY);
    assert.equal(await run(args, t.ctx), 0, args.join(' '));
    assert.ok(!t.err.join('').includes('Loading'), args.join(' '));
  }
});
