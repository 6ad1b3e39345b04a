// The check's sandbox: sqlite files, sockets, host lookups, FIFOs and devices are refused as
// `forbidden` at the user's line; os._exit() is reported at its call; what one call rebinds in
// builtins or numpy is gone for the next call; a BaseException while loading is a warning.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CheckerRunner } from '../../src/checker/runner';
import type { CheckResult } from '../../src/checker/types';
import { fixture, testPython } from './checkerTestSupport';

const correct = fixture('two_layer_correct.py');
const beforeReturn = (code: string) => correct.replace('    return {"dW1": dW1', `${code}\n    return {"dW1": dW1`);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const statuses = (r: CheckResult) => r.gradients.map((g) => g.status);

describe('the sandbox of a check', () => {
  const runner = new CheckerRunner({ python: testPython(), timeoutMs: 8000 });
  const dir = mkdtempSync(join(tmpdir(), 'bpm-sandbox-'));
  after(() => {
    runner.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function assertForbiddenAt(code: string, needle: string, what: RegExp) {
    const text = beforeReturn(code);
    const r = await runner.check(text, join(dir, 'hostile.py'));
    assert.deepEqual(r.reports.map((x) => [x.code, x.line]), [['forbidden', lineOf(text, needle)]], JSON.stringify(r.reports));
    assert.match(r.reports[0]!.message, what);
    assert.ok(r.gradients.every((g) => g.status === 'error'));
  }

  test('sqlite3 opens no database, not even in memory, from which ATTACH and VACUUM INTO would write files', async () => {
    const db = join(dir, 'grads.sqlite');
    await assertForbiddenAt(`    import sqlite3\n    sqlite3.connect(${JSON.stringify(db)}).execute("create table t (x)")`, 'sqlite3.connect', /opens the database `.*grads\.sqlite`/);
    await assertForbiddenAt(
      `    import sqlite3\n    sqlite3.connect(":memory:").execute("ATTACH DATABASE '${db}' AS a")`,
      'sqlite3.connect',
      /opens the database `:memory:` \(SQLite can write files from SQL/,
    );
    await assertForbiddenAt(`    import sqlite3\n    sqlite3.connect(":memory:").execute("VACUUM INTO '${db}'")`, 'sqlite3.connect', /opens the database `:memory:`/);
    assert.equal(existsSync(db), false);
  });

  test('os.mknod, os.mkfifo and shared memory, which raise no audit event, are refused all the same', async () => {
    await assertForbiddenAt(`    import os\n    os.mknod(${JSON.stringify(join(dir, 'node'))})`, 'os.mknod', /creates the file `.*node` \(`os\.mknod`\)/);
    await assertForbiddenAt(`    import posix\n    posix.mkfifo(${JSON.stringify(join(dir, 'fifo'))})`, 'posix.mkfifo', /creates the FIFO `.*fifo`/);
    await assertForbiddenAt('    import _posixshmem\n    _posixshmem.shm_open("/bpm-check", 0o102, 0o600)', 'shm_open', /creates the shared memory `\/bpm-check`/);
    await assertForbiddenAt(
      '    import _posixsubprocess\n    _posixsubprocess.fork_exec(*([None] * 23))',
      'fork_exec',
      /starts a program \(`_posixsubprocess\.fork_exec`\)/,
    );
  });

  test('a forged result written into the result pipe is ignored; a closed pipe is said to be one', async () => {
    const forged = await runner.check(beforeReturn('    import os\n    for fd in range(3, 64):\n        try:\n            os.write(fd, b\'{"result": {"reports": []}}\\n\')\n        except OSError:\n            pass'), 'forged.py');
    assert.deepEqual(forged.reports, []);
    assert.deepEqual(statuses(forged), ['ok', 'ok', 'ok', 'ok']);
    const text = beforeReturn('    import os\n    os.closerange(3, 64)');
    const closed = await runner.check(text, 'closed.py');
    assert.deepEqual(closed.reports.map((x) => x.code), ['crash']);
    assert.match(closed.reports[0]!.message, /closed or replaced the pipe that carries the check's result \(file descriptor \d+\), so no result came through; nothing was checked/);
  });

  test('no socket reaches a listener on 127.0.0.1, none listens, no host is looked up', async () => {
    const accepted: Socket[] = [];
    const server = createServer((s) => accepted.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await assertForbiddenAt(
        `    import socket\n    s = socket.socket()\n    s.connect(("127.0.0.1", ${port}))\n    s.sendall(b"dW1")`,
        's = socket.socket()',
        /opens a network socket/,
      );
      await assertForbiddenAt(`    import socket\n    socket.create_connection(("127.0.0.1", ${port})).sendall(b"dW1")`, 'create_connection', /looks up the host `127\.0\.0\.1`/);
      await assertForbiddenAt('    import socket\n    socket.gethostbyname("localhost")', 'gethostbyname', /looks up the host `localhost`/);
      await new Promise((r) => setTimeout(r, 200)); // a connection that got through would be accepted by now
      assert.equal(accepted.length, 0);
    } finally {
      for (const s of accepted) s.destroy();
      server.close();
    }
  });

  test('a FIFO and a device are refused when opened, so reading them cannot hang', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    await assertForbiddenAt(`    open(${JSON.stringify(fifo)}).read()`, 'open(', /opens `.*pipe`, which is a FIFO, not a file/);
    await assertForbiddenAt('    import numpy\n    numpy.fromfile("/dev/zero", count=10)', 'fromfile', /opens `\/dev\/zero`, which is a device/);
    rmSync(fifo);
  });

  test('os._exit() is reported at its call, and the next check works', async () => {
    const text = beforeReturn('    import os\n    os._exit(3)');
    const r = await runner.check(text, 'exit.py');
    assert.deepEqual(r.reports.map((x) => [x.code, x.line]), [['sys-exit', lineOf(text, 'os._exit')]]);
    assert.match(r.reports[0]!.message, /called os\._exit\(3\)/);
    assert.deepEqual(statuses(await runner.check(correct, 'after.py')), ['ok', 'ok', 'ok', 'ok']);
  });

  test('builtins and numpy rebound by one call are restored before the next (the n_y = 2 run, the numerical gradient)', async () => {
    // Each call fails if it sees what an earlier one left; `id` is what the line tracer uses.
    const text = correct
      .replace(
        '    m = X.shape[1]\n    W2 = parameters["W2"]',
        '    import builtins\n    if builtins.abs is None or hasattr(builtins, "seen_before") or np.dot is None:\n        raise RuntimeError("an earlier call is still visible")\n    builtins.id = None\n    m = X.shape[1]\n    W2 = parameters["W2"]',
      )
      .replace('    return {"dW1": dW1', '    builtins.abs = None\n    builtins.seen_before = True\n    np.dot = None\n    return {"dW1": dW1');
    const r = await runner.check(text, 'rebinds.py');
    assert.deepEqual(r.reports, []);
    assert.deepEqual(statuses(r), ['ok', 'ok', 'ok', 'ok']);
    // The traced lines are those of the file, shifted by the four lines added above them.
    assert.deepEqual(
      r.gradients.map((g) => g.line),
      [43, 44, 39, 40].map((l) => l + 4),
    );
  });

  test('a BaseException while the file loads is a warning at its definition, and the check goes on', async () => {
    const text = correct.replace(
      'def sigmoid(z):',
      'class Boom(BaseException):\n    pass\n\n\nclass Broken:\n    raise Boom("at load time")\n\n\ndef stop(f):\n    raise KeyboardInterrupt\n\n\n@stop\ndef decorated():\n    pass\n\n\ndef sigmoid(z):',
    );
    const r = await runner.check(text, 'load.py');
    assert.deepEqual(
      r.reports.map((x) => [x.code, x.severity, x.line]),
      [
        ['load-failed', 'warning', lineOf(text, 'class Broken')],
        ['load-failed', 'warning', lineOf(text, 'def decorated')],
      ],
      JSON.stringify(r.reports),
    );
    assert.match(r.reports[0]!.message, /`Broken` could not be defined: Boom: at load time/);
    assert.match(r.reports[1]!.message, /`decorated` could not be defined: KeyboardInterrupt/);
    assert.deepEqual(statuses(r), ['ok', 'ok', 'ok', 'ok']);
  });

  test("a helper module's definition that fails is a warning at the line importing it, as the checked file's own is", async () => {
    const folder = mkdtempSync(join(dir, 'helpers-'));
    writeFileSync(join(folder, 'dnn_utils.py'), 'import numpy as np\n\n\nclass Broken:\n    raise ValueError("at load time")\n\n\ndef relu(Z):\n    return np.maximum(0, Z)\n');
    const text = correct.replace('import numpy as np\n', 'import numpy as np\nfrom dnn_utils import relu\n').replace('A1 = np.maximum(0, Z1)', 'A1 = relu(Z1)');
    const r = await runner.check(text, join(folder, 'uses_helper.py'), { folder });
    assert.deepEqual(r.reports.map((x) => [x.code, x.severity, x.line, x.message]), [
      ['load-failed', 'warning', lineOf(text, 'from dnn_utils'), '`dnn_utils.py:4`: `Broken` could not be defined: ValueError: at load time'],
    ]);
    assert.deepEqual(statuses(r), ['ok', 'ok', 'ok', 'ok']);
    rmSync(folder, { recursive: true });
  });

  test('nothing was left in the folder', () => {
    assert.deepEqual(readdirSync(dir), []);
  });
});
