"""Step 2 of a check, running the user's code under the line tracer: a call with its arguments bound
by name, and an exception explained at the user's line (the failing product and its operands'
shapes, a recursion, the time limit, a blocked call, a cache the forward did not return). Over 400 lines:
the explanations need the tracer's record of the failing line, so they live beside the tracing."""
import ast
import re
from collections import Counter

import numpy as np

import bpm_find
from bpm_find import bind
import bpm_load
from bpm_load import CheckTimeout, _dotted as _dotted_name
from bpm_report import Abort, NotChecked, NotWritten, _describe
from bpm_source import Tracer, fmt_shape, safe_eval


# An exception's text is quoted up to this length: a report is a line to read, not the data.
MAX_MESSAGE = 500


def raised_by_unwritten(st, e):
    """Whether the user's line that raised e uses a term still `...` (then its report says it all)."""
    frame, line = _user_frame(st, e)
    stmt = st.src.stmt_at(line) if frame is not None else None
    if stmt is None:
        return False
    used = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return any(frame.f_locals.get(n, None) is Ellipsis for n in used)


def raise_if_template(st, e):
    """NotWritten when e comes from a placeholder of an exercise template (see template_placeholder)."""
    term = template_placeholder(st, e)
    if term is not None:
        frame, line = _user_frame(st, e)
        raise NotWritten(f'`{frame.f_code.co_name}` is not written yet (`{term}` at line {line} is the template\'s '
                         f'placeholder)', frame.f_code)


def _user_frame(st, e):
    frame, line = None, None
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == st.mark:
            frame, line = tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next
    return frame, line


def template_placeholder(st, e):
    """The name of the term an exercise template leaves to write when e comes from it, else None: the
    failing line uses `None` written out (`dW3 = … + None`) or a local still holding the `None` its
    function assigns literally (`W1 = None`), or a name the function never assigns but names in a
    comment (`# A2 = ...`, the template's hint)."""
    if not isinstance(e, (TypeError, AttributeError, NameError, ValueError, AssertionError)):
        return None
    frame, line = _user_frame(st, e)
    stmt = st.src.stmt_at(line) if frame is not None else None
    func = st.src.function_node(frame.f_code.co_name, frame.f_code.co_firstlineno) if frame is not None else None
    if stmt is None or func is None:
        return None
    stored = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    none_assigned = {t.id for n in ast.walk(func) if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
                     and n.value.value is None for t in n.targets if isinstance(t, ast.Name)}
    for n in ast.walk(stmt):
        if isinstance(n, ast.BinOp) and any(isinstance(x, ast.Constant) and x.value is None for x in (n.left, n.right)):
            return st.src.segment(n)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            value = frame.f_locals.get(n.id, 0)
            if n.id in none_assigned and (value is None or (isinstance(value, np.ndarray) and value.dtype == object
                                                            and value.size == 1 and value.item() is None)):
                # Still the template's None, or np.squeeze of it (`cost = np.squeeze(cost)` before an assert).
                return n.id
            # A name read before the function binds it (`cost = float(np.squeeze(cost))` with the lines that
            # should compute it left empty) is as unwritten as one it never binds.
            unbound = isinstance(e, UnboundLocalError) and re.search(r"'(\w+)'", str(e)) is not None and \
                re.search(r"'(\w+)'", str(e)).group(1) == n.id
            if isinstance(e, NameError) and (unbound or getattr(e, 'name', None) == n.id and n.id not in stored):
                comments = '\n'.join(st.src.line_text(l) for l in range(func.lineno, (func.end_lineno or func.lineno) + 1))
                if re.search(r'#.*\b' + re.escape(n.id) + r'\b', comments):
                    return n.id
    return None


def traced(st, fn, values, role, dims, primary, note=None, go_on=False):
    """Runs fn under the tracer. Returns (value, tracer); a failure is reported and raises Abort,
    unless not primary, where it returns (exception info, tracer) for the caller to judge.
    `note` ((message, related line)) is added to an exception's report: what may have caused it.
    `go_on`: the failure of one of the file's own `assert` statements is reported and returned as a
    _Failed of kind 'assert' (the caller runs on without the asserts)."""
    args, kwargs, missing = bind(fn, values)
    if missing:
        if not primary:
            return _Failed(None, None, 'unbound'), None
        # A signature of the file's own: the check cannot be set up, which is no fault of the code.
        raise NotChecked(f'`{fn.__name__}` takes {", ".join("`" + m + "`" for m in missing)}, which the checker cannot '
                         f'provide: it passes arguments by name ({_known_args(role)}); rename the argument, give it a '
                         f'default or name the functions in a `# backprop-map:` comment')
    value, tracer, e = run_traced(st, fn, args, kwargs, f'the {role} function `{fn.__name__}`')
    if e is not None:
        if primary and st.unwritten and isinstance(e, Exception) and raised_by_unwritten(st, e):
            st.waits_for_unwritten = True
            record_trace(st, tracer)
            raise Abort()
        if template_placeholder(st, e) is not None:
            record_trace(st, tracer)
            if not primary:
                return _Failed(e, None, 'unwritten'), tracer
            raise_if_template(st, e)
        _foreign_keys(st, e, role, values)
        info = explain_exception(st, e, fn, role, dims, tracer)
        if note is not None and info['code'] == 'exception':
            info['message'] += f' — {note[0]}'
            info['related'].append((note[1], f'`{st.fn["forward"].__name__}` returns here'))
        if primary:
            record_trace(st, tracer)
            report = st.reports.add(info['line'], 'error', info['code'], info['message'], info['related'],
                                    node=info['node'])
            if go_on and bpm_find.failed_assert(st, e):
                st.stopped = report
                return _Failed(e, info, 'assert'), tracer
            raise Abort()
        return _Failed(e, info, 'raised'), tracer
    if primary:
        record_trace(st, tracer)
    return value, tracer


def fold_assert(st, gradients):
    """The report of the file's own assert that stopped a run (st.stopped), once the gradients of the run
    without the asserts are known: where a gradient's error stands at its line, that one says it all (the
    assert related); where every gradient is right, the assert is a warning (it fails on right values)."""
    report = st.stopped
    if report is None or report not in st.reports.items:
        return
    same = [r for r in st.reports.items if r is not report and r['line'] == report['line'] and
            r.get('file') == report.get('file') and r['severity'] == 'error' and r.get('unit') == report.get('unit')]
    if same:
        st.reports.items.remove(report)
        same[0]['related'].extend(x for x in report['related'] if x['message'] == 'the assert that fails')
    elif gradients and all(g['status'] == 'ok' for g in gradients):
        report['severity'] = 'warning'
        report['message'] += ' — the gradients are right (checked on a run without the asserts)'


def run_traced(st, fn, args, kwargs, what):
    """fn(*args, **kwargs) under the line tracer, the random state fixed (dropout draws the same masks) and
    what the call rebound put back: (value, tracer, None), or (None, tracer, the exception it raised)."""
    tracer = Tracer(st.mark)
    st.progress(f'running {what}', bpm_find.func_line(fn))
    try:
        np.random.seed(1)
        try:
            with tracer:
                value = fn(*args, **kwargs)
        finally:
            bpm_load.restore()
    except BaseException as e:  # noqa: BLE001 — the user's code may raise anything, even KeyboardInterrupt
        return None, tracer, e
    return value, tracer, None


def _foreign_keys(st, e, role, values):
    """A forward that reads parameters under names of its own (`parameters["weight1"]`, from an
    initialisation the checker could not run) cannot be set up: not checked, never the user's error."""
    params = values.get('parameters')
    if role != 'forward' or not isinstance(e, KeyError) or not isinstance(params, dict) or not e.args:
        return
    key = e.args[0]
    if isinstance(key, str) and key not in params and not re.fullmatch(r'[WbAZ]\d+', key):
        init = st.fn.get('init')
        why = (f'`{init.__name__}` could not be run for its keys' if init is not None else 'no initialisation gives its keys')
        raise NotChecked(f'`{st.fn["forward"].__name__}` reads parameters["{key}"], and the checker\'s parameters are named '
                         f'as in the notes (W1, b1, …); {why}')


def record_trace(st, tracer):
    st.trace_bindings.extend(tracer.bindings)
    for k, n in tracer.called.items():
        st.called[k] = st.called.get(k, 0) + n
    st.reached.update(tracer.outside)


# -- exceptions
def explain_exception(st, e, fn, role, dims, tracer=None):
    frames = []
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == st.mark:
            frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    if frames:
        frame, line = frames[-1]
        func = frame.f_code.co_name
    else:
        frame, line, func = None, bpm_find.func_line(fn), fn.__name__
    if isinstance(e, RecursionError) and len(frames) > 2:
        # Where Python stops depends on the last frames (a def line just entered, or a numpy call
        # inside): the call that recurses is the line that repeats most often in the chain.
        repeats = Counter((f.f_code, l) for f, l in frames)
        (code_obj, line), _ = repeats.most_common(1)[0]
        last = max(i for i, (f, l) in enumerate(frames) if f.f_code is code_obj and l == line)
        frame = frames[last][0]
        func = frame.f_code.co_name
        frames = frames[:last + 1]
    related = _call_chain(frames[:-1])
    node = shapes = None
    code = 'exception'
    name = type(e).__name__
    if isinstance(e, RecursionError):
        code = 'recursion'
        msg = (f'RecursionError in `{func}`: the calls never end ({len(frames)} deep in this file when Python '
               f'stopped them): a function calls itself, directly or through others, without a condition to stop')
    elif isinstance(e, CheckTimeout):
        code = 'timeout'
        share = getattr(st, 'budget_s', None)
        limit = (f'its share ({share:.1f} s) of the time limit of {st.timeout_s:g} s' if share is not None
                 else f'the time limit of {st.timeout_s:g} s')
        msg = f'did not finish within {limit} (stopped here, in `{func}`)'
    elif isinstance(e, bpm_load.InputCalled):
        code = 'input-called'
        msg = f'`input()` in `{func}` waits for typing, which a check cannot do: remove it from the checked functions'
    elif isinstance(e, SystemExit):
        code = 'sys-exit'
        msg = f'`{func}` called sys.exit() / exit() (code {e.code!r}); the checked functions must return instead'
    elif isinstance(e, bpm_load.ExitCalled):
        code = 'sys-exit'
        msg = (f'`{func}` called os._exit({e.code!r}), which would end the check without a result; the checked '
               f'functions must return instead')
    elif isinstance(e, MemoryError):
        code = 'memory'
        msg = f'`{func}` ran out of memory (the check is limited to about 2 GB)'
    elif _forbidden_in(e) is not None:
        code = 'forbidden'
        msg = (f'`{func}` {_forbidden_in(e).what}: a check blocks file changes, programs, signals, the network and devices, so '
               f'that it cannot change anything or wait forever; keep saving, logging, downloads and shell commands '
               f'out of the checked functions')
    elif isinstance(e, bpm_load.NotLoaded):
        code = 'not-loaded'
        msg = str(e)
        if e.line:  # reported at the import, where the fix goes; the use is related
            related.insert(0, (line, f'`{func}` uses it here'))
            line = e.line
    elif isinstance(e, NameError) and getattr(e, 'name', None) in st.skipped:
        code = 'needs-script-state'
        sl = st.skipped[e.name]
        msg = (f'`{func}` uses `{e.name}`, which only script code at line {sl} sets; the checker runs only imports, '
               f'functions, classes and constant assignments (pass it as an argument or compute it inside)')
        related.append((sl, f'`{e.name}` is set here by script code that the checker does not run'))
    else:
        detail = None
        if frame is not None:
            detail, node, shapes = operand_detail(st, e, frame, line, dims)
            if node is not None and tracer is not None:
                detail += misshapen_operand(st, node, frame, line, dims, tracer, related)
            if node is not None and isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and \
                    len(shapes[0]) == 2 and len(shapes[1]) == 2 and shapes[0][1] == shapes[1][0]:
                detail += (f' — `*` multiplies elementwise; the matrix product was meant: '
                           f'{as_matmul(st, node, frame)}')
        text = detail or (bpm_load.safe_str(e).strip().splitlines() or [''])[0]
        if len(text) > MAX_MESSAGE:
            text = text[:MAX_MESSAGE] + f'… ({len(text)} characters)'
        msg = f'{name} in `{func}`' + (f': {text}' if text else '')
        outer = _unverified_caller(st, e, frames)
        if outer is not None:
            # The failing function runs right on consistent inputs (its own unit ran it so): the fault is
            # in what the first caller not so checked gives it.
            k, (frame, at) = outer
            related = [(line, f'it fails here, in `{func}`')] + _call_chain(frames[k + 1:-1]) + _call_chain(frames[:k])
            msg = (f'{name} in `{func}`: this call gives it arguments that do not fit (`{func}` itself runs right '
                   f'on inputs of consistent shapes: its unit checks it)' + (f': {text}' if text else ''))
            line, func, node = at, frame.f_code.co_name, None
    info = {'line': line, 'code': code, 'message': msg, 'related': related, 'node': node, 'func': func,
            'shapes': shapes if node is not None else None}
    if tracer is not None:
        made_by(st, e, tracer, info)
    return info


def _unverified_caller(st, e, frames):
    """For a shape error (ValueError) inside functions that their units ran without fault on inputs of
    consistent shapes (st.verified): (index, (frame, line)) of the innermost caller that is not one of
    them; None where the failing function is not such a one, or every caller is."""
    verified = getattr(st, 'verified', None)
    if not verified or not isinstance(e, ValueError) or len(frames) < 2:
        return None
    key = lambda f: (f.f_code.co_filename, f.f_code.co_name, f.f_code.co_firstlineno)  # noqa: E731
    k = len(frames) - 1
    while k >= 0 and key(frames[k][0]) in verified:
        k -= 1
    return (k, frames[k]) if 0 <= k < len(frames) - 1 else None


def made_by(st, e, tracer, info):
    """A failed `assert` about one value this function made (`assert isinstance(db, float)` after
    `db = np.squeeze(…)`): the report goes to the line that made it, the assert related."""
    if not isinstance(e, AssertionError):
        return
    stmt = st.src.stmt_at(info['line'])
    if not isinstance(stmt, ast.Assert):
        return
    tb, frame = e.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == st.mark:
            frame = tb.tb_frame
        tb = tb.tb_next
    made = []
    for name in sorted({n.id for n in ast.walk(stmt.test) if isinstance(n, ast.Name)}):
        v = frame.f_locals.get(name) if frame is not None else None
        w = tracer.last_write(v) if v is not None else None
        if w is not None and w[1] == frame.f_code.co_name and w[0] != info['line']:
            made.append((name, v, w[0]))
    if len(made) != 1:
        return
    name, v, line = made[0]
    info['related'].insert(0, (info['line'], 'the assert that fails'))
    info['message'] = (f'{info["message"] or "AssertionError"} — `{st.src.segment(stmt.test)}` fails for {name}, made here: '
                       f'it is {_describe(v)}' + (f' ({type(v).__name__}, not a Python float)'
                                                  if isinstance(v, (np.ndarray, np.generic)) and v.ndim == 0 else ''))
    info['line'], info['node'] = line, None


def as_matmul(st, node, frame):
    """`a * b` written as np.dot(a, b), a scalar factor in front kept out: `1 / m * dZ1 * X.T` →
    `1 / m * np.dot(dZ1, X.T)`."""
    left, scale = node.left, ''
    if isinstance(left, ast.BinOp) and isinstance(left.op, ast.Mult):
        k = safe_eval(left.left, frame.f_globals, frame.f_locals)
        if k is not None and np.ndim(k) == 0:
            scale, left = st.src.segment(left.left) + ' * ', left.right
    return f'{scale}np.dot({st.src.segment(left)}, {st.src.segment(node.right)})'


def misshapen_operand(st, node, frame, line, dims, tracer, related):
    """For a failing product: an operand named as in the notes (dZ1, A1, …) whose shape is not
    the one its name implies was spoiled earlier; say where it got its shape."""
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Name):
            continue
        named = dims._named(sub.id)
        v = frame.f_locals.get(sub.id)
        if named is None or not isinstance(v, np.ndarray) or tuple(v.shape) == named[0]:
            continue
        w = tracer.last_write(v)
        if w is None or w[0] == line:
            continue
        related.append((w[0], f'{sub.id} gets the shape {dims.both(v.shape)} here'))
        return (f'; `{sub.id}` should be ({", ".join(named[1])}) = {fmt_shape(named[0])}, but it got the shape '
                f'{dims.both(v.shape)} at line {w[0]}')
    return ''


def operand_detail(st, e, frame, line, dims):
    """For a shape error, the failing product or broadcast with its operands' shapes."""
    stmt = st.src.stmt_at(line)
    if stmt is None or not isinstance(e, ValueError):
        return None, None, None
    glb, loc = frame.f_globals, frame.f_locals
    # numpy names both shapes of a failed broadcast: one known operand then tells the other's.
    told = [tuple(int(x) for x in re.findall(r'\d+', t)) for t in
            re.findall(r'\(([\d,\s]*)\)', str(e).split('shapes', 1)[1])] if 'broadcast' in str(e) and 'shapes' in str(e) else []
    partial = []
    for node in ast.walk(stmt):
        pair, kind = None, None
        if isinstance(node, ast.Call) and len(node.args) == 2 and not node.keywords:
            fname = (_dotted_name(node.func) or '').split('.')[-1]
            if fname in ('dot', 'matmul'):
                pair, kind = node.args, 'product'
            elif fname in ('multiply', 'add', 'subtract', 'divide'):
                pair, kind = node.args, 'elementwise'
        elif isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.MatMult):
                pair, kind = (node.left, node.right), 'product'
            elif isinstance(node.op, (ast.Mult, ast.Add, ast.Sub, ast.Div)):
                pair, kind = (node.left, node.right), 'elementwise'
        if pair is None:
            continue
        a, b = (safe_eval(x, glb, loc) for x in pair)
        if kind == 'elementwise' and len(told) == 2 and isinstance(a, np.ndarray) != isinstance(b, np.ndarray):
            known = a if isinstance(a, np.ndarray) else b
            if known.shape in told and told[0] != told[1]:
                other = told[1] if known.shape == told[0] else told[0]
                partial.append((node, pair, (known.shape, other) if known is a else (other, known.shape)))
        if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray):
            continue
        if kind == 'product':
            bad = a.ndim >= 1 and b.ndim >= 1 and a.shape[-1] != (b.shape[0] if b.ndim == 1 else b.shape[-2])
            what = 'not aligned'
        else:
            try:
                np.broadcast_shapes(a.shape, b.shape)
                bad = False
            except ValueError:
                bad = True
            what = 'cannot be broadcast together'
        if not bad:
            continue
        ta, tb = st.src.segment(pair[0]), st.src.segment(pair[1])
        return (f'`{st.src.segment(node)}`: shapes {fmt_shape(a.shape)} and {fmt_shape(b.shape)} {what} — '
                f'`{ta}` is {dims.sym(a.shape, ta)}, `{tb}` is {dims.sym(b.shape, tb)}'), node, (a.shape, b.shape)
    if len(partial) == 1:
        node, pair, (sa, sb) = partial[0]
        ta, tb = st.src.segment(pair[0]), st.src.segment(pair[1])
        return (f'`{st.src.segment(node)}`: shapes {fmt_shape(sa)} and {fmt_shape(sb)} cannot be broadcast together — '
                f'`{ta}` is {dims.sym(sa, ta)}, `{tb}` is {dims.sym(sb, tb)}'), node, (sa, sb)
    return None, None, None


def cache_note(st, out, cache, ftrace, layer_dims):
    """When the forward did not return `(AL, cache)`: what the backward got as `cache` instead,
    for the report of an exception it causes there. None when the output had that form."""
    a = f'A{len(layer_dims) - 1}'
    fwd = st.fn['forward'].__name__
    if isinstance(out, np.ndarray):
        text = (f'`{fwd}` returns only {a}, no cache, so the backward got `cache` = None; '
                f'return `{a}, cache` as in the notes')
    elif isinstance(out, (tuple, list)) and len(out) > 2:
        text = (f'`{fwd}` returns {len(out)} values, not `({a}, cache)`: the checker took the (n_y, m) array as {a} '
                f'and gave the backward the other {len(out) - 1} together, as one tuple, as `cache`')
    else:
        return None
    line = ftrace.returns.get(id(out), (bpm_find.func_line(st.fn['forward']), None))[0] if ftrace else \
        bpm_find.func_line(st.fn['forward'])
    return text, line


def _forbidden_in(e):
    """The Forbidden that caused e, also when a library wrapped it (urllib's URLError)."""
    seen = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, bpm_load.Forbidden):
            return e
        seen.add(id(e))
        reason = getattr(e, 'reason', None)
        e = reason if isinstance(reason, BaseException) else (e.__cause__ or e.__context__)
    return None


def _call_chain(frames):
    """Related locations for the callers of the failing line, innermost first; repeated calls (a
    recursion) are counted, not listed, and a long chain is cut."""
    out = []
    for f, l in reversed(frames):
        text = f'called from `{f.f_code.co_name}`'
        if out and out[-1][0] == l and out[-1][1] == text:
            out[-1][2] += 1
        else:
            out.append([l, text, 1])
    return [(l, text + (f' ({n} times)' if n > 1 else '')) for l, text, n in out[:8]]


class _Failed:
    def __init__(self, exc, info, kind):
        self.exc, self.info, self.kind = exc, info, kind


def _known_args(role):
    if role == 'backward':
        return 'parameters, cache/caches, X, Y, AL/A2, m, W1, b1, …'
    if role == 'init':
        return 'n_x, n_h, n_y or layer_dims'
    if role == 'cost':
        return 'AL/A2, Y, parameters, m'
    return 'X, parameters (or W1, b1, …), layer_dims'
