import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli } from './cliRun';

const noStack = (s: string) => assert.doesNotMatch(s, /^\s+at /m, `a stack trace leaked: ${s}`);

test('--help on the program and on every command: exit 0, usage on stdout', () => {
  const top = cli(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /^Usage: backprop-map COMMAND \[arguments\] \[options\]\n/);
  for (const name of ['train', 'gradcheck', 'predict']) assert.match(top.stdout, new RegExp(`\\n  ${name} `));

  const train = cli(['train', '--help']);
  assert.equal(train.code, 0);
  assert.match(train.stdout, /^Usage: backprop-map train \[FILE\.csv \| sample:NAME\] \[options\]\n/);
  for (const option of ['--label COL', '--hidden N[,N…]', '--lr R', '--epochs N', '--batch-size N', '--seed S', '--val F', '--no-standardize', '--init MODEL.json', '--save MODEL.json', '--json', '-h, --help']) {
    assert.ok(train.stdout.includes(`  ${option} `), `train --help lacks ${option}`);
  }
  assert.equal(cli(['help', 'train']).stdout, train.stdout);
  assert.equal(cli(['train', 'data.csv', '-h']).code, 0);

  const gradcheck = cli(['gradcheck', '--help']);
  assert.equal(gradcheck.code, 0);
  assert.match(gradcheck.stdout, /^Usage: backprop-map gradcheck \[FILE\.csv \| sample:NAME\] \[options\]\n/);
  const predict = cli(['predict', '--help']);
  assert.equal(predict.code, 0);
  assert.match(predict.stdout, /^Usage: backprop-map predict MODEL\.json FILE\.csv \[options\]\n/);
});

test('--version prints the package version', () => {
  const r = cli(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('no command: the overview on stderr, exit 2', () => {
  const r = cli([]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^Usage: backprop-map COMMAND/);
});

test('unknown commands and options: exit 2, one message with a suggestion and a pointer to --help', () => {
  const command = cli(['trian']);
  assert.equal(command.code, 2);
  assert.match(command.stderr, /^backprop-map: Unknown command "trian"\. Did you mean train\? The commands are train, gradcheck, .*predict, export\.\nSee backprop-map --help\.\n$/);
  const option = cli(['train', '--epoch', '3']);
  assert.equal(option.code, 2);
  assert.equal(option.stderr, 'backprop-map: train has no option --epoch. Did you mean --epochs?\nSee backprop-map train --help.\n');
  assert.equal(option.stdout, '');
});

test('bad option values: exit 2 with what was expected', () => {
  const cases: [string[], string][] = [
    [['--lr', '0'], '--lr must be a positive number such as 0.1, got "0".'],
    [['--lr', 'fast'], '--lr must be a positive number such as 0.1, got "fast".'],
    [['--val', '1'], '--val must be a fraction from 0 to below 1, such as 0.2, got "1".'],
    [['--epochs', '2.5'], '--epochs must be a whole number from 0 to 10000000, got "2.5".'],
    [['--seed', '-1'], '--seed must be a whole number from 0 to 4294967295, got "-1".'],
    [['--batch-size', '0'], '--batch-size must be a whole number ≥ 1, got "0".'],
    [['--hidden', '16,,8'], '--hidden must list up to 32 hidden layer sizes as whole numbers from 1 to 4096 separated by commas (decimal digits), e.g. --hidden 16 or --hidden 16,8; got "16,,8".'],
    [['--lr'], '--lr needs a value: --lr R.'],
    [['--lr', '0.1', '--lr', '0.2'], '--lr is given twice; give it once.'],
    [['--json=yes'], '--json is a switch and takes no value (got "yes").'],
    [['sample:moons', '--label', 'y'], '--label applies to CSV files; the built-in dataset sample:moons has its label already.'],
    [['a.csv', 'b.csv'], 'train takes at most 1 argument (FILE.csv | sample:NAME), but also got "b.csv".'],
  ];
  for (const [args, message] of cases) {
    const r = cli(['train', ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr, `backprop-map: ${message}\nSee backprop-map train --help.\n`);
  }
  const predict = cli(['predict', 'model.json']);
  assert.equal(predict.code, 2);
  assert.equal(predict.stderr, 'backprop-map: predict needs FILE.csv.\nSee backprop-map predict --help.\n');
});

test('unreadable input: the data error on stderr, exit 2, no stack trace', () => {
  const missing = cli(['train', 'no-such-file.csv']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'backprop-map: Cannot read no-such-file.csv: there is no such file.\n');
  const sample = cli(['gradcheck', 'sample:flowers']);
  assert.equal(sample.code, 2);
  assert.match(sample.stderr, /^backprop-map: There is no built-in dataset "flowers"\. The built-in datasets are "flower", "moons"/);
  const model = cli(['predict', 'no-model.json', 'sample:flower']);
  assert.equal(model.code, 2);
  assert.equal(model.stderr, 'backprop-map: Cannot read no-model.json: there is no such file.\n');
  for (const r of [missing, sample, model]) noStack(r.stderr);
});
