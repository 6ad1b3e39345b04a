// `backprop-map exercise`: writes a new .py or .ipynb for the layer sizes asked for; an existing
// file, a missing folder, a wrong extension or bad sizes are one paragraph and exit 2.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../cli/cliRun';
import { todoTerms } from './exerciseSupport';

function inTemp(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'bpm-exercise-cli-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertOneParagraph(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /\n\s+at |internal error/);
}

test('writes the exercise for --hidden and --inputs, with the shapes of those sizes', () =>
  inTemp((dir) => {
    const out = join(dir, 'mine.py');
    const r = cli(['exercise', '--hidden', '16,8', '--inputs', '4', out]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /^def L_model_backward\(AL, Y, parameters, cache\):$/m);
    assert.match(text, /dW1 = \.\.\. {2}# TODO dW1 \(n_h1 × n_x\) = \(16 × 4\)/);
    assert.match(text, /dW3 = \.\.\. {2}# TODO dW3 \(n_y × n_h2\) = \(1 × 8\)/);
    assert.deepEqual(todoTerms(text), ['dZ3', 'dW3', 'db3', 'dA2', 'dZ2', 'dW2', 'db2', 'dA1', 'dZ1', 'dW1', 'db1']);
  }));

test('one hidden layer gives the notes backward_propagation; --lang de explains in German', () =>
  inTemp((dir) => {
    const out = join(dir, 'uebung.py');
    assert.equal(cli(['exercise', '--hidden', '16', '--lang', 'de', out]).code, 0);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /^def backward_propagation\(parameters, cache, X, Y\):$/m);
    assert.match(text, /# TODO dW2 \(n_y × n_h\) = \(1 × 16\)/);
    assert.match(text, /Schreib die Rückwärtsrechnung selbst/);
  }));

test('an existing file is never replaced: exit 2, the file as it was', () =>
  inTemp((dir) => {
    const out = join(dir, 'mine.py');
    writeFileSync(out, 'my own work\n');
    const r = cli(['exercise', out]);
    assert.equal(r.code, 2);
    assertOneParagraph(r.stderr, /mine\.py exists already; an exercise never replaces a file/);
    assert.equal(readFileSync(out, 'utf8'), 'my own work\n');
    const nb = join(dir, 'mine.ipynb');
    writeFileSync(nb, '{}');
    assert.equal(cli(['exercise', '--notebook', nb]).code, 2);
    assert.equal(readFileSync(nb, 'utf8'), '{}');
  }));

test('usage errors: a missing folder, a wrong extension, bad sizes or language, no file name', () =>
  inTemp((dir) => {
    const cases: [string[], RegExp][] = [
      [['exercise', join(dir, 'nope', 'a.py')], /the folder .*nope does not exist/],
      [['exercise', join(dir, 'a.ipynb')], /must end in \.py \(for a notebook, add --notebook\)/],
      [['exercise', '--notebook', join(dir, 'a.py')], /a notebook file must end in \.ipynb/],
      [['exercise', '--hidden', '0', join(dir, 'a.py')], /--hidden must list/],
      [['exercise', '--lang', 'fr', join(dir, 'a.py')], /--lang must be en or de/],
      [['exercise', '--inputs', '1.5', join(dir, 'a.py')], /--inputs must be a whole number/],
      // Decimal digits only, as docs/command-line.md says: no hexadecimal, no exponent.
      [['exercise', '--inputs', '1e3', join(dir, 'a.py')], /--inputs must be a whole number/],
      [['exercise', '--inputs', '0x10', join(dir, 'a.py')], /--inputs must be a whole number/],
      [['exercise', '--hidden', '0x10', join(dir, 'a.py')], /--hidden must list .*\(decimal digits\)/],
      [['exercise', '--hidden', '1e3', join(dir, 'a.py')], /--hidden must list/],
      ...(process.platform === 'linux' ? ([[['exercise', '/proc/a.py'], /Cannot write \/proc\/a\.py: no file can be created in the folder \/proc/]] as [string[], RegExp][]) : []),
      [['exercise'], /exercise needs OUT/],
      [['exercise', dir], /must end in \.py/],
    ];
    for (const [args, pattern] of cases) {
      const r = cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assertOneParagraph(r.stderr, pattern);
    }
  }));
