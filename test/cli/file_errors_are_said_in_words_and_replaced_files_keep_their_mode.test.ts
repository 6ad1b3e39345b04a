// What goes wrong with a path is said in words, naming the path the user gave (never a temporary
// file's name, never Node's "ELOOP: …"), with what to do. A replaced file keeps its mode; a
// read-only one is refused before any work, and stays as it was.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli } from './cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-file-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'model.json');
const trained = cli(['train', 'sample:xor', '--epochs', '2', '--hidden', '2', '--save', model]);
assert.equal(trained.code, 0, trained.stderr);

/** Exit 2 and one paragraph on stderr, matching `pattern`. */
function refused(args: string[], pattern: RegExp): void {
  const r = cli(args);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\bE[A-Z]{3,}\b|\.tmp\b/, 'no error code and no temporary file in the message');
}

test('a replaced file keeps its mode (0600 stays 0600)', () => {
  const out = join(dir, 'private.py');
  writeFileSync(out, '# old\n');
  chmodSync(out, 0o600);
  const r = cli(['export', model, '--to', 'numpy', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.match(readFileSync(out, 'utf8'), /^import numpy as np$/m);
});

test('a read-only file is refused before any work and stays as it was', () => {
  const out = join(dir, 'readonly.py');
  writeFileSync(out, '# keep me\n');
  chmodSync(out, 0o444);
  refused(['export', model, '--to', 'numpy', '--out', out], /--out .*readonly\.py: that file is read-only\. Make it writable \(chmod u\+w .*\) or choose another name\./);
  refused(['train', 'sample:xor', '--epochs', '2', '--hidden', '2', '--save', out], /--save .*readonly\.py: that file is read-only/);
  assert.equal(readFileSync(out, 'utf8'), '# keep me\n');
  assert.equal(statSync(out).mode & 0o777, 0o444);
});

test('a folder given for a script is answered with a script name', () => {
  const folder = join(dir, 'scripts');
  mkdirSync(folder);
  refused(['export', model, '--to', 'numpy', '--out', folder], /--out .*scripts: that is a folder; give a file name, e\.g\. .*scripts\/model\.py\./);
});

test('a folder that takes no new files is named, not the temporary file', { skip: process.platform !== 'linux' && 'no /proc here' }, () => {
  refused(['export', model, '--to', 'numpy', '--out', '/proc/o.py'], /^backprop-map: Cannot write \/proc\/o\.py: no file can be created in the folder \/proc \(the system does not allow it there\); choose another folder\.\n$/);
});

test('a loop of symbolic links and a name too long are said in words', () => {
  const loop = join(dir, 'loop.py');
  symlinkSync(loop, loop);
  refused(['check', loop], /cannot read .*loop\.py: it is a symbolic link that leads back to itself \(a loop of links\)\./);
  refused(['predict', model, loop], /Cannot read .*loop\.py: it is a symbolic link that leads back to itself/);
  const long = join(dir, `${'a'.repeat(256)}.py`);
  refused(['check', long], /the name is too long for the file system \(a file name has at most 255 bytes\)\./);
});
