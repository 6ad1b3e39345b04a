// Devices and FIFOs as inputs: reading /dev/zero never ends (and fills the memory), opening a
// FIFO nobody writes to waits forever. Each must be refused from its stat() with exit 2.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli } from './cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-endless-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'small.csv');
writeFileSync(data, 'a,b,y\n1,2,0\n2,1,1\n3,3,0\n0,1,1\n2,2,0\n1,1,1\n');
const fifo = join(dir, 'pipe.csv');
execFileSync('mkfifo', [fifo]);
// A private copy of /dev/zero (character device 1,5) where mknod is allowed (as root).
const zero = join(dir, 'zero.csv');
let zeroMade = true;
try {
  execFileSync('mknod', [zero, 'c', '1', '5'], { stdio: 'ignore' });
} catch {
  zeroMade = false;
}

function refused(args: string[], path: string, kind: RegExp): void {
  const r = cli(args);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.includes(`Cannot read ${path}: it is `) || r.stderr.includes(`cannot read ${path}: it is `), r.stderr);
  assert.match(r.stderr, kind);
  assert.match(r.stderr, /not a regular file/);
  assert.equal(r.stderr.trim().split('\n').length <= 2, true, r.stderr);
}

test('train and gradcheck refuse /dev/zero, /dev/urandom and a FIFO nobody writes to', () => {
  refused(['train', '/dev/zero', '--epochs', '1'], '/dev/zero', /a character device/);
  refused(['train', '/dev/urandom', '--epochs', '1'], '/dev/urandom', /a character device/);
  refused(['train', fifo, '--epochs', '1'], fifo, /a FIFO \(named pipe\)/);
  refused(['gradcheck', fifo], fifo, /a FIFO/);
  refused(['train', data, '--epochs', '1', '--init', fifo], fifo, /a FIFO/);
});

test('a character device made with mknod is refused as data', { skip: zeroMade ? false : 'mknod is not allowed here (not root); the FIFO and /dev cases cover the rest' }, () => {
  refused(['train', zero, '--epochs', '1'], zero, /a character device/);
});

test('predict refuses a device or a FIFO as data and as model file', () => {
  const model = join(dir, 'model.json');
  const trained = cli(['train', data, '--epochs', '2', '--hidden', '2', '--save', model]);
  assert.equal(trained.code, 0, trained.stderr);
  refused(['predict', model, '/dev/zero'], '/dev/zero', /a character device/);
  refused(['predict', model, fifo], fifo, /a FIFO/);
  refused(['predict', fifo, data], fifo, /a FIFO/);
});

test('check refuses /dev/zero and a FIFO before it looks for Python', () => {
  refused(['check', '/dev/zero'], '/dev/zero', /a character device/);
  refused(['check', fifo], fifo, /a FIFO/);
});
