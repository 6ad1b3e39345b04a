// Hostile Python files for the checker suite: the notes' correct two-layer file with code that
// writes, deletes, starts programs, forks, opens sockets, sends signals, starts threads, exits,
// raises BaseException subclasses, floods its output, exhausts memory or loops forever — in the
// backward pass, in the forward pass (which the numerical gradient runs again and again), while
// the file loads (a class body), or in a layer's forward (a unit of its own, with layer functions
// appended to the file). `{DIR}` is the watched folder, `{PORT}` a listener on 127.0.0.1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Rng, createRng } from '../../src/core/rng';

export interface Hostile {
  name: string;
  /** Statements, one per line, indented as the body of a function. */
  lines: string[];
  /** Report codes one of which a check of this code at its place must give. */
  codes: string[];
  /** Where it runs when tried alone; the backward pass when not given. */
  place?: Place;
}

export const FORBIDDEN = ['forbidden'];
const ENDS = ['timeout'];

export const HOSTILE: Hostile[] = [
  // Files written, changed or deleted, the checked file itself among them.
  { name: 'open for writing', lines: ['open("{DIR}/notes.txt", "w").write("gone")'], codes: FORBIDDEN },
  { name: 'append to the checked file', lines: ['open("{DIR}/hostile.py", "a").write("# changed")'], codes: FORBIDDEN },
  { name: 'np.save', lines: ['np.save("{DIR}/grads.npy", np.zeros(3))'], codes: FORBIDDEN },
  { name: 'pathlib write_text', lines: ['import pathlib', 'pathlib.Path("{DIR}/new.txt").write_text("x")'], codes: FORBIDDEN },
  { name: 'os.open with O_CREAT', lines: ['import os', 'os.close(os.open("{DIR}/made", os.O_CREAT | os.O_WRONLY))'], codes: FORBIDDEN },
  { name: 'shutil.copy', lines: ['import shutil', 'shutil.copy("{DIR}/data.csv", "{DIR}/copy.csv")'], codes: FORBIDDEN },
  { name: 'a temporary file in the folder', lines: ['import tempfile', 'tempfile.NamedTemporaryFile(dir="{DIR}")'], codes: FORBIDDEN },
  { name: 'sqlite3 database', lines: ['import sqlite3', 'sqlite3.connect("{DIR}/db.sqlite").execute("create table t (x)")'], codes: FORBIDDEN },
  { name: 'sqlite3 ATTACH DATABASE from memory', lines: ['import sqlite3', 'db = sqlite3.connect(":memory:")', 'db.execute("ATTACH DATABASE \'{DIR}/attached.db\' AS a")', 'db.execute("CREATE TABLE a.t (x)")'], codes: FORBIDDEN },
  { name: 'sqlite3 VACUUM INTO from memory', lines: ['import sqlite3', 'sqlite3.connect(":memory:").execute("VACUUM INTO \'{DIR}/vacuumed.db\'")'], codes: FORBIDDEN },
  { name: 'os.mknod', lines: ['import os', 'os.mknod("{DIR}/node")'], codes: FORBIDDEN },
  { name: 'os.mkfifo', lines: ['import os', 'os.mkfifo("{DIR}/fifo")'], codes: FORBIDDEN },
  { name: 'posix.mkfifo', lines: ['import posix', 'posix.mkfifo("{DIR}/fifo")'], codes: FORBIDDEN },
  { name: 'os.symlink', lines: ['import os', 'os.symlink("{DIR}/notes.txt", "{DIR}/link")'], codes: FORBIDDEN },
  { name: 'os.link', lines: ['import os', 'os.link("{DIR}/notes.txt", "{DIR}/hard")'], codes: FORBIDDEN },
  { name: 'os.replace', lines: ['import os', 'os.replace("{DIR}/notes.txt", "{DIR}/data.csv")'], codes: FORBIDDEN },
  { name: 'pathlib touch', lines: ['import pathlib', 'pathlib.Path("{DIR}/touched").touch()'], codes: FORBIDDEN },
  { name: 'tempfile.mkdtemp in the folder', lines: ['import tempfile', 'tempfile.mkdtemp(dir="{DIR}")'], codes: FORBIDDEN },
  { name: 'a UNIX socket bound in the folder', lines: ['import socket', 'socket.socket(socket.AF_UNIX).bind("{DIR}/sock")'], codes: FORBIDDEN },
  { name: 'shared memory', lines: ['from multiprocessing import shared_memory', 'shared_memory.SharedMemory(create=True, size=64)'], codes: FORBIDDEN },
  { name: 'os.setxattr', lines: ['import os', 'os.setxattr("{DIR}/notes.txt", "user.x", b"1")'], codes: FORBIDDEN },
  { name: 'resource limits lifted', lines: ['import resource', 'resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))', 'open("{DIR}/big", "w")'], codes: FORBIDDEN },
  { name: 'os.mkdir', lines: ['import os', 'os.mkdir("{DIR}/newdir")'], codes: FORBIDDEN },
  { name: 'os.chmod', lines: ['import os', 'os.chmod("{DIR}/data.csv", 0o777)'], codes: FORBIDDEN },
  { name: 'os.truncate', lines: ['import os', 'os.truncate("{DIR}/data.csv", 0)'], codes: FORBIDDEN },
  { name: 'os.remove', lines: ['import os', 'os.remove("{DIR}/notes.txt")'], codes: FORBIDDEN },
  { name: 'os.rename', lines: ['import os', 'os.rename("{DIR}/notes.txt", "{DIR}/moved.txt")'], codes: FORBIDDEN },
  { name: 'pathlib unlink', lines: ['import pathlib', 'pathlib.Path("{DIR}/data.csv").unlink()'], codes: FORBIDDEN },
  { name: 'shutil.rmtree', lines: ['import shutil', 'shutil.rmtree("{DIR}/sub")'], codes: FORBIDDEN },
  { name: 'chdir, then a relative write', lines: ['import os', 'os.chdir("{DIR}")', 'open("notes.txt", "w")'], codes: FORBIDDEN },
  // Programs and processes.
  { name: 'subprocess.run', lines: ['import subprocess', 'subprocess.run(["touch", "{DIR}/ran"])'], codes: FORBIDDEN },
  { name: 'os.system', lines: ['import os', 'os.system("touch {DIR}/ran")'], codes: FORBIDDEN },
  { name: 'os.popen', lines: ['import os', 'os.popen("touch {DIR}/ran").read()'], codes: FORBIDDEN },
  { name: 'os.execv', lines: ['import os', 'os.execv("/bin/sh", ["sh", "-c", "touch {DIR}/ran"])'], codes: FORBIDDEN },
  { name: 'os.posix_spawn', lines: ['import os', 'os.posix_spawn("/bin/sleep", ["sleep", "30"], {})'], codes: FORBIDDEN },
  { name: 'os.spawnlp of a sleep', lines: ['import os', 'os.spawnlp(os.P_NOWAIT, "sleep", "sleep", "30")'], codes: FORBIDDEN },
  { name: 'os.fork', lines: ['import os, time', 'if os.fork() == 0:', '    time.sleep(30)'], codes: FORBIDDEN },
  { name: 'multiprocessing', lines: ['import multiprocessing, time', 'multiprocessing.Process(target=time.sleep, args=(30,)).start()'], codes: FORBIDDEN },
  {
    // No audit event: subprocess's own call, made directly in a class body, in a session of its own.
    name: '_posixsubprocess.fork_exec of a sleep in its own session, at load time',
    lines: [
      'import os, _posixsubprocess',
      'e0, e1 = os.pipe()',
      'common = ([b"/bin/sleep", b"30"], [b"/bin/sleep"], True, (e1,), None, None, -1, -1, -1, -1, -1, -1, e0, e1, True, True)',
      '# The arguments after call_setsid differ from Python 3.8 to 3.13: the right count parses.',
      'for tail in [(None,), (None, None, None, -1, None), (-1, None, None, None, -1, None), (-1, None, None, None, -1, None, False)]:',
      '    try:',
      '        _posixsubprocess.fork_exec(*common, *tail)',
      '        break',
      '    except TypeError:',
      '        pass',
    ],
    codes: ['load-failed'],
    place: 'load',
  },
  {
    // Past every Python hook, written to escape: only the server, the subreaper of all a check starts, ends it.
    name: 'ctypes: fork, setsid and exec of a sleep',
    lines: [
      'import ctypes',
      'libc = ctypes.CDLL(None)',
      'if libc.fork() == 0:',
      '    libc.setsid()',
      '    libc.execv(b"/bin/sleep", (ctypes.c_char_p * 3)(b"sleep", b"30", None))',
      '    libc._exit(0)',
    ],
    codes: [],
  },
  {
    name: 'ctypes: a double fork, the grandchild in a session of its own',
    lines: [
      'import ctypes',
      'libc = ctypes.CDLL(None)',
      'if libc.fork() == 0:',
      '    if libc.fork() == 0:',
      '        libc.setsid()',
      '        libc.execv(b"/bin/sleep", (ctypes.c_char_p * 3)(b"sleep", b"30", None))',
      '    libc._exit(0)',
    ],
    codes: [],
  },
  // Network.
  { name: 'socket connect', lines: ['import socket', 's = socket.socket()', 's.connect(("127.0.0.1", {PORT}))', 's.sendall(b"dW1")'], codes: FORBIDDEN },
  { name: 'socket.create_connection', lines: ['import socket', 'socket.create_connection(("127.0.0.1", {PORT})).sendall(b"dW1")'], codes: FORBIDDEN },
  { name: 'a listener', lines: ['import socket', 's = socket.socket()', 's.bind(("127.0.0.1", 0))', 's.listen()'], codes: FORBIDDEN },
  { name: 'UDP sendto', lines: ['import socket', 'socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", {PORT}))'], codes: FORBIDDEN },
  { name: 'DNS lookup', lines: ['import socket', 'socket.getaddrinfo("example.com", 80)'], codes: FORBIDDEN },
  { name: 'urllib', lines: ['import urllib.request', 'urllib.request.urlopen("http://127.0.0.1:{PORT}/", timeout=1)'], codes: FORBIDDEN },
  // FIFOs and devices, which a read would wait on or never finish.
  { name: 'read a FIFO', lines: ['open("{DIR}/pipe").read()'], codes: FORBIDDEN },
  { name: 'read /dev/zero', lines: ['open("/dev/zero", "rb").read()'], codes: FORBIDDEN },
  // Signals.
  { name: 'SIGKILL to itself', lines: ['import os, signal', 'os.kill(os.getpid(), signal.SIGKILL)'], codes: FORBIDDEN },
  { name: 'SIGTERM to its parent', lines: ['import os, signal', 'os.kill(os.getppid(), signal.SIGTERM)'], codes: FORBIDDEN },
  { name: 'SIGKILL to its process group', lines: ['import os, signal', 'os.killpg(0, signal.SIGKILL)'], codes: FORBIDDEN },
  { name: 'signal.raise_signal', lines: ['import signal', 'signal.raise_signal(signal.SIGTERM)'], codes: FORBIDDEN },
  { name: 'an alarm that strikes later', lines: ['import signal, time', 'signal.alarm(1)', 'time.sleep(5)'], codes: ['crash', 'timeout'] },
  { name: "the time limit's signal ignored", lines: ['import signal', 'signal.signal(signal.SIGUSR1, signal.SIG_IGN)', 'while True:', '    pass'], codes: ENDS },
  // Threads that outlive the call.
  { name: 'a thread that sleeps on', lines: ['import threading, time', 'threading.Thread(target=time.sleep, args=(60,)).start()'], codes: [] },
  { name: 'a thread that writes later', lines: ['import threading, time', 'threading.Thread(target=lambda: (time.sleep(0.3), open("{DIR}/late.txt", "w"))).start()'], codes: [] },
  // The pipe that carries the check's result back: a forged result is ignored, a broken one said so.
  {
    name: 'a forged result written into every open descriptor',
    lines: ['import os', 'for fd in range(3, 64):', '    try:', '        os.write(fd, b\'{"result": {"gradients": [], "reports": []}}\\n\')', '    except OSError:', '        pass'],
    codes: [],
  },
  {
    name: 'half a line written into every open descriptor',
    lines: ['import os', 'for fd in range(3, 64):', '    try:', '        os.write(fd, b\'{"result": \')', '    except OSError:', '        pass'],
    codes: [],
  },
  { name: 'every open descriptor closed', lines: ['import os', 'os.closerange(3, 64)'], codes: ['crash'] },
  // Exits and BaseException subclasses.
  { name: 'sys.exit', lines: ['import sys', 'sys.exit(3)'], codes: ['sys-exit'] },
  { name: 'exit()', lines: ['exit()'], codes: ['sys-exit'] },
  { name: 'os._exit', lines: ['import os', 'os._exit(0)'], codes: ['sys-exit'] },
  { name: 'os.abort', lines: ['import os', 'os.abort()'], codes: FORBIDDEN },
  { name: 'KeyboardInterrupt', lines: ['raise KeyboardInterrupt'], codes: ['exception'] },
  { name: 'GeneratorExit', lines: ['raise GeneratorExit'], codes: ['exception'] },
  { name: 'a BaseException subclass', lines: ['class Boom(BaseException):', '    pass', 'raise Boom("boom")'], codes: ['exception'] },
  { name: 'input()', lines: ['input("weights? ")'], codes: ['input-called'] },
  // Huge output, memory, loops.
  { name: 'huge print', lines: ['for _ in range(300):', '    print("x" * 100000)'], codes: [] },
  { name: 'huge writes to fd 1 and 2', lines: ['import os', 'os.write(1, b"x" * 10000000)', 'os.write(2, b"y" * 10000000)'], codes: [] },
  { name: 'a huge exception message', lines: ['raise ValueError("x" * 10000000)'], codes: ['exception'] },
  { name: 'memory bomb', lines: ['hog = []', 'while True:', '    hog.append(bytearray(64 << 20))'], codes: ['memory', 'crash', 'timeout'] },
  { name: 'a terabyte array', lines: ['np.ones((1 << 40,))'], codes: ['memory', 'exception'] },
  { name: 'busy loop', lines: ['while True:', '    pass'], codes: ENDS },
  { name: 'busy loop that swallows the time limit', lines: ['while True:', '    try:', '        while True:', '            pass', '    except BaseException:', '        pass'], codes: ENDS },
  { name: 'endless recursion', lines: ['def again():', '    return again()', 'again()'], codes: ['recursion'] },
  // State the harness relies on.
  { name: 'builtins rebound', lines: ['import builtins', 'builtins.id = None', 'builtins.isinstance = None', 'builtins.__import__ = None'], codes: [] },
  { name: 'sys state changed', lines: ['import sys', 'sys.setrecursionlimit(60)', 'sys.settrace(None)', 'sys.stdout = None'], codes: [] },
  { name: 'numpy rebound', lines: ['np.seterr(all="raise")', 'np.sum = None'], codes: [] },
];

const PLACES = ['backward', 'forward', 'load', 'layer'] as const;
export type Place = (typeof PLACES)[number];

const correct = readFileSync(join(__dirname, '../../../test/fixtures/checker/two_layer_correct.py'), 'utf8');

/** Layer functions in rows, each a unit of its own: appended where a piece goes into a layer's forward. */
export const LAYERS = `

def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1).dot(w) + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db
`;

/** Hostile units: a layer file whose forward or backward does something no check can use. */
export const HOSTILE_UNITS: { name: string; from: string; to: string; codes: string[] }[] = [
  { name: 'a cache that is not a tuple', from: '    cache = (x, w, b)\n', to: '    cache = 42\n', codes: ['exception'] },
  { name: 'a backward returning a generator', from: '    return dx, dw, db\n', to: '    return (g for g in (dx, dw, db))\n', codes: ['backward-output'] },
  { name: 'a 10^8-element array in the forward', from: '    cache = (x, w, b)\n', to: '    cache = (x, w, b, np.ones(10 ** 8))\n', codes: ['timeout', 'memory'] },
  { name: 'a 10^8-element array in the backward', from: '    x, w, b = cache\n', to: '    x, w, b = cache\n    big = np.zeros(10 ** 8) + 1\n', codes: [] },
];

/** The layer file with one hostile change. */
export function hostileUnitFile(unit: (typeof HOSTILE_UNITS)[number]): string {
  if (!LAYERS.includes(unit.from)) throw new Error(`${unit.name}: ${unit.from} not in the layer file`);
  return 'import numpy as np\n' + LAYERS.replace(unit.from, unit.to);
}
const indent = (lines: string[]) => lines.map((l) => `    ${l}\n`).join('');

/** The correct file with each piece of code at its place. */
export function hostileFile(pieces: { hostile: Hostile; place: Place }[], dir: string, port: number): string {
  let text = pieces.some((p) => p.place === 'layer') ? correct + LAYERS : correct;
  for (const { hostile, place } of pieces) {
    const body = indent(hostile.lines).replace(/\{DIR\}/g, dir).replace(/\{PORT\}/g, String(port));
    if (place === 'backward') text = text.replace('def backward_propagation(parameters, cache, X, Y):\n', (def) => def + body);
    else if (place === 'forward') text = text.replace('def forward_propagation(X, parameters):\n', (def) => def + body);
    else if (place === 'layer') text = text.replace('def affine_forward(x, w, b):\n', (def) => def + body);
    else text = text.replace('\n\ndef sigmoid(z):', (def) => `\n\nclass LoadTime:\n${body}\n${def}`);
  }
  return text;
}

/** Random combinations: two or three pieces of hostile code, each at a random place. */
export function combination(seed: number, index: number): { hostile: Hostile; place: Place }[] {
  const rng: Rng = createRng(seed, index);
  return Array.from({ length: 2 + rng.int(2) }, () => ({ hostile: HOSTILE[rng.int(HOSTILE.length)]!, place: PLACES[rng.int(PLACES.length)]! }));
}
