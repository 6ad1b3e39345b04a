"""Fork server of the derivation checker.

The parent imports numpy once, then forks one child per check, so a warm check does not pay for
Python's and numpy's start-up. A child that runs over its time limit, crashes or exhausts memory
is killed and reported; the parent lives on. No process outlives a check: on Linux the parent is
the subreaper of everything a check starts, and kills what is left after each check and at its end.

Usage: server.py WORKDIR — an empty folder that the checked code runs in; its maker removes it,
and so does the server when its input closes.

Protocol, one JSON object per line:
  stdin:  {"id": n, "text": "...", "fileName": "...", "functions": {...}, "timeoutMs": 10000,
           "folder": "/abs/dir" (optional: modules there can be imported)}
          {"cancel": n}
  stdout: {"ready": true, "python": "3.11.7", "numpy": "2.4.6"} once, then
          {"id": n, "result": {...CheckResult without durationMs...}}
Input closed or SIGTERM: the running check is stopped, its processes killed, the folder removed.
"""
import json
import os
import select
import signal
import sys
import time

# One BLAS thread: forked children must not inherit a thread pool, and the arrays are tiny.
for _var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_var] = '1'
sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
# The harness from its own folder, numpy from the interpreter's paths, and never the working folder
# (where the checked code runs), which a `.` or an empty entry in PYTHONPATH would add.
_CWD = os.path.realpath(os.getcwd())
sys.path[:] = [HERE] + [p for p in sys.path if p and os.path.isabs(p) and p != HERE and os.path.realpath(p) != _CWD]

if not hasattr(os, 'fork'):
    sys.stderr.write('The derivation checker needs Linux or macOS (it forks one process per check); '
                     'on Windows, run VS Code in WSL.\n')
    sys.exit(3)

import numpy as np  # noqa: E402

import bpm_check  # noqa: E402
import bpm_load  # noqa: E402
import bpm_schema  # noqa: E402

try:
    import ctypes
    _LIBC = ctypes.CDLL(None)
except (ImportError, OSError):
    _LIBC = None

_EXIT = os._exit  # the sandbox makes os._exit raise, for the checked code; the harness ends with this one
_SERVER = os.getpid()
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
NO_ANSWER, SENT = 71, 72  # a child's exit status: it could not write its answer / it wrote it
GRACE_S = 0.5          # after the time limit: time for the child to report where it was stopped
MEMORY_BYTES = 2 << 30  # address space of a check beyond what the server already maps
MAX_RESULT = 64 << 20


def _vm_size():
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmSize:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _prctl(option, value):
    """Linux's prctl(option, value); False where there is none (macOS)."""
    if _LIBC is None:
        return False
    try:
        return _LIBC.prctl(ctypes.c_int(option), ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) == 0
    except AttributeError:
        return False


def _child(req, wfd, workdir):
    """Runs in the forked child: sandbox the process, check, write the result, exit."""
    import gc
    import resource
    gc.disable()  # short-lived, memory-limited: collecting would only copy the parent's pages
    os.setpgid(0, 0)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the server, even when it is killed
    if os.getppid() != _SERVER:  # it died before the line above
        _EXIT(70)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the user's prints and input() see nothing of the protocol
        os.dup2(devnull, fd)
    os.chdir(workdir)
    for res, value in ((resource.RLIMIT_FSIZE, 0), (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(res, (value, value))
        except (ValueError, OSError):
            pass
    try:
        limit = _vm_size() + MEMORY_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writing a file fails with an error, not a kill
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def on_timeout(signum, frame):
        raise bpm_check.CheckTimeout()

    signal.signal(signal.SIGUSR1, on_timeout)
    bpm_load.install_sandbox(HERE)
    bpm_load.allow_folder_modules(req.get('folder'))
    out = os.fdopen(wfd, 'w', encoding='utf-8')
    token = req['token']

    def send(message):
        # Marked with the check's token: lines the checked code writes into the pipe are told apart.
        out.write(json.dumps(dict(message, token=token)) + '\n')
        out.flush()

    try:
        result = bpm_check.check(req.get('text', ''), req.get('fileName') or 'untitled.py', req.get('functions'),
                                 (req.get('timeoutMs') or 10000) / 1000.0,
                                 lambda phase, line=None: send({'phase': phase, 'line': line}))
        send({'result': result})
    except bpm_check.CheckTimeout:  # the limit struck between two pieces of the user's code
        send({'timeout': True})
    except BaseException as e:  # noqa: BLE001 — a harness fault must still answer
        try:
            send({'internal': f'{type(e).__name__}: {e}'})
        except BaseException:  # noqa: BLE001 — the pipe itself is gone (closed by the checked code)
            _EXIT(NO_ANSWER)
    _EXIT(SENT)


def _failure(req, code, message, phase):
    """A result for a check that gave none; `phase` ({phase, line}) says what it was doing."""
    where = f' (while {phase["phase"]})' if phase else ''
    return bpm_schema.failure(req.get('fileName') or 'untitled.py', code, message + where, (phase or {}).get('line') or 1)


class _Lines:
    """Complete lines from a stream of chunks. Each chunk is searched for newlines once and the parts
    of a line are joined once, so a long line costs time in proportion to its length."""

    def __init__(self):
        self.parts = []
        self.size = 0  # bytes of the line not yet complete

    def feed(self, chunk):
        lines, start = [], 0
        while True:
            nl = chunk.find(b'\n', start)
            if nl < 0:
                break
            self.parts.append(chunk[start:nl])
            lines.append(b''.join(self.parts))
            self.parts, self.size, start = [], 0, nl + 1
        if start < len(chunk):
            self.parts.append(chunk[start:])
            self.size += len(chunk) - start
        return lines


class Server:
    def __init__(self, workdir):
        self.pending = []
        self.input = _Lines()
        self.workdir = workdir
        self.eof = False

    def send(self, obj):
        sys.stdout.write(json.dumps(obj) + '\n')
        sys.stdout.flush()

    def read_stdin(self):
        chunk = os.read(0, 1 << 20)
        if not chunk:
            self.eof = True
            return
        for line in self.input.feed(chunk):
            if line.strip():
                try:
                    self.pending.append(json.loads(line))
                except ValueError:
                    pass

    def serve(self):
        _warm_up()
        self.send({'ready': True, 'python': sys.version.split()[0], 'numpy': np.__version__})
        while not (self.eof and not self.pending):
            if not self.pending:
                select.select([0], [], [])
                self.read_stdin()
                continue
            req = self.pending.pop(0)
            if 'cancel' in req:
                continue
            self.send({'id': req.get('id'), 'result': self.run(req)})

    def run(self, req):
        timeout = max(0.1, (req.get('timeoutMs') or 10000) / 1000.0)
        token = req['token'] = os.urandom(16).hex()
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            try:
                _child(req, wfd, self.workdir)
            finally:
                _EXIT(70)
        os.close(wfd)
        start = time.monotonic()
        deadline = start + timeout
        lines, phase, answer, signalled, cancelled, foreign, closed = _Lines(), None, None, False, False, 0, False
        while answer is None:
            now = time.monotonic()
            if now >= deadline:
                if not signalled:
                    # First ask the child to stop where it is (it reports the user's line) ...
                    _kill(pid, signal.SIGUSR1)
                    signalled, deadline = True, now + GRACE_S
                    continue
                break  # ... then kill it.
            ready, _, _ = select.select([rfd, 0] if not self.eof else [rfd], [], [], deadline - now)
            if 0 in ready:
                self.read_stdin()
                if self.eof or any(p.get('cancel') == req.get('id') for p in self.pending):
                    self.pending = [p for p in self.pending if p.get('cancel') != req.get('id')]
                    cancelled = True
                    break
            if rfd in ready:
                chunk = os.read(rfd, 1 << 16)
                if not chunk:
                    closed = True
                    break
                for line in lines.feed(chunk):
                    try:
                        msg = json.loads(line)
                    except ValueError:
                        msg = None
                    if not isinstance(msg, dict) or msg.get('token') != token:
                        foreign += 1
                    elif 'phase' in msg:
                        phase = msg
                    elif 'result' in msg:
                        answer = msg['result']
                    elif 'timeout' in msg:
                        answer = _failure(req, 'timeout', f'the check did not finish within the time limit of {timeout:g} s', phase)
                    elif 'internal' in msg:
                        answer = _failure(req, 'internal-error', f'the checker failed: {msg["internal"]}', phase)
                    if answer is not None:
                        break
                if lines.size > MAX_RESULT:
                    break
        os.close(rfd)
        # A child that closed the pipe without an answer has ended, or ends in a moment (a crash), or
        # has closed it itself and runs on: the last is killed here and reported as such.
        closed_alive = closed and answer is None and not _ends_within(pid, GRACE_S)
        _kill(pid, signal.SIGKILL)  # its process group first: the pid is the child's until it is reaped
        status = _reap(pid)
        _sweep()
        if answer is not None:
            return answer
        if cancelled:
            return _failure(req, 'cancelled', 'the check was cancelled', phase)
        if signalled:
            return _failure(req, 'timeout', f'the check did not finish within the time limit of {timeout:g} s', phase)
        if status is not None and os.WIFSIGNALED(status) and not closed_alive:
            sig = os.WTERMSIG(status)
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
            what = 'ran out of memory' if sig == signal.SIGKILL else f'crashed with {name}'
            return _failure(req, 'crash', f'the checked code {what}; nothing was checked', phase)
        if foreign or closed_alive or (status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) in (SENT, NO_ANSWER)):
            return _failure(req, 'crash', f'the checked code wrote into, closed or replaced the pipe that carries the check\'s '
                                          f'result (file descriptor {wfd}), so no result came through; nothing was checked', phase)
        return _failure(req, 'crash', 'the checked code ended the process before the check finished', phase)


_WARM_UP = '''
import numpy as np
def forward_propagation(X, parameters):
    Z1 = np.dot(parameters["W1"], X) + parameters["b1"]
    A1 = np.maximum(0, Z1)
    A2 = 1 / (1 + np.exp(-(np.dot(parameters["W2"], A1) + parameters["b2"])))
    return A2, (Z1, A1, A2)
def backward_propagation(parameters, cache, X, Y):
    Z1, A1, A2 = cache
    m = X.shape[1]
    dZ2 = A2 - Y
    dZ1 = np.dot(parameters["W2"].T, dZ2) * (Z1 > 0)
    return {"dW1": np.dot(dZ1, X.T) / m, "db1": np.sum(dZ1, axis=1, keepdims=True) / m,
            "dW2": np.dot(dZ2, A1.T) / m, "db2": np.sum(dZ2, axis=1, keepdims=True) / m}
'''


def _warm_up():
    """One check of a known file in the parent, so that every forked child starts with the lazy
    imports and caches of numpy and the harness filled; then freeze the heap so the children's
    garbage collector does not copy every page it would touch."""
    import gc
    try:
        bpm_check.check(_WARM_UP, '<warm-up>')
    except Exception:  # noqa: BLE001 — a warm-up failure only costs speed
        pass
    gc.collect()
    gc.freeze()


def _kill(pid, sig):
    targets = (lambda: os.killpg(pid, sig), lambda: os.kill(pid, sig)) if sig == signal.SIGKILL else (lambda: os.kill(pid, sig),)
    for kill in targets:  # the child's process group takes along anything the user's code started
        try:
            kill()
        except (ProcessLookupError, PermissionError):
            pass


def _ends_within(pid, seconds):
    """Whether the child `pid` ends within `seconds`; it stays unreaped, for _reap to read its status."""
    if not hasattr(os, 'waitid'):
        return True
    end = time.monotonic() + seconds
    while True:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
        except ChildProcessError:
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.01)


def _reap(pid):
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def _children():
    """The server's child processes (zombies too): a check's child, and whatever it started that
    lost its parent, which comes to the server as its subreaper."""
    me, found = os.getpid(), set()
    try:
        for tid in os.listdir(f'/proc/{me}/task'):
            with open(f'/proc/{me}/task/{tid}/children') as f:
                found.update(int(p) for p in f.read().split())
        return found
    except (OSError, ValueError):
        pass
    try:  # a kernel without /proc/…/children: every process's parent, from its stat line
        entries = os.listdir('/proc')
    except OSError:
        return found  # no /proc (macOS): the check's process group was all there was to kill
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat', 'rb') as f:
                    line = f.read()
                if int(line[line.rindex(b')') + 2:].split()[1]) == me:
                    found.add(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def _sweep():
    """Kills every process the server still has. Killing one hands its children to the server (the
    subreaper), so round by round the whole tree goes, whatever started it (a double fork, setsid)."""
    for _ in range(1000):
        pids = _children()
        if not pids:
            return
        for pid in pids:
            _kill(pid, signal.SIGKILL)
            _reap(pid)


if __name__ == '__main__':
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))  # a polite kill still cleans up
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    server = Server(sys.argv[1])
    try:
        server.serve()
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    finally:
        _sweep()
        import shutil
        shutil.rmtree(server.workdir, ignore_errors=True)
