import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli } from './cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-oneclass-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a training split holding one class only gets a note naming the class and what to do', () => {
  const file = join(dir, 'tiny.csv');
  writeFileSync(file, 'a;b;Kredit\n1,5;2;ja\n2,5;1;nein\n');
  // m = 2 and --val 0.5 keep one example apart: the one left for training is of one class.
  const r = cli(['train', file, '--val', '0.5', '--epochs', '3', '--hidden', '2']);
  assert.equal(r.code, 0, r.stderr);
  const note = /\nNote {5}the only training example is of class ([01]) \("(ja|nein)"\): there is nothing to learn the other class from; keep fewer examples apart with --val, or use more data\n/.exec(r.stdout);
  assert.ok(note, r.stdout);
  // ja/nein map to 1/0: the class and its label agree.
  assert.equal(note[2], note[1] === '1' ? 'ja' : 'nein');
});

test('no such note when both classes are in the training split', () => {
  const file = join(dir, 'both.csv');
  writeFileSync(file, 'a,y\n1,0\n2,1\n3,0\n4,1\n');
  const r = cli(['train', file, '--val', '0', '--epochs', '3', '--hidden', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /Note/);
});
