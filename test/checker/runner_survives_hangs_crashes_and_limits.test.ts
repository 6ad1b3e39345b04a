// A check that hangs, crashes, exhausts memory or floods its output ends in a report within the
// time limit, the next check still works, and nothing is written next to the user's file.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { CheckerRunner } from '../../src/checker/runner';
import { fixture, fixturesDir, testPython } from './checkerTestSupport';

const correct = fixture('two_layer_correct.py');
const withBackward = (body: string) =>
  correct.replace('def backward_propagation(parameters, cache, X, Y):\n', `def backward_propagation(parameters, cache, X, Y):\n${body}\n`);

async function assertHealthy(runner: CheckerRunner) {
  const r = await runner.check(correct, 'after.py');
  assert.deepEqual(r.gradients.map((g) => g.status), ['ok', 'ok', 'ok', 'ok']);
  assert.deepEqual(r.reports, []);
}

describe('the checker runner under hostile code', () => {
  // Generous: a healthy check must fit in it on a heavily loaded machine too.
  const LIMIT = 8000;
  const runner = new CheckerRunner({ python: testPython(), timeoutMs: LIMIT });
  after(() => runner.dispose());

  // The report itself proves the kill: only the runner's time limit produces a 'timeout'.
  test('`while True:` ends in a timeout report at the loop', async () => {
    const text = withBackward('    while True:\n        pass');
    const loopLine = text.split('\n').indexOf('    while True:') + 1;
    await runner.warmUp(); // the limit is the check's, not Python's start-up
    const r = await runner.check(text, 'loop.py');
    const rep = r.reports.find((x) => x.code === 'timeout');
    assert.ok(rep, JSON.stringify(r.reports));
    assert.ok(rep.line === loopLine || rep.line === loopLine + 1, `timeout reported at ${rep.line}, loop at ${loopLine}`);
    assert.ok(r.gradients.every((g) => g.status === 'error'));
    await assertHealthy(runner);
  });

  test('a segfault becomes a crash report and the next check works', async () => {
    const r = await runner.check(withBackward('    import ctypes\n    ctypes.string_at(0)'), 'segv.py');
    assert.equal(r.reports[0]?.code, 'crash', JSON.stringify(r.reports));
    assert.match(r.reports[0]!.message, /SIGSEGV/);
    await assertHealthy(runner);
  });

  test('memory exhaustion is reported, not fatal', async () => {
    const r = await runner.check(withBackward('    hog = []\n    while True:\n        hog.append(bytearray(64 << 20))'), 'hog.py');
    assert.ok(['memory', 'crash', 'timeout'].includes(r.reports[0]?.code ?? ''), JSON.stringify(r.reports));
    await assertHealthy(runner);
  });

  test('huge output and sys.exit() in the checked code do not disturb the protocol', async () => {
    const r = await runner.check(withBackward('    for i in range(2000):\n        print("x" * 10000)\n    raise SystemExit(3)'), 'noisy.py');
    assert.equal(r.reports[0]?.code, 'sys-exit', JSON.stringify(r.reports));
    await assertHealthy(runner);
  });

  test('recovers after the server process is killed', async () => {
    await runner.check(correct, 'warm.py');
    const proc = (runner as unknown as { proc: { kill(sig: string): void } | null }).proc;
    assert.ok(proc);
    proc.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    await assertHealthy(runner);
  });

  test('a process started past every hook (ctypes: fork, setsid, exec) does not outlive the server, stopped during the check', { skip: process.platform !== 'linux' && 'the server is a subreaper on Linux only' }, async () => {
    // Every process of this server carries the mark in its environment; none may be left.
    const mark = `${process.pid}-${Date.now()}`;
    const marked = (command = '') =>
      readdirSync('/proc').filter((pid) => {
        try {
          return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`BPM_RUNNER_TEST_MARK=${mark}`) && readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith(command);
        } catch {
          return false; // gone meanwhile
        }
      });
    process.env.BPM_RUNNER_TEST_MARK = mark;
    const own = new CheckerRunner({ python: testPython(), timeoutMs: 60_000 });
    try {
      await own.warmUp();
    } finally {
      delete process.env.BPM_RUNNER_TEST_MARK;
    }
    const escape = [
      '    import ctypes, time',
      '    libc = ctypes.CDLL(None)',
      '    if libc.fork() == 0:',
      '        libc.setsid()',
      '        libc.execv(b"/bin/sleep", (ctypes.c_char_p * 3)(b"sleep", b"60", None))',
      '        libc._exit(0)',
      '    while True:',
      '        time.sleep(0.05)',
    ].join('\n');
    const checking = own.check(withBackward(escape), 'escape.py').catch(() => undefined);
    for (let i = 0; i < 600 && marked('sleep').length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.notDeepEqual(marked('sleep'), [], 'the program started');
    own.dispose();
    await checking;
    for (let i = 0; i < 100 && marked().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const left = marked('');
    const commands = left.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' '));
    for (const pid of left) process.kill(Number(pid), 'SIGKILL');
    assert.deepEqual(commands, []);
  });

  test('a cancelled check rejects with AbortError and the next one works', async () => {
    const controller = new AbortController();
    const pending = runner.check(withBackward('    while True:\n        pass'), 'cancel.py', { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(pending, { name: 'AbortError' });
    await assertHealthy(runner);
  });

  test('module-level script code is never run: an endless loop after the functions changes nothing', async () => {
    // Run, the loop would end the check in a timeout report.
    const r = await runner.check(correct + '\nwhile True:\n    pass\n', 'script.py');
    assert.deepEqual(r.reports, []);
    assert.deepEqual(r.gradients.map((g) => g.status), ['ok', 'ok', 'ok', 'ok']);
  });

  test('a syntax error is reported at its line and column', async () => {
    const r = await runner.check('import numpy as np\n\ndef forward(X, parameters):\n    return (X\n\nx = 1\n', 'syntax.py');
    assert.equal(r.reports.length, 1);
    assert.equal(r.reports[0]!.code, 'syntax-error');
    assert.equal(r.reports[0]!.line, 4);
    assert.equal(r.reports[0]!.column, 12);
  });

  test('unsaved text is checked under its file name; nothing is written next to the fixtures', async () => {
    const before = readdirSync(fixturesDir()).sort();
    const r = await runner.check(correct.replace('dZ2 = A2 - Y', 'dZ2 = 2 * (A2 - Y)'), '/home/student/unsaved.py');
    assert.equal(r.file, '/home/student/unsaved.py');
    assert.ok(r.gradients.every((g) => g.status === 'value'));
    assert.deepEqual(readdirSync(fixturesDir()).sort(), before);
    assert.ok(!before.includes('__pycache__'));
  });
});
