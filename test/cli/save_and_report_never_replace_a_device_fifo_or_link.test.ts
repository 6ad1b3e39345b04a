// --save and --report replace only a regular file (through a temporary file and a rename). A
// device, a FIFO or the file behind stdout is written straight into; a symbolic link is written
// through. Devices are private copies made with mknod, so that no system device is at risk.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdtempSync, openSync, readFileSync, readSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, cli } from './cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-targets-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'small.csv');
writeFileSync(data, 'a,b,y\n1,2,0\n2,1,1\n3,3,0\n0,1,1\n2,2,0\n1,1,1\n');
const train = ['train', data, '--epochs', '2', '--hidden', '2'];

function mknod(name: string, minor: string): string | null {
  const path = join(dir, name);
  try {
    execFileSync('mknod', ['-m', '666', path, 'c', '1', minor], { stdio: 'ignore' });
    return path;
  } catch {
    return null;
  }
}
const nullDevice = mknod('mynull', '3');
const fullDevice = mknod('myfull', '7');
const noMknod = nullDevice === null || fullDevice === null ? 'mknod is not allowed here (not root); the FIFO tests still run' : false;

test('--save into a null device succeeds and leaves the device a device', { skip: noMknod }, () => {
  const r = cli([...train, '--save', nullDevice!]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Saved the model to .*mynull\./);
  assert.ok(statSync(nullDevice!).isCharacterDevice());
});

test('--report into a full device fails with "disk full" and leaves the device a device', { skip: noMknod }, () => {
  const r = cli([...train, '--report', fullDevice!]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `backprop-map: Cannot write ${fullDevice}: the disk is full (no space left on the device).\n`);
  assert.ok(statSync(fullDevice!).isCharacterDevice());
});

test('--save into a FIFO nobody reads fails at once and the FIFO stays', () => {
  const fifo = join(dir, 'unread.fifo');
  execFileSync('mkfifo', [fifo]);
  const r = cli([...train, '--save', fifo]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `backprop-map: Cannot write ${fifo}: it is a FIFO (named pipe) that no program reads from; start the reader first.\n`);
  assert.ok(lstatSync(fifo).isFIFO());
});

test('--save into a FIFO with a reader hands the model to the reader and the FIFO stays', () => {
  const fifo = join(dir, 'read.fifo');
  execFileSync('mkfifo', [fifo]);
  // The reader: opened without waiting for a writer; the small model fits the pipe's buffer.
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const r = cli([...train, '--save', fifo]);
    assert.equal(r.code, 0, r.stderr);
    const buffer = Buffer.alloc(1 << 16);
    const n = readSync(reader, buffer);
    assert.equal(JSON.parse(buffer.toString('utf8', 0, n)).format, 'backprop-map-model');
  } finally {
    closeSync(reader);
  }
  assert.ok(lstatSync(fifo).isFIFO());
});

test('--save through a symbolic link replaces the file it points to and keeps the link', () => {
  const real = join(dir, 'real.json');
  const link = join(dir, 'link.json');
  writeFileSync(real, 'old\n');
  symlinkSync('real.json', link);
  const r = cli([...train, '--save', link]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readlinkSync(link), 'real.json');
  assert.equal(JSON.parse(readFileSync(real, 'utf8')).format, 'backprop-map-model');
});

test('--report through a dangling link is refused before training and the link stays', () => {
  const link = join(dir, 'dangling.html');
  symlinkSync('nowhere.html', link);
  const r = cli([...train, '--report', link]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^backprop-map: --report .*dangling\.html: that is a symbolic link to nowhere\.html, which does not exist\. Create the file it points to, or remove the link\.\n/);
  assert.equal(r.stdout, '');
  assert.ok(lstatSync(link).isSymbolicLink());
});

test('--save into the file behind stdout (as /dev/stdout is) writes the model through stdout, after what was printed', () => {
  const out = join(dir, 'out.txt');
  const stdoutLink = join(dir, 'stdout');
  symlinkSync('/proc/self/fd/1', stdoutLink);
  const fd = openSync(out, 'w');
  const r = spawnSync(process.execPath, [CLI, ...train, '--save', stdoutLink], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 120_000 });
  closeSync(fd);
  assert.equal(r.status, 0, r.stderr);
  const text = readFileSync(out, 'utf8');
  assert.match(text, /^Data {5}small\.csv/);
  assert.match(text, /"format": "backprop-map-model"/);
  assert.match(text, /Saved the model to .*stdout\.\n$/);
  assert.ok(lstatSync(stdoutLink).isSymbolicLink());
});
