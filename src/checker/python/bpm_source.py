"""Source positions, shapes in the notes' notation, and the line tracer. Over 400 lines because the
tracer records each line's values in the notation and at the positions defined here; apart, each half
would re-derive the other's rules."""
import ast
import builtins
import re
import sys

import numpy as np

# The tracer runs inside the checked code, which may rebind builtins (`builtins.len = …`): this
# module's functions keep the originals.
__builtins__ = dict(builtins.__dict__)


class Source:
    """The user's text with 1-based, character-based positions (ast gives UTF-8 byte offsets)."""

    def __init__(self, text, tree):
        self.text = text
        self.tree = tree
        self.lines = text.splitlines()
        self._stmt = {}
        self.functions = {}
        self._keys = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                for k in node.keys:
                    if isinstance(k, ast.Constant) and isinstance(k.value, str):
                        self._keys.setdefault(k.value, []).append(k.lineno)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                    self._keys.setdefault(node.slice.value, []).append(node.lineno)
            if isinstance(node, ast.stmt):
                # The innermost statement that starts on a line wins (bodies are visited later).
                prev = self._stmt.get(node.lineno)
                if prev is None or _contains(prev, node):
                    self._stmt[node.lineno] = node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[(node.name, node.lineno)] = node

    def line_text(self, line):
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ''

    def col(self, line, byte_offset):
        """1-based character column of a byte offset on a line."""
        raw = self.line_text(line).encode('utf-8')
        return len(raw[:byte_offset].decode('utf-8', 'replace')) + 1

    def stmt_at(self, line):
        return self._stmt.get(line)

    def span(self, line):
        """(column, endColumn) of the statement at a line, else of the line's text."""
        node = self.stmt_at(line)
        text = self.line_text(line)
        if node is None:
            stripped = len(text) - len(text.lstrip())
            return stripped + 1, max(len(text.rstrip()) + 1, stripped + 2)
        start = self.col(line, node.col_offset)
        end = self.col(line, node.end_col_offset) if node.end_lineno == line else len(text.rstrip()) + 1
        return start, max(end, start + 1)

    def node_span(self, node):
        start = self.col(node.lineno, node.col_offset)
        end = self.col(node.lineno, node.end_col_offset) if node.end_lineno == node.lineno else len(self.line_text(node.lineno).rstrip()) + 1
        return start, max(end, start + 1)

    def segment(self, node):
        return ast.get_source_segment(self.text, node) or ''

    def function_node(self, name, first_line):
        node = self.functions.get((name, first_line))
        if node is None:  # decorated functions report the decorator's line as co_firstlineno
            for (n, l), f in self.functions.items():
                if n == name and f.lineno >= first_line and (node is None or f.lineno < node.lineno):
                    node = f
        return node

    def key_lines(self, key):
        """Lines where a string key is written: `grads["dW1"] = …` or `{"dW1": …}`."""
        return sorted(self._keys.get(key, []))

    def var_line(self, key):
        """For a value the tracer cannot follow (None, a list): the last line assigning the variable
        stored under the key (`dW1 = None` before `{"dW1": dW1}`), else None."""
        for node in ast.walk(self.tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            var = None
            for sub in ast.walk(node):
                if isinstance(sub, ast.Dict):
                    for k, v in zip(sub.keys, sub.values):
                        if isinstance(k, ast.Constant) and k.value == key and isinstance(v, ast.Name):
                            var = v.id
                elif isinstance(sub, ast.Assign) and isinstance(sub.targets[0], ast.Subscript):
                    s = sub.targets[0].slice
                    if isinstance(s, ast.Constant) and s.value == key and isinstance(sub.value, ast.Name):
                        var = sub.value.id
            if var is None:
                continue
            lines = [sub.lineno for sub in ast.walk(node) if isinstance(sub, ast.Assign)
                     and any(isinstance(t, ast.Name) and t.id == var for t in sub.targets)]
            if lines:
                return max(lines)
        return None


def _contains(outer, inner):
    return (outer.lineno, outer.col_offset) <= (inner.lineno, inner.col_offset) and \
        (outer.end_lineno, outer.end_col_offset) >= (inner.end_lineno, inner.end_col_offset)


def fmt_shape(shape):
    if shape is None:
        return 'None'
    shape = tuple(int(s) for s in shape)
    if len(shape) == 1:
        return f'({shape[0]},)'
    return '(' + ', '.join(str(s) for s in shape) + ')'


_NAME_RE = re.compile(r'^(d?)([WwbZzAa])_?\[?(\d+)\]?$')


class SizeNames:
    """The sizes of a unit's inputs by their names, to write shapes as `(N, D) = (4, 6)`."""

    def __init__(self, sizes):
        self.by_value = {}
        for n, v in sizes.items():
            if v != 1:
                self.by_value.setdefault(v, n)

    def _named(self, name):
        return None

    def sym(self, shape, name=None):
        parts = [self.by_value.get(int(v), str(int(v))) for v in shape]
        return f'({parts[0]},)' if len(parts) == 1 else '(' + ', '.join(parts) + ')'

    def both(self, shape, name=None):
        sym, num = self.sym(shape, name), fmt_shape(shape)
        return num if sym == num else f'{sym} = {num}'  # no name for a size: `(6, 14)`, not `(6, 14) = (6, 14)`


class Dims(SizeNames):
    """The sizes of one run of the notes' network and their names, to write shapes as `(n_h, m) = (3, 7)`."""

    def __init__(self, layer_dims, m, convention):
        self.layer_dims = list(layer_dims)
        self.m = m
        L = len(layer_dims) - 1
        if convention == 'two-layer':
            self.names = ['n_x', 'n_h', 'n_y']
        else:
            self.names = ['n_x'] + [f'n_{l}' for l in range(1, L)] + ['n_y']
        self.L = L
        self.by_value = {}
        for v, n in zip(self.layer_dims, self.names):
            if v != 1:
                self.by_value.setdefault(v, n)

    def as_dict(self):
        d = {n: v for n, v in zip(self.names, self.layer_dims)}
        d['m'] = self.m
        return d

    def param_shape(self, key):
        m = re.match(r'^([Wb])(\d+)$', key)
        if not m:
            return None
        l = int(m.group(2))
        if not 1 <= l <= self.L:
            return None
        return (self.layer_dims[l], self.layer_dims[l - 1]) if m.group(1) == 'W' else (self.layer_dims[l], 1)

    def _named(self, name):
        """Expected (numeric, symbolic) shape of a variable named in the notes' way, else None."""
        if name in ('X', 'x', 'A0', 'A_0', 'a0'):
            return (self.layer_dims[0], self.m), (self.names[0], 'm')
        if name in ('Y', 'y', 'AL', 'A_L', 'dAL', 'Yhat', 'Y_hat', 'y_hat', 'yhat'):
            return (self.layer_dims[-1], self.m), (self.names[-1], 'm')
        mt = _NAME_RE.match(name)
        if not mt:
            return None
        kind, l = mt.group(2).upper(), int(mt.group(3))
        if not 0 <= l <= self.L or (kind in 'WB' and l == 0):
            return None
        if kind == 'W':
            return (self.layer_dims[l], self.layer_dims[l - 1]), (self.names[l], self.names[l - 1])
        if kind == 'B':
            return (self.layer_dims[l], 1), (self.names[l], '1')
        return (self.layer_dims[l], self.m), (self.names[l], 'm')

    def sym(self, shape, name=None):
        shape = tuple(int(s) for s in shape)
        if name:
            base, transposed = (name[:-2], True) if name.endswith('.T') else (name, False)
            named = self._named(base)
            if named:
                num, sym = named
                if transposed:
                    num, sym = num[::-1], sym[::-1]
                if num == shape:
                    return '(' + ', '.join(sym) + ')'
            layered = self._by_layer(shape[::-1] if transposed else shape)
            if layered:
                return '(' + ', '.join(layered[::-1] if transposed else layered) + ')'
        parts = []
        for v in shape:
            if v == self.m:
                parts.append('m')
            elif v == 1:
                parts.append('1')
            else:
                parts.append(self.by_value.get(v, str(v)))
        if len(parts) == 1:
            return f'({parts[0]},)'
        return '(' + ', '.join(parts) + ')'

    def _by_layer(self, shape):
        """Names for a variable's 2-D shape when exactly one layer's W, b or Z/A has it (helpers
        name their arrays `W`, `dZ`, `A_prev` whatever the layer)."""
        if len(shape) != 2:
            return None
        d, n = self.layer_dims, self.names
        found = set()
        for l in range(len(d)):
            if l and shape == (d[l], d[l - 1]):
                found.add((n[l], n[l - 1]))
            if l and shape == (d[l], 1):
                found.add((n[l], '1'))
            if shape == (d[l], self.m):
                found.add((n[l], 'm'))
        return found.pop() if len(found) == 1 else None



def shape_of(v):
    if isinstance(v, np.ndarray):
        return tuple(int(s) for s in v.shape)
    if isinstance(v, (np.generic, float, int)) and not isinstance(v, bool):
        return ()
    return None


_SAFE_NODES = (ast.Name, ast.Load, ast.Attribute, ast.Subscript, ast.Constant, ast.BinOp, ast.UnaryOp,
               ast.Add, ast.Sub, ast.Mult, ast.Div, ast.MatMult, ast.Pow, ast.USub, ast.UAdd, ast.Tuple, ast.Slice,
               ast.Compare, ast.Gt, ast.GtE, ast.Lt, ast.LtE)  # a ReLU mask `(Z1 > 0)` is an operand too


def safe_eval(node, glb, loc):
    """Evaluates names, `.T`, constant subscripts, arithmetic and comparisons of them (never a call); None if not."""
    for sub in ast.walk(node):
        if not isinstance(sub, _SAFE_NODES):
            return None
        if isinstance(sub, ast.Attribute) and sub.attr != 'T':
            return None
    try:
        return eval(compile(ast.Expression(node), '<operand>', 'eval'), glb, dict(loc))
    except BaseException:  # noqa: BLE001 — the operand is just not known
        return None


class Tracer:
    """Follows every frame of the user's file (sys.settrace): records each binding of a local with
    its line and shape, and every line that created or changed an array in place."""

    MAX_EVENTS = 50000

    def __init__(self, mark):
        self.mark = mark
        self.writes = {}      # id(obj) -> [(line, function, name, snapshot, globals)]
        self.keep = []        # the recorded objects stay alive so their ids stay unique
        self.bindings = []    # (name, line, function, shape)
        self.called = {}      # (function name, first line) -> calls
        self.outside = set()  # (file, function name, first line) of functions of other files the file's code calls
        self.returns = {}     # id(returned object) -> (line, function)
        # Every change of a local array, in the order it happened, with a copy of its value then:
        # (line, function, name, array, copy, snapshot of the locals)
        self.changes = []
        self.events = 0

    def __enter__(self):
        self._old = sys.gettrace()
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc):
        sys.settrace(self._old)
        return False

    def _global(self, frame, event, arg):
        if event != 'call' or self.events > self.MAX_EVENTS:
            return None
        code = frame.f_code
        if code.co_filename != self.mark:
            # A function of a helper module the file's code calls (`relu_backward` from dnn_utils.py): a
            # unit of its own there may be what spoils this one.
            caller = frame.f_back
            if caller is not None and caller.f_code.co_filename == self.mark:
                self.outside.add((code.co_filename, code.co_name, code.co_firstlineno))
            return None
        key = (code.co_name, code.co_firstlineno)
        self.called[key] = self.called.get(key, 0) + 1
        return _FrameTrace(self, frame).trace

    def record_change(self, line, func, name, v, snap):
        """One entry of `changes`, for arrays small enough to copy, up to a bound per check."""
        if v.size <= 4096 and len(self.changes) < 5000:
            self.changes.append((line, func, name, v, v.copy(), snap))

    def last_write(self, obj):
        w = self.writes.get(id(obj))
        return w[-1] if w else None

    def first_write(self, obj):
        w = self.writes.get(id(obj))
        return w[0] if w else None


def _fingerprint(v):
    """What a scan compares to see a change: an array's bytes, the objects a dict holds."""
    if isinstance(v, np.ndarray):
        return v.tobytes() if v.size <= 4096 else (v.shape, float(np.sum(v)))
    if isinstance(v, dict):  # `grads["dW1"] = …` changes this
        return tuple(id(x) for x in list(v.values())[:200])
    return None


_TRACKED = (np.ndarray, np.generic, dict, float)


class _FrameTrace:
    def __init__(self, tracer, frame):
        self.t = tracer
        self.func = frame.f_code.co_name
        self.prev = None
        self.seen = {}
        caller = frame.f_back
        from_user = caller is not None and caller.f_code.co_filename == tracer.mark
        for name, v in frame.f_locals.items():  # arguments: bound by the caller, not written here
            if isinstance(v, _TRACKED):
                self.seen[name] = (id(v), _fingerprint(v))
                # An array that no traced line made (an expression in the call, or what a helper from
                # another module returned, `linear_backward(sigmoid_backward(dAL, Z), …)`) is first
                # the user's at the calling line: record it there, so a fault in it is found there.
                if from_user and isinstance(v, np.ndarray) and id(v) not in tracer.writes:
                    tracer.record_change(caller.f_lineno, self.func, name, v, dict(caller.f_locals))

    def trace(self, frame, event, arg):
        t = self.t
        t.events += 1
        if t.events > t.MAX_EVENTS:
            return None
        if event == 'line':
            if self.prev is not None:
                self.scan(frame, self.prev)
            self.prev = frame.f_lineno
        elif event == 'return':
            line = self.prev if self.prev is not None else frame.f_lineno
            self.scan(frame, line)
            if isinstance(arg, _TRACKED) and id(arg) not in t.writes:
                self._write(arg, line, '<return>', frame, dict(frame.f_locals))
            if isinstance(arg, (tuple, list)):
                for v in arg:
                    if isinstance(v, _TRACKED) and id(v) not in t.writes:
                        self._write(v, line, '<return>', frame, dict(frame.f_locals))
            t.returns[id(arg)] = (line, self.func)
            t.keep.append(arg)
        return self.trace

    def _write(self, v, line, name, frame, snap):
        t = self.t
        t.writes.setdefault(id(v), []).append((line, self.func, name, snap, frame.f_globals))
        t.keep.append(v)

    def scan(self, frame, line):
        t = self.t
        loc = frame.f_locals
        snap = None
        for name, v in loc.items():
            if not isinstance(v, _TRACKED):
                continue
            key = id(v)
            fp = _fingerprint(v)
            old = self.seen.get(name)
            if old is not None and old[0] == key and old[1] == fp:
                continue
            if snap is None:
                snap = dict(loc)
            self.seen[name] = (key, fp)
            rebound = old is None or old[0] != key
            if rebound or not isinstance(v, dict):
                if len(t.bindings) < 5000:
                    t.bindings.append((name, line, self.func, shape_of(v)))
            if isinstance(v, np.ndarray):
                t.record_change(line, self.func, name, v, snap)
            if rebound and key not in t.writes:
                self._write(v, line, name, frame, snap)
            elif not rebound and isinstance(v, np.ndarray):  # changed in place, e.g. `dZ[Z <= 0] = 0`
                self._write(v, line, name, frame, snap)
            if isinstance(v, dict):
                for k, item in list(v.items())[:200]:
                    if isinstance(item, (np.ndarray, np.generic)) and id(item) not in t.writes:
                        self._write(item, line, f'{name}[{k!r}]', frame, snap)
                        if len(t.bindings) < 5000:
                            t.bindings.append((f'{name}[{k!r}]', line, self.func, shape_of(item)))


def log_epsilon(trees):
    """The largest small constant (≤ 1e-3) added inside a logarithm in the trees: `np.log(y + 1e-7)`."""
    eps = 0.0
    for tree in trees:
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.BinOp) and
                    isinstance(node.args[0].op, ast.Add)):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, 'id', '')
            if name not in ('log', 'log2', 'log10'):
                continue
            for side in (node.args[0].left, node.args[0].right):
                if isinstance(side, ast.Constant) and isinstance(side.value, float) and 0 < side.value <= 1e-3:
                    eps = max(eps, side.value)
    return eps
