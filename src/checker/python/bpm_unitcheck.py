"""Checking one component unit: a layer's or an activation's backward against central differences of
Σ forward(…)[0] ⊙ dout, a loss's gradient against the loss, a model's `grads` against `loss(X, y)[0]`,
a layer class's backward against its forward. Every call gets fresh float64 copies of its arguments
(learners change arrays and dicts in place); inputs are drawn again where a central difference
straddles a kink; each returned gradient is compared at the line that computed it and explained where
its values show why."""
import ast
import inspect

import numpy as np

import bpm_diagnose
import bpm_find
import bpm_layouts
from bpm_layouts import Layout
import bpm_load
from bpm_measure import TOLERANCE, max_entry_error, rel_difference
from bpm_report import Failed, ForwardFailed, NotChecked, NotWritten, _describe, _join
from bpm_source import SizeNames, fmt_shape, shape_of
import bpm_trace


EPS = 1e-6
ATTEMPTS = 4
# Each input's numerical gradient covers every entry up to this many; beyond, an even sample of them.
MAX_ENTRIES = 400
ACTIVATIONS = ('relu', 'sigmoid')
# A loss with an ε inside its logarithm (`np.log(p + 1e-7)`) has gradients ε / p away from the exact
# ones; the probabilities of the checker's inputs stay above 0.01, so a right gradient stays within this
# many ε of the loss's numerical one.
LOG_EPS_FACTOR = 100
# A gradient that is zero in truth is compared with central differences that are rounding noise (about
# 1e-10 here): below this, no entry differs.
ABSOLUTE_NOISE = 1e-7


# -- calling the user's code
# Putting back what a call of the user's code rebound costs about 20 µs: the hundreds of calls of one
# numerical gradient are put back once, after the last (see _numerical).
_restore_each_call = True


def _call(fn, kwargs):
    """The user's function on fresh arguments, the random state fixed (dropout draws the same masks)."""
    np.random.seed(1)
    try:
        return fn(**kwargs)
    finally:
        if _restore_each_call:
            bpm_load.restore()


def _traced_call(us, fn, args, kwargs, role, again=None):
    """The user's function under the line tracer; an exception is reported at its line (Failed). Where
    the file's own `assert` stopped it and `again()` gives fresh arguments, the report stands and the
    function runs again without the file's asserts, so that its gradients are still checked (the
    caller folds the report in with fold_assert)."""
    value, tracer, e = bpm_trace.run_traced(us, fn, args, kwargs, f'`{fn.__qualname__}`')
    if e is not None:
        if isinstance(e, bpm_load.CheckTimeout) and not _in_user_code(us, e):
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


def _layout_refused(e):
    """An exception that says the forward does not take these inputs (a shape, a type, a key), not one
    that ends, blocks or exhausts the check whatever the inputs."""
    return isinstance(e, Exception) and not isinstance(e, (RecursionError, MemoryError)) and \
        bpm_trace._forbidden_in(e) is None


def user_error(us, e, fn, role, dims=None):
    """The user's code raised where no layout is to blame: reported at its line, the unit in error."""
    if isinstance(e, bpm_load.CheckTimeout) and not _in_user_code(us, e):
        raise e
    info = bpm_trace.explain_exception(us, e, fn, role, dims or us.dims or SizeNames({}))
    us.reports.add(info['line'], 'error', info['code'], info['message'], info['related'], node=info['node'])
    raise Failed(info['message'])


def _in_user_code(us, e):
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == us.mark:
            return True
        tb = tb.tb_next
    return False


# -- the numerical reference
def _numerical(f, base, names, entries=MAX_ENTRIES):
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


def _fresh(args):
    return {k: bpm_layouts._copy(v) for k, v in args.items()}


def _float_arrays(args, order):
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


# -- a layer's (or activation's) forward and backward
def check_layer(us, unit):
    cases = [None]
    fparams = bpm_layouts.param_names(unit.forward)
    if 'activation' in fparams:
        cases = list(ACTIVATIONS)
    if is_stub(us.file, unit.backward):
        raise NotWritten(f'`{unit.function}` is not written yet')
    refs = bpm_layouts.REFERENCE_FORWARDS.get(unit.backward.__name__, ())
    if unit.reference:
        results = [_against_reference(us, unit, refs, None)]
    else:
        try:
            results = [_layer_case(us, unit, case) for case in cases]
        except ForwardFailed as e:
            if not refs:
                raise
            results = [_against_reference(us, unit, refs, e)]
    unit.gradients = [g for r in results for g in r]


def _against_reference(us, unit, refs, failed):
    """The course's backward whose own forward fails on arrays (a sigmoid of math.exp): checked against the
    course's forward instead, its cache Z or the output A (either is a learner's convention); a note
    says why."""
    start, first = len(us.reports.items), None
    for ref in refs:
        unit.forward, unit.reference = ref, True
        entries = _layer_case(us, unit, None)
        if all(g['status'] == 'ok' for g in entries):
            break
        first = first or (ref, entries, us.reports.items[start:])
        del us.reports.items[start:]
    else:  # right in neither convention: the course's says why
        ref, entries, made = first
        us.reports.items[start:] = made
        unit.forward = ref
    if failed is not None:
        us.reports.add(failed.related[0][0] if failed.related else unit.line, 'info', 'not-checked',
                       f'{failed.reason}; `{unit.function}` is checked against the course\'s {ref.__name__} instead '
                       f'(its cache {ref.cache})', failed.related[1:])
    return entries


def _split_output(out):
    """A forward's output: (the array whose gradient flows back, the cache, every output)."""
    if isinstance(out, np.ndarray):
        return out, None, (out,)
    if isinstance(out, (tuple, list)) and out and isinstance(out[0], np.ndarray):
        rest = tuple(out[1:])
        return out[0], (rest[0] if len(rest) == 1 else rest) if rest else None, tuple(out)
    return None, None, out


def _layer_case(us, unit, case):
    fwd, bwd = unit.forward, unit.backward
    label = f'activation="{case}"' if case else None
    last_error = None
    for attempt in range(ATTEMPTS):
        rng = np.random.RandomState(11 + attempt)
        layouts = bpm_layouts.forward_layouts(fwd, rng)
        if not layouts:
            raise NotChecked(f'the checker cannot tell the shapes of the arguments of `{fwd.__name__}` '
                             f'({", ".join(bpm_layouts.param_names(fwd))})')
        chosen = out = None
        for lay in layouts:
            args = lay.fresh()
            if case:
                args['activation'] = case
            try:
                out = _call(fwd, args)
            except BaseException as e:  # noqa: BLE001 — a layout the forward does not take, or the user's fault
                bpm_trace.raise_if_template(us, e)
                if not _layout_refused(e):
                    user_error(us, e, fwd, 'forward', SizeNames(lay.sizes))
                last_error = last_error or (lay, e)
                continue
            y, cache, outs = _split_output(out)
            if y is None:
                if out is None or (isinstance(out, (tuple, list)) and (not out or out[0] is None)):
                    raise NotWritten(f'`{fwd.__name__}` is not written yet (its output is None)', fwd.__code__)
                raise NotChecked(f'`{fwd.__name__}` returns {_describe(out)}, not an array or `(out, cache)`')
            if y.dtype.kind != 'f' or y.dtype.itemsize < 8:
                raise NotChecked(f'`{fwd.__name__}` computes in {y.dtype.name}: central differences need float64')
            if lay.keeps and y.shape != lay.args[lay.keeps].shape and lay is not layouts[-1]:
                continue  # not the layout it takes (its output would keep the input's shape)
            chosen = lay
            us.verified.add((fwd.__code__.co_filename, fwd.__code__.co_name, fwd.__code__.co_firstlineno))
            if case:
                chosen = Layout(lay.name, dict(lay.args, activation=case), lay.sizes, lay.convention)
            break
        if chosen is None:
            lay, e = last_error
            info = bpm_trace.explain_exception(us, e, fwd, 'forward', SizeNames(lay.sizes))
            raise ForwardFailed(f'`{fwd.__name__}` fails on the checker\'s inputs ({_shapes(lay)}): {info["message"]}',
                                related=[(info['line'], f'`{fwd.__name__}` fails here')])
        dout = rng.randn(*y.shape)
        order = bpm_layouts.param_names(fwd)
        diff = _float_arrays(chosen.args, order)

        def f(args):
            value = _call(fwd, _fresh(args))
            first = value if isinstance(value, np.ndarray) else value[0]
            return float(np.sum(np.asarray(first, dtype=np.float64) * dout))

        base = chosen.fresh()
        numerical, which, kink = _numerical(f, base, diff)
        if not kink:
            break
    else:
        raise NotChecked('every draw of inputs put a kink (ReLU at 0, a max-pool tie) within the step of a '
                         'central difference')
    us.dims = SizeNames(chosen.sizes)
    unit.convention = chosen.convention
    # The backward: dout first, the cache, and what else it names from the forward's inputs and outputs.
    values = dict(_fresh(chosen.args))
    for name, v in zip(_return_names(us, fwd), outs):
        values.setdefault(name, v)
    args, kwargs = _bind_backward(bwd, dout.copy(), cache, values)
    res, tracer = _traced_call(us, bwd, args, kwargs, 'backward',
                               again=lambda: _bind_backward(bwd, dout.copy(), cache, values))
    unit.called.update(tracer.called)
    grads = _as_list(us, unit, res, tracer)
    return _compare(us, unit, grads, [(n, chosen.args[n]) for n in diff], numerical, which, tracer, chosen, label,
                    dout=dout)


def _shapes(lay):
    return ', '.join(f'{k} {fmt_shape(v.shape)}' if isinstance(v, np.ndarray) else f'{k} = {v!r}'
                     for k, v in lay.args.items())


def _return_names(us, fn):
    """The names the forward's return statement gives its outputs: `return A, Z` → ['A', 'Z']."""
    node = us.src.function_node(fn.__code__.co_name, fn.__code__.co_firstlineno) \
        if fn.__code__.co_filename == us.mark else None
    for sub in ast.walk(node) if node is not None else ():
        if isinstance(sub, ast.Return) and isinstance(sub.value, ast.Tuple):
            return [e.id if isinstance(e, ast.Name) else None for e in sub.value.elts]
    return []


_CACHE_NAMES = ('cache', 'caches', 'cache_', 'layer_cache', 'linear_cache', 'activation_cache', 'memory', 'cached')


def _bind_backward(bwd, dout, cache, values):
    """dout for the first parameter, the cache for one named like it (or the second), the rest by name
    from the forward's inputs and outputs; a parameter with a default may go without."""
    params = [p for p in inspect.signature(bwd).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if not params:
        raise NotChecked(f'`{bwd.__name__}` takes no arguments')
    kwargs = {params[0].name: dout}
    cache_given = False
    for i, p in enumerate(params[1:], 1):
        low = p.name.lower()
        if low in _CACHE_NAMES or (i == 1 and cache is not None and p.name not in values):
            kwargs[p.name] = bpm_layouts._copy(cache) if not isinstance(cache, tuple) else \
                tuple(bpm_layouts._copy(c) if not isinstance(c, tuple) else _copy_tuple(c) for c in cache)
            cache_given = True
        elif p.name in values:
            kwargs[p.name] = bpm_layouts._copy(values[p.name])
        elif p.default is p.empty:
            raise NotChecked(f'`{bwd.__name__}` takes `{p.name}`, which the checker cannot provide: it passes dout, '
                             f'the cache and the forward\'s arguments and outputs by name')
    if cache is not None and not cache_given and not any(p.name in values for p in params[1:]):
        raise NotChecked(f'`{bwd.__name__}` takes no cache')
    positional = [p for p in params if p.kind == p.POSITIONAL_ONLY]
    args = [kwargs.pop(p.name) for p in positional if p.name in kwargs]
    return args, kwargs


def _copy_tuple(t):
    return tuple(_copy_tuple(c) if isinstance(c, tuple) else bpm_layouts._copy(c) for c in t)


def _as_list(us, unit, res, tracer):
    """The returned gradients as a list: an array alone, or a tuple or list of them."""
    line = tracer.returns.get(id(res), (bpm_find.func_line(unit.backward),))[0]
    if res is None:
        raise NotWritten(f'`{unit.function}` is not written yet (it returns None)')
    if isinstance(res, np.ndarray):
        return [res]
    if isinstance(res, (tuple, list)):
        if all(x is None for x in res):
            raise NotWritten(f'`{unit.function}` is not written yet (it returns {len(res)} × None)')
        return list(res)
    if isinstance(res, (float, int, np.generic)):
        return [np.asarray(res, dtype=np.float64)]
    us.reports.add(line, 'error', 'backward-output',
                   f'`{unit.function}` must return its gradients as arrays (one, or a tuple of them), not '
                   f'{_describe(res)}')
    raise Failed('backward-output')


# -- comparing and explaining
def _compare(us, unit, grads, inputs, numerical, which, tracer, layout, case, lines=None, dout=None):
    """Each returned gradient against its input's numerical one, matched by position; `lines` gives the
    line of a gradient the tracer cannot place better (a model's `grads["W1"]`, a layer's `self.dW`);
    `dout`, for an elementwise layer, lets a wrong mask be named."""
    entries, by_line = [], {}
    scale = _scaling(unit, grads, inputs, numerical, which, layout)
    names = _return_names(us, unit.backward)
    for i, (name, value) in enumerate(inputs):
        key = 'd' + name
        num = numerical[name] * scale.get(name, 1.0)
        idx = which[name]
        g = grads[i] if i < len(grads) else _ABSENT
        elementwise = (value, dout) if dout is not None and len(inputs) == 1 and dout.shape == value.shape else None
        ev = _evaluate(us, key, name, g, value, num, idx, tracer, layout, elementwise)
        if (lines or {}).get(name):
            ev['line'] = lines[name]
        elif ev['line'] is not None and not unit.line <= ev['line'] <= unit.end_line and not ev.get('made_by'):
            # Made by a function it calls (`dx, dw, db = affine_backward(da, fc_cache)`): the unit's own
            # line that took it is where a wrong input went in.
            own = _bound_in(tracer, unit, names[i] if i < len(names) else None)
            ev['line'] = own or tracer.returns.get(id(grads) if len(grads) > 1 else id(g), (ev['line'],))[0]
        entries.append(_entry(ev, layout, case))
        if ev['status'] != 'ok':
            by_line.setdefault((ev['line'], ev['code']), []).append(ev)
    if len(grads) > len(inputs):
        line = tracer.returns.get(id(grads), (bpm_find.func_line(unit.backward),))[0]
        us.reports.add(line, 'warning', 'backward-output',
                       f'`{unit.function}` returns {len(grads)} values for the {len(inputs)} inputs of '
                       f'`{unit.forward.__name__}` ({", ".join(n for n, _ in inputs)}); the check compares the first '
                       f'{len(inputs)}')
    for (line, code), evs in by_line.items():
        if code == 'not-written':
            continue
        msg = evs[0]['message']
        if len(evs) > 1:
            msg += f' (the same line also computes {_join([e["key"] for e in evs[1:]])}, wrong too)'
        same = next((r for r in us.reports.items if r.get('unit') == unit.function and r['line'] == line
                     and r['code'] == code), None)
        if same is not None and case:  # one report for a line wrong in every case
            same['message'] = same['message'][:-1] + f', and {case}]'
            continue
        us.reports.add(line, 'error', code, msg + (f' [with {case}]' if case else ''), fix=evs[0]['fix'])
    unwritten = [e for e in entries if e['status'] == 'missing']
    if unwritten and len(unwritten) < len(entries):
        us.reports.add(unwritten[0]['line'] or unit.line, 'info', 'not-written',
                       f'{_join([e["name"] for e in unwritten])} of `{unit.function}` '
                       f'{"is" if len(unwritten) == 1 else "are"} not written yet; the others are checked')
    return entries


_ABSENT = object()


def _bound_in(tracer, unit, name):
    """The last line of the unit's own function that bound `name`."""
    fname = getattr(unit.backward, '__name__', None)
    lines = [l for n, l, f, _ in tracer.bindings if n == name and f == fname and unit.line <= l <= unit.end_line]
    return max(lines, default=None)


def _scaling(unit, grads, inputs, numerical, which, layout):
    """The examples-in-columns course divides dW and db by m (they are gradients of the mean cost) but
    not dA_prev; a plain chain rule does not: either is the learner's own convention. Returns the
    factor per input name; `unit.scaling` says which matched."""
    if layout.convention != 'columns' or 'm' not in layout.sizes:
        return {}
    m = layout.sizes['m']
    params = [n for n, _ in inputs if n[:1] in ('W', 'b') or n.lower().startswith(('w_', 'b_'))]
    if not params:
        return {}
    votes = {'1/m': 0, 'sum': 0}
    for i, (name, _) in enumerate(inputs):
        if name not in params or i >= len(grads) or not isinstance(grads[i], np.ndarray):
            continue
        g = np.asarray(grads[i], dtype=np.float64)
        num = numerical[name]
        if g.size != num.size:
            continue
        g, idx = g.reshape(num.shape).reshape(-1), which[name]
        for label, s in (('1/m', 1.0 / m), ('sum', 1.0)):
            if rel_difference(g[idx], s * num.reshape(-1)[idx]) <= TOLERANCE:
                votes[label] += 1
    unit.scaling = '1/m' if votes['1/m'] or not votes['sum'] else 'sum'
    s = 1.0 / m if unit.scaling == '1/m' else 1.0
    return {n: s for n in params}


def _evaluate(us, key, name, g, value, num, idx, tracer, layout, elementwise=None):
    exp = value.shape
    ev = {'key': key, 'param': name, 'status': 'ok', 'shape': None, 'expected': exp, 'rel': None, 'max': None,
          'line': None, 'code': None, 'hint': None, 'message': '', 'fix': None}
    if g is _ABSENT:
        line = None
        ev.update(status='missing', code='missing-gradient', message=f'{key} is not returned', line=line)
        return ev
    write = tracer.last_write(g) if g is not None else None
    ev['line'] = write[0] if write else tracer.returns.get(id(g), (None,))[0]
    if g is None:
        ev.update(status='missing', code='not-written', hint=f'{key} is None (not written yet)')
        return ev
    if isinstance(g, (int, float)) and not isinstance(g, bool) and g == 0 and len(exp) > 0:
        # `dx = 0` where an array is due: the template's placeholder, left as it was.
        ev.update(status='missing', code='not-written', hint=f'{key} is the number 0 (not written yet)')
        return ev
    if isinstance(g, (float, int, np.generic)) and not isinstance(g, bool):
        g = np.asarray(g, dtype=np.float64)
    if not isinstance(g, np.ndarray) or g.dtype.kind not in 'fiu':
        what = f'a numpy array of {g.dtype.name}' if isinstance(g, np.ndarray) else f'a {type(g).__name__}'
        ev.update(status='value', code='gradient-type', message=f'{key} is {what}, not a numpy array of floats')
        return ev
    original, g = g, g.astype(np.float64)
    ev['shape'] = g.shape
    names = SizeNames(layout.sizes)
    stated = f'{key} has shape {names.both(g.shape)} but {name} is {names.both(exp)}'
    if g.shape != exp:
        if exp == () and g.ndim > 0:
            # A model's parameter left a number (`self.params["b1"] = 0`): the loss broadcasts it, its
            # gradient has the shape the parameter should have.
            ev.update(status='shape', code='init-shape', message=f'{name} is a number, not an array, but {key} has '
                      f'shape {names.both(g.shape)}: make {name} an array of that shape where it is set '
                      f'(`np.zeros(…)`)')
            return ev
        if g.size == int(np.prod(exp)) and rel_difference(g.reshape(-1)[idx], num.reshape(-1)[idx]) <= TOLERANCE:
            code, hint = 'gradient-shape', f'its values are right: reshape it to {name}.shape'
            if len(exp) == 2 and exp[1] == 1 and g.shape == (exp[0],):
                code, hint = 'missing-keepdims', 'the sum drops the summed axis: add keepdims=True'
                ev['fix'] = _keepdims_fix(us, write)
            elif len(exp) == 1 and g.shape == (1, exp[0]):
                hint = 'the sum keeps the summed axis: drop keepdims=True (b is a 1-D array here)'
            elif len(g.shape) < len(exp):
                hint = f'the values are right but flat: reshape it back, `{key}.reshape({name}.shape)`'
            ev.update(status='shape', code=code, hint=hint)
        elif g.shape == exp[::-1] and len(exp) == 2 and \
                rel_difference(g.T.reshape(-1)[idx], num.reshape(-1)[idx]) <= TOLERANCE:
            ev.update(status='shape', code='transposed-product',
                      hint=f'{key} is the transpose of the right gradient: swap the operands of the product')
        else:
            ev.update(status='shape', code='gradient-shape', hint=_axis_hint(g, exp, layout))
        ev['message'] = stated + (f' — {ev["hint"]}' if ev['hint'] else '')
        return ev
    if not np.all(np.isfinite(g)):
        bad = int(g.size - np.count_nonzero(np.isfinite(g)))
        ev.update(status='value', code='gradient-not-finite',
                  message=f'{bad} of the {g.size} entries of {key} are NaN or infinite')
        return ev
    gs, ns = g.reshape(-1)[idx], num.reshape(-1)[idx]
    rel, worst = rel_difference(gs, ns), max_entry_error(gs, ns)
    ev.update(rel=rel, max=worst)
    if rel <= TOLERANCE or np.max(np.abs(gs - ns), initial=0.0) <= ABSOLUTE_NOISE:
        return ev
    if us.log_eps and rel <= LOG_EPS_FACTOR * us.log_eps:
        # The numerical reference is the learner's own loss, whose `np.log(p + 1e-7)` bends it by about
        # ε / p: the analytic gradient of the exact loss differs by that much, and is right.
        ev['hint'] = (f'it differs from the numerical gradient of the code\'s own loss only as much as the ε = '
                      f'{us.log_eps:g} added inside a logarithm does')
        return ev
    ev.update(status='value', code='gradient-value')
    root = _root_write(tracer, original, gs - ns, idx)
    hint = _value_hint(key, name, gs, ns, layout) or (_mask_hint(key, name, g, *elementwise) if elementwise else None)
    if root is not None:
        ev['line'] = root
    factor = _factor_from(tracer, g, elementwise[1], ev['line']) if elementwise and not hint else None
    if factor is not None:
        line, func = factor
        ev['line'], ev['made_by'] = line, func
        hint = ('gradient-value', f'{key} is dout times what `{func}` returns, and that is not the layer\'s derivative: '
                                  f'the fault is in `{func}`')
    if hint:
        ev['code'], ev['hint'] = hint
    k = int(np.argmax(np.abs(gs - ns)))
    at = np.unravel_index(int(idx[k]), exp)
    sampled = '' if len(idx) == g.size else f' (on {len(idx)} of its {g.size} entries)'
    ev['message'] = (f'{key} is wrong: relative difference {rel:.2g} > tolerance {TOLERANCE:g}, largest entry-wise '
                     f'error {worst:.2g}{sampled}; worst entry {key}[{", ".join(str(int(i)) for i in at)}]: analytic '
                     f'{gs[k]:.6g}, numerical {ns[k]:.6g}' + (f' — {ev["hint"]}' if ev['hint'] else ''))
    return ev


def _factor_from(tracer, g, dout, line):
    """(line, function) where an elementwise layer's wrong gradient is dout times an array another function
    of the file returned (`dZ = dA * dsigmoid(Z)`): its factor, the derivative, is made there."""
    for obj in tracer.keep:
        writes = tracer.writes.get(id(obj)) if isinstance(obj, np.ndarray) and obj.shape == g.shape else None
        if not writes or writes[0][2] != '<return>' or writes[0][0] == line:
            continue
        if np.allclose(g, dout * obj, rtol=1e-9, atol=1e-12):
            return writes[0][0], writes[0][1]
    return None


def _root_write(tracer, g, error, idx):
    """For a gradient built by several lines (`dW[:, j] += …` in a loop, then `dW /= N`, `dW += 2 * reg * W`):
    the one line whose total change of it the error (analytic − numerical, on the entries `idx`) is a
    multiple of — a term added with a wrong factor, or too often; None where no single line is."""
    seq = [(line, copy) for line, _, _, v, copy, _ in tracer.changes if v is g]
    if len({line for line, _ in seq}) < 2 or not np.array_equal(seq[-1][1], g):
        return None
    total, before = {}, np.zeros(g.shape)
    for line, copy in seq:
        after = np.asarray(copy, dtype=np.float64)
        total[line] = total.get(line, 0) + (after - before).reshape(-1)[idx]
        before = after
    norm = np.linalg.norm(error)
    found = []
    for line, delta in total.items():
        dd = float(np.dot(delta, delta))
        if dd == 0 or norm == 0:
            continue
        c = float(np.dot(error, delta)) / dd
        if c != 0 and np.linalg.norm(error - c * delta) <= 1e-6 * norm:
            found.append(line)
    return found[0] if len(found) == 1 else None


def _value_hint(key, name, g, num, layout):
    """(code, text) where the values show why: a constant factor (m or N, 2, 4, −1)."""
    nn = float(np.dot(num, num))
    if nn == 0:
        return None
    c = float(np.dot(g, num) / nn)
    if np.linalg.norm(g - c * num) > 1e-5 * max(np.linalg.norm(g), 1e-300):
        return None
    count = layout.sizes.get('m') or layout.sizes.get('N')
    count_name = 'm' if 'm' in layout.sizes else 'N'
    for target, code, text in ((count, 'missing-1-over-m', f'{key} is {count_name} = {count} times the numerical gradient: '
                                                           f'the 1/{count_name} is missing'),
                               (1 / count if count else None, 'extra-1-over-m',
                                f'{key} is 1/{count_name} of the numerical gradient: it is divided by {count_name} once too '
                                f'often'),
                               (-1, 'sign-flipped', f'{key} is −1 times the numerical gradient: the sign is flipped'),
                               (2, 'factor-2', f'{key} is 2 times the numerical gradient'),
                               (0.5, 'factor-2', f'{key} is half the numerical gradient'),
                               (4, 'factor-4', f'{key} is 4 times the numerical gradient'),
                               (0.25, 'factor-4', f'{key} is a quarter of the numerical gradient')):
        if target and abs(c / target - 1) < 1e-4:
            return code, text
    return None


def _mask_hint(key, name, g, x, dout):
    """An elementwise layer's gradient that is dout masked by dout itself, by the inverted mask, or not
    at all (the activation's derivative left out)."""
    for candidate, code, text in ((dout * (dout > 0), 'mask-from-dout',
                                   f'{key} is dout masked where dout > 0: the mask comes from the forward\'s input, '
                                   f'{name} > 0, not from dout'),
                                  (dout * (x <= 0), 'gradient-value', f'{key} is dout masked where {name} ≤ 0: the mask is '
                                                                      f'inverted, it keeps dout where {name} > 0'),
                                  (dout, 'gradient-value', f'{key} is dout itself: the layer\'s own factor (the '
                                                           f'activation\'s derivative, the dropout mask) is missing')):
        if np.allclose(g, candidate, rtol=1e-9, atol=1e-12):
            return code, text
    return None


def _axis_hint(g, exp, layout):
    names = SizeNames(layout.sizes)
    if len(exp) == 2 and exp[1] == 1 and g.shape == (1, exp[0]):
        return 'it sums over the wrong axis: the examples are the columns (axis=1)'
    if len(exp) == 1 and g.ndim == 1 and g.shape != exp:
        return f'it sums over the wrong axis: {g.shape[0]} is {names.sym(g.shape)[1:-2]}, the gradient needs one entry per {names.sym(exp)[1:-2]}'
    if g.ndim == 0 and len(exp) >= 1:
        return 'the sum has no axis: it adds everything up to one number'
    return None


def _keepdims_fix(us, write):
    if not write:
        return None
    stmt = us.src.stmt_at(write[0])
    calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and
             (bpm_load._dotted(n.func) or '').split('.')[-1] in ('sum', 'mean') and
             not any(k.arg == 'keepdims' for k in n.keywords) and n.lineno == n.end_lineno] if stmt is not None else []
    if len(calls) != 1:
        return None
    return {'title': 'Add keepdims=True', 'edits': [bpm_diagnose.insert_before_close(us, calls[0], ', keepdims=True')]}


def _entry(ev, layout, case):
    names = SizeNames(layout.sizes)
    out = {'name': ev['key'], 'param': ev['param'], 'status': ev['status'],
           'shape': list(ev['shape']) if ev['shape'] is not None else None, 'expectedShape': list(ev['expected']),
           'symbolicShape': names.sym(ev['expected']), 'relDifference': ev['rel'], 'maxError': ev['max'],
           'line': ev['line'], 'hint': ev['hint']}
    if case:
        out['case'] = case
    return out


# -- a loss with its gradient
def check_loss(us, unit):
    """`softmax_loss(x, y)` → (loss, dx), `softmax_loss_naive(W, X, y, reg)` → (loss, dW): the gradient
    of the loss in the input it has the shape of."""
    fn = unit.backward
    if is_stub(us.file, fn):
        raise NotWritten(f'`{unit.function}` is not written yet')
    for attempt in range(ATTEMPTS):
        rng = np.random.RandomState(21 + attempt)
        layouts = bpm_layouts.loss_layouts(fn, rng)
        if not layouts:
            raise NotChecked(f'the checker cannot tell what `{fn.__name__}` takes '
                             f'({", ".join(bpm_layouts.param_names(fn))}); it knows (x, y) and (W, X, y, reg)')
        lay = layouts[0]
        us.dims = SizeNames(lay.sizes)
        res, tracer = _traced_call(us, fn, [], lay.fresh(), 'loss', again=lambda: ([], lay.fresh()))
        if res is None or (isinstance(res, (tuple, list)) and all(r is None for r in res)):
            raise NotWritten(f'`{unit.function}` is not written yet (it returns {_describe(res)})')
        if not (isinstance(res, (tuple, list)) and len(res) == 2 and np.size(res[0]) == 1):
            raise NotChecked(f'`{fn.__name__}` returns {_describe(res)}, not `(loss, gradient)`')
        grad = res[1]
        order = bpm_layouts.param_names(fn)
        diff = [n for n in _float_arrays(lay.args, order) if shape_of(grad) == lay.args[n].shape] or \
            _float_arrays(lay.args, order)[:1]

        def f(args):
            return float(np.asarray(_call(fn, _fresh(args))[0], dtype=np.float64))

        numerical, which, kink = _numerical(f, lay.fresh(), diff)
        if not kink:
            break
    else:
        raise NotChecked('every draw of inputs put a kink (a margin of the hinge at 0) within the step of a '
                         'central difference')
    unit.convention = 'rows'
    unit.called.update(tracer.called)
    unit.gradients = _compare(us, unit, [grad], [(diff[0], lay.args[diff[0]])], numerical, which, tracer, lay, None)


# -- a model object: `loss(X, y)` returning (loss, grads) keyed like `self.params`
_CTOR = {'input_dim': lambda s: s['D'], 'input_size': lambda s: s['D'], 'hidden_dim': lambda s: s['H'],
         'hidden_size': lambda s: s['H'], 'hidden_dims': lambda s: [s['H'], s['H2']], 'num_classes': lambda s: s['C'],
         'output_size': lambda s: s['C'], 'weight_scale': lambda s: 0.5, 'std': lambda s: 0.5,
         'weight_init_std': lambda s: 0.5,
         'reg': lambda s: bpm_layouts.REG, 'dtype': lambda s: np.float64, 'seed': lambda s: 0}


def check_model(us, unit):
    """A model object: the gradient of `loss(X, y)` (its first value, where it returns `(loss, grads)`)
    in each entry of `params`, against the `grads` that `loss` returns, or that a `gradient(X, y)` method
    returns (the book's style)."""
    cls = unit.cls
    if is_stub(us.file, unit.backward):
        raise NotWritten(f'`{unit.function}` is not written yet')
    s = bpm_layouts.MODEL
    us.dims = SizeNames(s)
    try:
        ctor = [p for p in inspect.signature(cls).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    except (TypeError, ValueError):
        ctor = []
    kwargs = {}
    for p in ctor:
        if p.name in _CTOR and not (p.name == 'input_dim' and isinstance(p.default, tuple)):
            kwargs[p.name] = _CTOR[p.name](s)
        elif p.default is p.empty:
            raise NotChecked(f'`{cls.__name__}` takes `{p.name}`, which the checker cannot provide (it gives '
                             f'input_dim, hidden_dim(s), num_classes, weight_scale, reg, dtype)')
        elif p.name == 'input_dim':
            raise NotChecked(f'`{cls.__name__}` takes images (input_dim {p.default!r}); the checker builds models of '
                             f'vectors only')
    lparams = bpm_layouts.param_names(vars(cls)['loss'])[1:]
    extra = {'reg': bpm_layouts.REG} if 'reg' in lparams else {}
    for attempt in range(ATTEMPTS):
        rng = np.random.RandomState(31 + attempt)
        if 'seed' in kwargs:
            kwargs['seed'] = attempt
        try:
            model = _call(cls, dict(kwargs))
        except bpm_load.CheckTimeout:
            raise
        except BaseException as e:  # noqa: BLE001
            info = bpm_trace.explain_exception(us, e, cls.__init__, 'init', us.dims)
            raise NotChecked(f'`{cls.__name__}(…)` raised {type(e).__name__}', related=[(info['line'], info['message'])])
        params = getattr(model, 'params', None)
        if not isinstance(params, dict) or not params:
            raise NotChecked(f'`{cls.__name__}` keeps no `params` dict of arrays')
        # A parameter left a number (`self.params["b1"] = 0`) is differentiated as one.
        numbers = {k for k, v in params.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        base = {k: np.asarray(v, dtype=np.float64).copy() for k, v in params.items()
                if isinstance(v, np.ndarray) or k in numbers}
        X, y = rng.randn(s['N'], s['D']), rng.randint(0, s['C'], size=s['N'])

        def loss_of(values):
            _put(model.params, values, numbers)
            value = _call_positional(model.loss, X.copy(), y.copy(), extra)
            return float(np.asarray(value[0] if isinstance(value, (tuple, list)) else value, dtype=np.float64))

        numerical, which, kink = _numerical(loss_of, {k: v.copy() for k, v in base.items()}, list(base))
        if not kink:
            break
    else:
        raise NotChecked('every draw of inputs put a ReLU pre-activation within the step of a central difference')
    _put(model.params, base, numbers)
    method = getattr(model, unit.backward.__name__)
    res, tracer = _traced_call(us, method, [X.copy(), y.copy()], extra if method.__name__ == 'loss' else {}, 'loss')
    unit.called.update(tracer.called)
    grads = res[1] if method.__name__ == 'loss' and isinstance(res, (tuple, list)) and len(res) == 2 else res
    if not isinstance(grads, dict):
        if res is None or (isinstance(res, (tuple, list)) and all(r is None for r in res)):
            raise NotWritten(f'`{unit.function}` is not written yet (it returns {_describe(res)})')
        raise NotChecked(f'`{unit.function}` returns {_describe(res)}, not '
                         f'{"`(loss, grads)`" if method.__name__ == "loss" else "a dict of gradients"}')
    if not grads:
        raise NotWritten(f'`{unit.function}` is not written yet (its grads are empty)')
    unit.convention = 'rows'
    lay = Layout('rows', base, s, 'rows')
    order = list(base)
    got = [grads.get(k, _ABSENT) for k in order]
    # Where `loss` stores each gradient (`grads["W2"] += self.reg * W2`), the last time; for a parameter
    # left a number, where the constructor sets it.
    init = us.src.function_node('__init__', cls.__init__.__code__.co_firstlineno) \
        if inspect.isfunction(vars(cls).get('__init__')) else None
    lines = {k: max((l for l in us.src.key_lines(k) if unit.line <= l <= unit.end_line), default=None) for k in order}
    for k in numbers:
        if init is not None:
            lines[k] = min((l for l in us.src.key_lines(k) if init.lineno <= l <= init.end_lineno), default=lines[k])
    unit.gradients = _compare(us, unit, got, [(k, base[k]) for k in order], numerical, which, tracer, lay, None, lines)
    for e in unit.gradients:  # a model's gradients are named by their keys, as `grads` has them
        e['name'] = e['param']


def _put(params, values, numbers):
    """The values into a model's `params`: into its arrays, in place (layers built in the constructor keep
    references to them, as the book's do), a number as a number."""
    for k, v in values.items():
        cur = params.get(k)
        if k in numbers:
            params[k] = float(v)
        elif isinstance(cur, np.ndarray) and cur.shape == v.shape and cur.dtype == np.float64:
            cur[...] = v
        else:
            params[k] = v.copy()


def _call_positional(fn, X, y, extra):
    return _call(lambda: fn(X, y, **extra), {})


# -- a layer class: `forward(x)` and `backward(dout)`, its parameters' gradients as attributes
def check_method(us, unit):
    """A layer class: `forward(x)` and `backward(dout)`, its parameters' gradients as attributes (`self.dW`);
    a loss class's `forward(x, t)` returns the loss and `backward()` its gradient in x."""
    cls = unit.cls
    if is_stub(us.file, unit.backward):
        raise NotWritten(f'`{unit.function}` is not written yet')
    try:
        ctor = [p for p in inspect.signature(cls).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    except (TypeError, ValueError):
        ctor = []
    fparams = bpm_layouts.param_names(unit.forward)[1:]
    for attempt in range(ATTEMPTS):
        rng = np.random.RandomState(41 + attempt)
        init, fixed, x, extra, sizes = _method_inputs(cls, ctor, unit.forward, fparams, rng)
        us.dims = SizeNames(sizes)
        try:
            y = _call(lambda: cls(**_fresh(init), **fixed).forward(x.copy(), **extra), {})
        except bpm_load.CheckTimeout:
            raise
        except BaseException as e:  # noqa: BLE001
            info = bpm_trace.explain_exception(us, e, unit.forward, 'forward', us.dims)
            raise NotChecked(f'`{cls.__name__}.forward` raised {type(e).__name__} with x {fmt_shape(x.shape)}',
                             related=[(info['line'], info['message'])])
        loss = extra and np.size(y) == 1
        if not loss and (not isinstance(y, np.ndarray) or y.dtype.kind != 'f'):
            if y is None:
                raise NotWritten(f'`{cls.__name__}.forward` is not written yet (it returns None)')
            raise NotChecked(f'`{cls.__name__}.forward` returns {_describe(y)}, not an array')
        dout = np.ones(()) if loss else rng.randn(*y.shape)

        def f(args):
            obj = cls(**{k: args[k].copy() for k in init}, **fixed)
            out = _call(obj.forward, {fparams[0]: args['x'].copy(), **extra})
            return float(np.sum(np.asarray(out, dtype=np.float64) * dout))

        base = dict(init, x=x.copy())
        numerical, which, kink = _numerical(f, base, ['x'] + list(init))
        if not kink:
            break
    else:
        raise NotChecked('every draw of inputs put a kink within the step of a central difference')
    obj = cls(**_fresh(init), **fixed)
    _call(obj.forward, {fparams[0]: x.copy(), **extra})
    # A loss's backward takes dout = 1 by default.
    given = [] if loss and bpm_layouts.defaults(unit.backward) else [dout.copy()]
    res, tracer = _traced_call(us, obj.backward, given, {}, 'backward')
    unit.called.update(tracer.called)
    if res is None:
        raise NotWritten(f'`{unit.function}` is not written yet (it returns None)')
    got = [res] + [getattr(obj, 'd' + k, _ABSENT) for k in init]
    convention = 'images' if x.ndim == 4 else 'rows'
    lay = Layout(convention, base, sizes, convention)
    unit.convention = convention
    lines = {k: _attribute_line(us, unit, 'd' + k) for k in init}
    unit.gradients = _compare(us, unit, got, [('x', x)] + [(k, init[k]) for k in init], numerical, which, tracer, lay,
                              None, lines)


_POOL_SIZE = ('pool_h', 'pool_w', 'pool_height', 'pool_width')


def _method_inputs(cls, ctor, forward, fparams, rng):
    """A layer class's inputs from its constructor's and forward's parameter names: (the arrays it is
    built with, its other constructor arguments, x, forward's other arguments, the sizes' names). A
    convolution or pooling class (by its name) takes images; a loss class's forward `(x, t)` labels."""
    name = cls.__name__.lower()
    conv, pool = 'conv' in name, 'pool' in name
    fdefaults = bpm_layouts.defaults(forward)
    labels = [p for p in fparams[1:] if p.lower() in ('t', 'y', 'labels', 'target', 'targets')]
    if not fparams or any(p != fparams[0] and p not in fdefaults and p not in labels for p in fparams):
        raise NotChecked(f'`{cls.__name__}.forward` takes {", ".join(fparams) or "nothing"}; the checker gives it one '
                         f'array (and labels)')
    roles = {p.name: bpm_layouts._role(p.name) for p in ctor}
    if conv or pool:
        s = bpm_layouts.CONV if conv else bpm_layouts.POOL
        sizes = dict(s)
        x = rng.randn(s['N'], s['C'], s['H'], s['W'])
    elif labels:
        s = bpm_layouts.LOSS
        sizes = {'N': s['N'], 'C': s['C']}
        x = rng.randn(s['N'], s['C'])
    elif 'weight' in roles.values():
        s = bpm_layouts.ROWS
        sizes = {'N': s['N'], 'D': s['D'], 'M': s['M']}
        x = rng.randn(s['N'], s['D'])
    else:
        s = bpm_layouts.FLAT
        sizes = dict(s)
        x = rng.randn(s['N'], s['D'])
    init, fixed = {}, {}
    for p in ctor:
        role, low = roles[p.name], p.name.lower()
        if role == 'weight':
            init[p.name] = rng.randn(s['F'], s['C'], s['HH'], s['WW']) if conv else rng.randn(s['D'], s['M']) / 2
        elif role == 'bias':
            init[p.name] = rng.randn(s['F'] if conv else s['M'])
        elif role in ('gamma', 'beta'):
            init[p.name] = (1 if role == 'gamma' else 0) + rng.randn(x.shape[1]) / 4
        elif pool and low in _POOL_SIZE:
            fixed[p.name] = bpm_layouts.POOL_PARAM['pool_height']
        elif p.default is p.empty:
            raise NotChecked(f'`{cls.__name__}` takes `{p.name}`, which the checker cannot provide')
    extra = {labels[0]: rng.randint(0, x.shape[1], size=x.shape[0])} if labels else {}
    return init, fixed, x, extra, sizes


def _attribute_line(us, unit, attr):
    """The last line of the unit's method that assigns `self.<attr>`."""
    found = [n.lineno for n in ast.walk(us.src.tree) if isinstance(n, ast.Attribute) and n.attr == attr and
             isinstance(n.ctx, ast.Store) and unit.line <= n.lineno <= unit.end_line]
    return max(found, default=None)


# -- the one-dimensional warm-up: J = forward(x, θ), dJ/dθ = backward(x, θ)
def check_scalar(us, unit):
    fwd, bwd = unit.forward, unit.backward
    if is_stub(us.file, bwd):
        raise NotWritten(f'`{unit.function}` is not written yet')
    names = bpm_layouts.param_names(fwd)
    if not names:
        raise NotChecked(f'`{fwd.__name__}` takes no arguments')
    theta = next((n for n in names if n.lower() in ('theta', 'w', 'parameters', 'params', 'param')), names[-1])
    rng = np.random.RandomState(51)
    base = {n: np.array(rng.uniform(1.0, 3.0)) for n in names}
    us.dims = SizeNames({})

    def f(args):
        return float(np.asarray(_call(fwd, {k: float(v) for k, v in args.items()}), dtype=np.float64))

    numerical, which, _ = _numerical(f, {k: v.copy() for k, v in base.items()}, [theta])
    res, tracer = _traced_call(us, bwd, [], {k: float(v) for k, v in base.items()}, 'backward',
                               again=lambda: ([], {k: float(v) for k, v in base.items()}))
    unit.called.update(tracer.called)
    if res is None:
        raise NotWritten(f'`{unit.function}` is not written yet (it returns None)')
    unit.convention = 'scalar'
    lay = Layout('scalar', base, {}, 'scalar')
    unit.gradients = _compare(us, unit, [res], [(theta, base[theta])], numerical, which, tracer, lay, None)
