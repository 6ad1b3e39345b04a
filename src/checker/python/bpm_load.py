"""Loads a user's file without running its script code: imports, functions, classes and constant
assignments only. Students often train for minutes at module level; none of that runs here. Over 400 lines
because it is the one policy of what of the user's code runs when a file loads (helper modules,
packages, a notebook's %run): kept whole, it can be read and audited in one place."""
import ast
import builtins
import os
import stat
import sys
import types

# The audit hook runs inside the checked code, which may rebind builtins: this module's functions
# keep the originals.
__builtins__ = dict(builtins.__dict__)

# Calls allowed in a module-level constant, by the dotted name's last part: conversions and scalar
# math only, never data (np.random, file reading) nor anything that may run long.
_CONST_CALLS = {'array', 'asarray', 'float64', 'float32', 'int64', 'int32', 'float', 'int', 'bool', 'str', 'sqrt',
                'exp', 'log', 'log2', 'log10', 'finfo', 'iinfo', 'dtype', 'tuple', 'list', 'abs', 'round', 'min',
                'max', 'pow',
                # wrappers of functions: `sigmoid = np.vectorize(…)`, `act = partial(leaky_relu, alpha=0.01)`
                'vectorize', 'partial'}
_PLOTTING = ('matplotlib', 'seaborn', 'IPython', 'pylab')


class NotLoaded(Exception):
    """A name the file's functions use that the checker could not provide; `line` is its import."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.line = line


class InputCalled(BaseException):
    """input() was called; BaseException so a user's `except Exception` cannot swallow it."""


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return '.'.join(reversed(parts))
    return None


def is_constant_expr(node):
    """True for values that cannot read data or run for long: literals, arithmetic, lambdas,
    names, and numpy/math calls that are not file I/O."""
    stack = [node]
    while stack:  # ast.walk, but not into lambdas: their bodies run only when called
        sub = stack.pop()
        if isinstance(sub, ast.Lambda):
            stack.extend(d for d in sub.args.defaults + sub.args.kw_defaults if d is not None)
            continue
        if isinstance(sub, ast.Call):
            name = _dotted(sub.func)
            if not name or name.split('.')[-1] not in _CONST_CALLS or \
                    name.split('.')[0] not in ('np', 'numpy', 'math', 'functools', name):
                return False
        elif isinstance(sub, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Await,
                              ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return False
        stack.extend(ast.iter_child_nodes(sub))
    return True


def _targets(stmt):
    names = []
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
    return names


class _Noop:
    """Stands in for any plotting object: every attribute and call is harmless."""

    def __getattr__(self, name):
        return self

    def __call__(self, *a, **k):
        return self

    def __iter__(self):
        return iter((self, self))

    def __getitem__(self, key):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _PlotStub(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _Noop()


class _PlotFinder:
    """Serves plotting modules as no-op stubs: plotting is irrelevant to a gradient check and
    may be missing (or slow to import, or try to open a window)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split('.')[0] in _PLOTTING:
            import importlib.machinery
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        mod = _PlotStub(spec.name)
        mod.__path__ = []
        return mod

    def exec_module(self, module):
        pass


class _Missing:
    """Bound in place of something an import could not provide; fails only when used."""

    def __init__(self, what, line, reason):
        object.__setattr__(self, '_what', what)
        object.__setattr__(self, '_line', line)
        object.__setattr__(self, '_reason', reason)

    def _fail(self):
        raise NotLoaded(f"`{self._what}` is not available: {self._reason}", self._line)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        self._fail()

    def __call__(self, *a, **k):
        self._fail()


class CheckTimeout(BaseException):
    """The time limit struck; BaseException so that the user's `except Exception` cannot swallow it."""


class ExitCalled(BaseException):
    """os._exit() was called: in a check it raises this instead of ending the process without a word,
    so the report names the call's line."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


class Forbidden(PermissionError):
    """The checked code tried to change a file, start or signal a process, use the network or open a
    device; a PermissionError, so that libraries that tolerate an unwritable cache go on."""

    def __init__(self, what):
        super().__init__(what)
        self.what = what


def _name(target):
    return os.fsdecode(target) if isinstance(target, (str, bytes)) else str(target)


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Audit events that change files, start or signal processes, reach the network or lift the check's
# limits, with what the report says; {0} is the event's first argument, {1} its second. Every one
# exists since Python 3.8. Any SQLite database is refused, one in memory too: `ATTACH DATABASE` and
# `VACUUM INTO` write files from SQL, past every hook.
_FORBIDDEN_EVENTS = {
    'os.remove': 'deletes `{0}`', 'os.rename': 'renames `{0}`', 'os.rmdir': 'deletes `{0}`',
    'os.mkdir': 'creates the folder `{0}`', 'os.truncate': 'truncates `{0}`', 'os.chmod': 'changes the mode of `{0}`',
    'os.chown': 'changes the owner of `{0}`', 'os.link': 'links `{0}`', 'os.symlink': 'links `{0}`',
    'os.utime': 'touches `{0}`', 'os.setxattr': 'changes the attributes of `{0}`',
    'os.removexattr': 'changes the attributes of `{0}`', 'os.chflags': 'changes the flags of `{0}`',
    'shutil.rmtree': 'deletes `{0}`',
    'sqlite3.connect': 'opens the database `{0}` (SQLite can write files from SQL, so no database is opened, not even in memory)',
    'os.system': 'starts a program (`os.system`)', 'subprocess.Popen': 'starts the program `{0}`',
    'os.exec': 'starts the program `{0}`', 'os.posix_spawn': 'starts the program `{0}`',
    'os.spawn': 'starts the program `{1}`', 'os.fork': 'starts a process (`os.fork`)',
    'os.forkpty': 'starts a process (`os.forkpty`)',
    'os.kill': 'sends a signal to a process (`os.kill`)', 'os.killpg': 'sends a signal to processes (`os.killpg`)',
    'signal.pthread_kill': 'sends a signal (`signal.pthread_kill`)',
    'socket.__new__': 'opens a network socket', 'socket.bind': 'listens on `{1}`', 'socket.connect': 'connects to `{1}`',
    'socket.sendto': 'sends to `{1}`', 'socket.sendmsg': 'sends to `{1}`',
    'socket.getaddrinfo': 'looks up the host `{0}`', 'socket.gethostbyname': 'looks up the host `{0}`',
    'socket.gethostbyaddr': 'looks up the host `{0}`', 'socket.getnameinfo': 'looks up the host `{0}`',
    'resource.setrlimit': 'changes the limits of the check (`resource.setrlimit`)',
    'resource.prlimit': 'changes the limits of a process (`resource.prlimit`)',
}

# Functions that make files or start programs without raising an audit event (Python 3.8 to 3.13):
# (module, name, what the report says; {0} is the first argument). They get stand-ins that refuse.
_UNAUDITED = (
    ('posix', 'mknod', 'creates the file `{0}` (`os.mknod`)'),
    ('posix', 'mkfifo', 'creates the FIFO `{0}` (`os.mkfifo`)'),
    ('_posixsubprocess', 'fork_exec', 'starts a program (`_posixsubprocess.fork_exec`)'),
    ('_posixshmem', 'shm_open', 'creates the shared memory `{0}` (`shm_open`)'),
    ('_posixshmem', 'shm_unlink', 'deletes the shared memory `{0}` (`shm_unlink`)'),
    ('signal', 'raise_signal', 'sends itself a signal (`signal.raise_signal`)'),
    ('posix', 'abort', 'ends the process (`os.abort`)'),
)


def _audit(event, args):
    if event == 'open':
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if isinstance(path, int):  # an already open descriptor (the check's own result pipe)
            return
        writes = (isinstance(mode, str) and any(c in mode for c in 'wax+')) or \
            (mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS)
        if writes:
            raise Forbidden(f'writes to the file `{_name(path)}`')
        try:  # stat() never blocks, while opening a FIFO waits for a writer and a device may never end
            kind = os.stat(path).st_mode
        except (OSError, ValueError, TypeError):
            return
        if not (stat.S_ISREG(kind) or stat.S_ISDIR(kind)):
            what = 'a FIFO' if stat.S_ISFIFO(kind) else 'a socket' if stat.S_ISSOCK(kind) else 'a device'
            raise Forbidden(f'opens `{_name(path)}`, which is {what}, not a file (reading it may wait or never end)')
        return
    what = _FORBIDDEN_EVENTS.get(event)
    if what is not None:
        raise Forbidden(what.format(*(_name(a) for a in tuple(args)[:2]), '', ''))


def _forbid(what):
    def forbidden(*args, **kwargs):
        first = args[0] if args else next(iter(kwargs.values()), '')
        raise Forbidden(what.format(_name(first)))
    return forbidden


def install_sandbox(harness_dir):
    """Process-wide changes for a check child: plotting stubs, no input(), no local imports, no file
    changes, programs, signals or network (an audit hook: the user's code must not touch the
    workspace, nor wait on a socket or a FIFO); os._exit() raises. Then remembers the state that the
    checked code must not carry from one call to the next (see restore)."""
    global _PRISTINE
    import importlib
    # Without a stand-in these would act unseen (os re-exports posix's functions: both get it).
    for module_name, name, what in _UNAUDITED:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, name):
            stand_in = _forbid(what)
            setattr(module, name, stand_in)
            if module_name == 'posix':
                setattr(os, name, stand_in)
    sys.meta_path.insert(0, _PlotFinder())
    sys.addaudithook(_audit)

    def no_input(*args, **kwargs):
        raise InputCalled()

    def no_exit(code):
        raise ExitCalled(code)

    builtins.input = no_input
    os._exit = no_exit
    # The user's directory and the working directory are not searched: only the user's file is read.
    sys.path[:] = [p for p in sys.path if p not in ('', '.', harness_dir)]
    _PRISTINE = _State()


class _State:
    """What a call of the checked code can rebind that the next call (the n_y = 2 run, the numerical
    gradient) and the harness rely on: the namespaces of builtins, numpy, math and os, the standard
    streams, the recursion limit, numpy's error handling, the working folder, the signal handlers
    of the time limit, and a profile or trace function."""

    def __init__(self):
        import math
        import signal
        import numpy as np
        self.namespaces = [(m.__dict__, dict(m.__dict__)) for m in (builtins, np, np.linalg, np.random, math, os)]
        self.streams = (sys.stdin, sys.stdout, sys.stderr)
        self.recursion = sys.getrecursionlimit()
        self.np_err = np.geterr()
        self.cwd = os.getcwd()
        self.signals = {s: signal.getsignal(s) for s in (signal.SIGUSR1, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM)}

    def restore(self):
        import signal
        import numpy as np
        for current, saved in self.namespaces:
            if current != saved:
                if current is builtins.__dict__:  # a name added there would hide a NameError in the next run
                    for key in [k for k in current if k not in saved]:
                        del current[key]
                current.update(saved)
        sys.stdin, sys.stdout, sys.stderr = self.streams
        if sys.getrecursionlimit() != self.recursion:
            sys.setrecursionlimit(self.recursion)
        np.seterr(**self.np_err)
        if os.getcwd() != self.cwd:
            os.chdir(self.cwd)
        for s, handler in self.signals.items():
            if signal.getsignal(s) is not handler:
                signal.signal(s, handler)
        sys.setprofile(None)
        sys.settrace(None)


_PRISTINE = None


def restore():
    """Undoes what the last call of the checked code rebound (nothing outside a check child)."""
    if _PRISTINE is not None:
        _PRISTINE.restore()


class _FolderFinder:
    """Serves a module that is a file in the checked file's folder (`from dnn_utils import
    relu_backward`) or a package folder there (`from cs231n.layers import *`, a folder with an
    `__init__.py`), loaded by the same rules as the checked file: definitions only."""

    def __init__(self, bases):
        self.bases = bases

    def find_spec(self, fullname, path=None, target=None):
        import importlib.machinery
        parts = fullname.split('.')
        for base in self.bases:
            where = os.path.join(base, *parts)
            init = os.path.join(where, '__init__.py')
            if os.path.isfile(init):
                return importlib.machinery.ModuleSpec(fullname, self, origin=init, is_package=True)
            if os.path.isfile(where + '.py'):
                return importlib.machinery.ModuleSpec(fullname, self, origin=where + '.py')
            if os.path.isdir(where) and _folder and (_folder + os.sep).startswith(os.path.abspath(where) + os.sep):
                # A folder the checked file is in, without an `__init__.py`: a namespace package.
                spec = importlib.machinery.ModuleSpec(fullname, self, is_package=True)
                spec.submodule_search_locations = [where]
                return spec
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        origin = module.__spec__.origin
        if origin is None:  # a namespace package: nothing to run
            return
        with open(origin, 'rb') as f:
            source = f.read()
        tree = ast.parse(source, filename=origin)
        import importlib.util
        helper_sources[origin] = (importlib.util.decode_source(source), tree)
        package = module.__name__ if module.__spec__.submodule_search_locations is not None \
            else module.__name__.rpartition('.')[0]
        ns, _, problems = load(tree, origin, package or None)
        # Reported as the checked file's own are, at the line that imports the module.
        _helper_problems.extend(f'`{os.path.basename(origin)}:{line}`: {message}' for line, message in problems)
        ns['__name__'] = module.__name__
        vars(module).update(ns)


_folder = None
# The text and tree of each helper module loaded from beside the checked file, by its path: the units
# of a helper that the file uses are checked and reported at its lines.
helper_sources = {}
# Problems of the helper modules loaded by the statement that load() runs: (message, …).
_helper_problems = []
_bases = []
_package = None


def allow_folder_modules(folder):
    """Lets the checked code import the modules beside it (after install_sandbox); a checked file in a
    package folder imports its package's modules too, relatively or by the package's name."""
    global _folder, _bases, _package
    if folder and os.path.isdir(folder):
        _folder = os.path.abspath(folder)
        _bases = [_folder]
        top, parts = _folder, []
        while os.path.isfile(os.path.join(top, '__init__.py')) and os.path.dirname(top) != top:
            parts.insert(0, os.path.basename(top))
            top = os.path.dirname(top)
        if parts:
            _bases.append(top)
            _package = '.'.join(parts)
        sys.meta_path.insert(0, _FolderFinder(_bases))


def resolve_package(tree):
    """Where the checked file's own imports say it lives: a relative import of level k makes the k − 1
    folders above it its package (`from ..layers import *` in cs231n/classifiers/fc_net.py: the package
    cs231n.classifiers); an absolute import of a folder on its path (`from cs231n.layers import *`
    there) imports from that folder's parent; so does one of a package folder beside its own folder
    (`from common.layers import *` in ch05/, the book's `sys.path.append(os.pardir)`)."""
    global _package
    if not _folder:
        return
    parts = _folder.split(os.sep)
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    level = max((n.level for n in imports if isinstance(n, ast.ImportFrom)), default=0)
    if level >= 1 and _package is None and len(parts) > level and all(p.isidentifier() for p in parts[-level:]):
        _package = '.'.join(parts[-level:])
        _add_base(os.sep.join(parts[:-level]) or os.sep)
    tops = {(n.module or '').split('.')[0] for n in imports if isinstance(n, ast.ImportFrom) and n.level == 0} | \
        {a.name.split('.')[0] for n in imports if isinstance(n, ast.Import) for a in n.names}
    parent = os.path.dirname(_folder)
    for top in sorted(t for t in tops if t):
        if top in parts:
            _add_base(os.sep.join(parts[:len(parts) - 1 - parts[::-1].index(top)]) or os.sep)
        elif os.path.isfile(os.path.join(parent, top, '__init__.py')):
            _add_base(parent)


def _add_base(folder):
    if folder not in _bases:
        _bases.append(folder)


def checked_folder():
    """The checked file's folder (None for an unsaved file)."""
    return _folder


def module_folders():
    """The folders that the checked file's imports are served from (none for an unsaved file)."""
    return list(_bases)


def checked_package():
    """The package the checked file belongs to (`cs231n.classifiers`), for its relative imports."""
    return _package


def load(tree, mark, package=None, asserts=True):
    """Executes the kept statements of the module `tree` in a fresh namespace (of `package`, for its
    relative imports); with asserts=False its `assert` statements are left out, as `python -O` does.
    Returns (namespace, skipped, problems): skipped maps a name set only by script code to its line;
    problems lists (line, message) for kept statements that failed."""
    ns = {'__name__': '__backprop_map_check__', '__file__': mark, '__builtins__': builtins}
    if package:
        ns['__package__'] = package
    skipped = {}
    problems = []

    def run(stmt):
        code = compile(ast.Module(body=[stmt], type_ignores=[]), mark, 'exec', optimize=0 if asserts else 1)
        helpers = len(_helper_problems)
        try:
            exec(code, ns)
        finally:
            problems.extend((stmt.lineno, message) for message in _helper_problems[helpers:])
            del _helper_problems[helpers:]

    def do_import(stmt):
        try:
            run(stmt)
        except CheckTimeout:
            raise
        except BaseException as e:  # noqa: BLE001 — any failing import becomes a placeholder
            mod = stmt.module if isinstance(stmt, ast.ImportFrom) else None
            local = isinstance(e, ModuleNotFoundError)
            if local:
                where = f"no file `{e.name}.py` in {_folder}" if _folder else "no folder to import it from (an unsaved file has none)"
                reason = (f"module `{e.name}` is not installed for this Python and there is {where} (install it, "
                          f"put `{e.name}.py` beside this file, or use numpy instead)")
            else:
                reason = f"importing it failed ({_raised(e)})"
            for alias in stmt.names:
                if alias.name == '*':  # the names it binds are unknown, so their use will be a plain NameError
                    problems.append((stmt.lineno, f"`import *` found nothing: {reason}"))
                    continue
                bound = alias.asname or alias.name.split('.')[0]
                what = f"{mod}.{alias.name}" if mod else alias.name
                ns[bound] = _Missing(what, stmt.lineno, reason)

    def visit(body):
        for stmt in body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                do_import(stmt)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                try:
                    run(stmt)
                except CheckTimeout:
                    raise
                except BaseException as e:  # noqa: BLE001 — a decorator or class body failed, even with sys.exit()
                    problems.append((stmt.lineno, f"`{stmt.name}` could not be defined: {_raised(e)}"))
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None and is_constant_expr(stmt.value):
                try:
                    run(stmt)
                except CheckTimeout:
                    raise
                except BaseException:  # noqa: BLE001
                    for n in _targets(stmt):
                        skipped.setdefault(n, stmt.lineno)
            elif isinstance(stmt, ast.Try) and _only_definitions(stmt):
                # `try: import cupy as np / except ImportError: import numpy as np` runs as written.
                try:
                    run(stmt)
                except CheckTimeout:
                    raise
                except BaseException:  # noqa: BLE001
                    visit(stmt.body)
            elif isinstance(stmt, ast.Try):
                visit(stmt.body)
            else:
                for n in _targets(stmt):
                    skipped.setdefault(n, stmt.lineno)

    visit(tree.body)
    restore()  # the harness goes on, and the first call starts, as every later one will
    return ns, skipped, problems


def safe_str(e):
    """str() of a user's exception, whose __str__ may itself raise."""
    try:
        return str(e)
    except BaseException:  # noqa: BLE001
        return ''


def _raised(e):
    text = safe_str(e)
    return f'{type(e).__name__}: {text}' if text else type(e).__name__


def _only_definitions(stmt):
    """A try statement made only of imports, definitions, constants and `pass`/`raise`."""
    blocks = [stmt.body, stmt.orelse, stmt.finalbody] + [h.body for h in stmt.handlers]
    for block in blocks:
        for s in block:
            if isinstance(s, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass, ast.Raise)):
                continue
            if isinstance(s, (ast.Assign, ast.AnnAssign)) and s.value is not None and is_constant_expr(s.value):
                continue
            return False
    return True
