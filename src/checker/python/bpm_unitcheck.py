"""Checking a layer's or an activation's backward on its own: against central differences of
Σ forward(…)[0] ⊙ dout for a random dout, w.r.t. each input, the returned arrays matched to the inputs by
position and shape; inputs drawn again where a difference straddles a kink; each activation of a
`linear_activation_*` pair checked. The other kinds of unit are in bpm_unitkinds."""
import inspect

import numpy as np

import bpm_find
import bpm_layouts
from bpm_layouts import Layout
from bpm_report import Failed, ForwardFailed, NotChecked, NotWritten, _describe
from bpm_source import SizeNames, fmt_shape
import bpm_trace
from bpm_unitcompare import compare_gradients
from bpm_usercall import ATTEMPTS, call_user, float_arrays, fresh_copies, is_stub, layout_refused, numerical_gradients, return_names, traced_call, user_error


ACTIVATIONS = ('relu', 'sigmoid')


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
                out = call_user(fwd, args)
            except BaseException as e:  # noqa: BLE001 — a layout the forward does not take, or the user's fault
                bpm_trace.raise_if_template(us, e)
                if not layout_refused(e):
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
        diff = float_arrays(chosen.args, order)

        def f(args):
            value = call_user(fwd, fresh_copies(args))
            first = value if isinstance(value, np.ndarray) else value[0]
            return float(np.sum(np.asarray(first, dtype=np.float64) * dout))

        base = chosen.fresh()
        numerical, which, kink = numerical_gradients(f, base, diff)
        if not kink:
            break
    else:
        raise NotChecked('every draw of inputs put a kink (ReLU at 0, a max-pool tie) within the step of a '
                         'central difference')
    us.dims = SizeNames(chosen.sizes)
    unit.convention = chosen.convention
    # The backward: dout first, the cache, and what else it names from the forward's inputs and outputs.
    values = dict(fresh_copies(chosen.args))
    for name, v in zip(return_names(us, fwd), outs):
        values.setdefault(name, v)
    args, kwargs = _bind_backward(bwd, dout.copy(), cache, values)
    res, tracer = traced_call(us, bwd, args, kwargs, 'backward',
                               again=lambda: _bind_backward(bwd, dout.copy(), cache, values))
    unit.called.update(tracer.called)
    grads = _as_list(us, unit, res, tracer)
    return compare_gradients(us, unit, grads, [(n, chosen.args[n]) for n in diff], numerical, which, tracer, chosen, label,
                    dout=dout)


def _shapes(lay):
    return ', '.join(f'{k} {fmt_shape(v.shape)}' if isinstance(v, np.ndarray) else f'{k} = {v!r}'
                     for k, v in lay.args.items())




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
