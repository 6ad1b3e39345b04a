"""Calling the learner's code for a unit check, and the numerical gradients of what it computes: every
call gets fresh float64 copies of its arguments (learners change arrays and dicts in place); an error
in the learner's code is told apart from an input the code refuses; a function not written yet is
recognised."""
import ast

import numpy as np

import bpm_find
import bpm_layouts
import bpm_load
from bpm_report import Failed, NotChecked
from bpm_source import SizeNames
import bpm_trace


EPS = 1e-6
# How often inputs are drawn again where a central difference straddles a kink.
ATTEMPTS = 4
# Each input's numerical gradient covers every entry up to this many; beyond, an even sample of them.
MAX_ENTRIES = 400


# -- calling the user's code
# Putting back what a call of the user's code rebound costs about 20 µs: the hundreds of calls of one
# numerical gradient are put back once, after the last (see numerical_gradients).
_restore_each_call = True


def call_user(fn, kwargs):
    """The user's function on fresh arguments, the random state fixed (dropout draws the same masks)."""
    np.random.seed(1)
    try:
        return fn(**kwargs)
    finally:
        if _restore_each_call:
            bpm_load.restore()


def traced_call(us, fn, args, kwargs, role, again=None):
    """The user's function under the line tracer; an exception is reported at its line (Failed). Where
    the file's own `assert` stopped it and `again()` gives fresh arguments, the report stands and the
    function runs again without the file's asserts, so that its gradients are still checked (the
    caller folds the report in with fold_assert)."""
    value, tracer, e = bpm_trace.run_traced(us, fn, args, kwargs, f'`{fn.__qualname__}`')
    if e is not None:
        if isinstance(e, bpm_load.CheckTimeout) and not in_user_code(us, e):
            raise
        bpm_trace.raise_if_template(us, e)
        _missing_import(us, e)
        info = bpm_trace.explain_exception(us, e, fn, role, us.dims, tracer)
        report = us.reports.add(info['line'], 'error', info['code'], info['message'], info['related'], node=info['node'])
        bpm_trace.record_trace(us, tracer)
        twin = bpm_find.unasserted(us.file, fn) if again is not None and bpm_find.failed_assert(us, e) else fn
        if twin is fn:
            raise Failed(info['message'])
        value, tracer, e = bpm_trace.run_traced(us, twin, *again(), f'`{fn.__qualname__}` without its asserts')
        if e is not None:
            raise Failed(info['message'])
        us.stopped = report
    bpm_trace.record_trace(us, tracer)
    return value, tracer


def _missing_import(us, e):
    """What a unit calls is missing because an import failed (a module not installed, such as a compiled
    extension; a `*` import that found nothing), or numpy's version refuses what the file relies on: not
    checked, the import's report says why."""
    if isinstance(e, bpm_load.NotLoaded):
        raise NotChecked(str(e), related=[(e.line, 'the import that could not be loaded')] if e.line else ())
    if isinstance(e, TypeError) and 'only 0-dimensional arrays can be converted' in bpm_load.safe_str(e):
        frame, line = bpm_trace._user_frame(us, e)
        raise NotChecked(f'numpy {np.__version__} refuses int() or float() of a one-element array, which numpy 1 '
                         f'accepted (with a deprecation warning)', related=[(line, 'the conversion')] if line else ())
    if isinstance(e, NameError) and not isinstance(e, UnboundLocalError):
        failed = [r for r in us.reports.items if r['code'] == 'load-failed' and 'import *' in r['message']]
        if failed:
            raise NotChecked(f'`{getattr(e, "name", "")}` is not defined, and it may come from the `import *` that found '
                             f'nothing', related=[(failed[0]['line'], 'this import found nothing')])


def layout_refused(e):
    """An exception that says the forward does not take these inputs (a shape, a type, a key), not one
    that ends, blocks or exhausts the check whatever the inputs."""
    return isinstance(e, Exception) and not isinstance(e, (RecursionError, MemoryError)) and \
        bpm_trace._forbidden_in(e) is None


def user_error(us, e, fn, role, dims=None):
    """The user's code raised where no layout is to blame: reported at its line, the unit in error."""
    if isinstance(e, bpm_load.CheckTimeout) and not in_user_code(us, e):
        raise e
    info = bpm_trace.explain_exception(us, e, fn, role, dims or us.dims or SizeNames({}))
    us.reports.add(info['line'], 'error', info['code'], info['message'], info['related'], node=info['node'])
    raise Failed(info['message'])


def in_user_code(us, e):
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == us.mark:
            return True
        tb = tb.tb_next
    return False


# -- the numerical reference
def numerical_gradients(f, base, names, entries=MAX_ENTRIES):
    """Central differences of the scalar f(args) in each array `names` of `base` (copied per call by f),
    and whether any straddles a kink (its one-sided differences disagree). Returns ({name: gradient},
    {name: the flat indices computed}, kink)."""
    global _restore_each_call
    _restore_each_call = False
    try:
        return _differences(f, base, names, entries)
    finally:
        _restore_each_call = True
        bpm_load.restore()


def _differences(f, base, names, entries):
    f0 = f(base)
    grads, which, kink = {}, {}, False
    for name in names:
        arr = base[name]
        g = np.full(arr.shape, np.nan)
        flat = arr.reshape(-1)
        idx = np.arange(flat.size) if flat.size <= entries else np.linspace(0, flat.size - 1, entries).astype(int)
        for i in idx:
            old = flat[i]
            flat[i] = old + EPS
            fp = f(base)
            flat[i] = old - EPS
            fm = f(base)
            flat[i] = old
            g.flat[i] = (fp - fm) / (2 * EPS)
            right, left = (fp - f0) / EPS, (f0 - fm) / EPS
            if abs(right - left) > 1e-4 * max(abs(right), abs(left)) + 1e-5:
                kink = True
        grads[name], which[name] = g, idx
    return grads, which, kink


def fresh_copies(args):
    return {k: bpm_layouts._copy(v) for k, v in args.items()}


def float_arrays(args, order):
    return [n for n in order if isinstance(args.get(n), np.ndarray) and args[n].dtype.kind == 'f']


def is_stub(fc, fn):
    """A function not written yet: its body (a docstring aside) only `pass`, `...`, `return`,
    `return None` or `raise NotImplementedError`."""
    node = fc.src.function_node(fn.__code__.co_name, fn.__code__.co_firstlineno) if fn.__code__.co_filename == fc.mark \
        else None
    if node is None:
        return False
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and \
            isinstance(body[0].value.value, str):
        body = body[1:]
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value in (Ellipsis,) + ('',):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            continue
        if isinstance(stmt, ast.Return) and (stmt.value is None or
                                             (isinstance(stmt.value, ast.Constant) and stmt.value.value is None)):
            continue
        if isinstance(stmt, ast.Raise) and stmt.exc is not None and \
                'NotImplementedError' in (bpm_load._dotted(getattr(stmt.exc, 'func', stmt.exc)) or ''):
            continue
        return False
    return True


def return_names(us, fn):
    """The names the forward's return statement gives its outputs: `return A, Z` → ['A', 'Z']."""
    node = us.src.function_node(fn.__code__.co_name, fn.__code__.co_firstlineno) \
        if fn.__code__.co_filename == us.mark else None
    for sub in ast.walk(node) if node is not None else ():
        if isinstance(sub, ast.Return) and isinstance(sub.value, ast.Tuple):
            return [e.id if isinstance(e, ast.Name) else None for e in sub.value.elts]
    return []
