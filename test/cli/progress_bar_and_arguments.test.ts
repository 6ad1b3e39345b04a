import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CommandSpec, UsageError, hiddenOption, parseArgs } from '../../src/cli/args';
import { ProgressBar } from '../../src/cli/progress';
import type { EpochPoint } from '../../src/core/types';

function fakeTerminal(columns: number) {
  const writes: string[] = [];
  return { writes, stream: { columns, write: (s: string) => (writes.push(s), true) } as unknown as NodeJS.WritableStream & { columns: number } };
}

const point = (epoch: number, cost: number): EpochPoint => ({ epoch, cost, validationCost: 0.5, accuracy: 0.9, validationAccuracy: 0.8, gradNorms: [] });

test('the progress bar shows epoch, bar, cost, validation cost and time left within the terminal width', () => {
  for (const columns of [120, 60, 30]) {
    const t = fakeTerminal(columns);
    // A clock that starts at 0, as performance.now() nearly does in a fresh process.
    let ms = 0;
    const bar = new ProgressBar(t.stream, 0, 200, () => ms);
    ms = 5;
    bar.update(point(50, 0.25)); // the first update is always drawn
    ms = 90;
    bar.update(point(51, 0.24)); // within 100 ms of the last drawing: not drawn
    assert.equal(t.writes.length, 1);
    const line = t.writes[0]!.replace('\r\x1b[2K', '');
    assert.ok(line.length < columns, `${line.length} characters on a ${columns}-column terminal`);
    assert.match(line, /^epoch {2}50\/200 /);
    // Wide: the bar; narrower: the numbers without the bar; very narrow: cut at the edge.
    if (columns >= 100) assert.match(line, /^epoch {2}50\/200 █{10}░{30} {2}25% {2}cost 0\.2500 {2}val 0\.5000 {2}\d+:\d\d left$/);
    else if (columns >= 60) assert.match(line, /^epoch {2}50\/200 {3}25% {2}cost 0\.2500 {2}val 0\.5000 {2}\d+:\d\d left$/);
    ms = 106;
    bar.update(point(52, 0.23)); // 100 ms after the last drawing: drawn again
    assert.equal(t.writes.length, 2);
    assert.match(t.writes[1]!, /epoch {2}52\/200 /);
    bar.finish();
    assert.equal(t.writes.at(-1), '\r\x1b[2K');
  }
});

const spec: CommandSpec = {
  name: 'demo',
  summary: 'x',
  positionals: [{ name: 'FILE', help: '', optional: true }],
  options: { lr: { value: 'R', help: '' }, seed: { value: 'S', help: '' }, json: { help: '' }, hidden: { value: 'N', help: '' } },
};

test('arguments: --name value, --name=value, negative numbers as values, flags, -- and --help', () => {
  const a = parseArgs(['data.csv', '--lr=0.5', '--seed', '-3', '--json'], spec);
  assert.deepEqual(a.positionals, ['data.csv']);
  assert.deepEqual([...a.values], [['lr', '0.5'], ['seed', '-3']]);
  assert.deepEqual([...a.flags], ['json']);
  assert.equal(a.help, false);
  assert.deepEqual(parseArgs(['--', '--odd-name.csv'], spec).positionals, ['--odd-name.csv']);
  assert.equal(parseArgs(['-h'], spec).help, true);
  assert.throws(() => parseArgs(['-x'], spec), (e: unknown) => e instanceof UsageError && e.message === 'Unknown option -x. Options are written with two dashes, e.g. --epochs 500.');
  assert.throws(() => parseArgs(['--sede', '1'], spec), (e: unknown) => e instanceof UsageError && e.message === 'demo has no option --sede. Did you mean --seed?');
  assert.throws(() => parseArgs(['--lr', '--json'], spec), (e: unknown) => e instanceof UsageError && e.message === '--lr needs a value: --lr R.');
});

test('hidden layer sizes: 4 and 16,8 in decimal digits, spaces around them ignored; zero, gaps, non-numbers, hexadecimal and exponents are refused', () => {
  assert.deepEqual(hiddenOption(parseArgs(['--hidden', '4'], spec), [1]), [4]);
  assert.deepEqual(hiddenOption(parseArgs(['--hidden', '16, 8'], spec), [1]), [16, 8]);
  assert.deepEqual(hiddenOption(parseArgs(['--hidden', ' 3 , 4 '], spec), [1]), [3, 4]);
  assert.deepEqual(hiddenOption(parseArgs([], spec), [16, 8]), [16, 8]);
  for (const bad of ['0', '4,', 'x', '2.5', '5000', '0x10', '1e3', '16,0x8', '+4', '4 4']) assert.throws(() => hiddenOption(parseArgs(['--hidden', bad], spec), [1]), UsageError, bad);
});
