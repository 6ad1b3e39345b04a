"""The whole-network unit: the notes' two-layer or L-layer forward and backward pass, run under trace
against central differences of the true binary cross-entropy of the user's own forward; each gradient
compared and diagnosed, the faults put at their root line; then a second run with n_y = 2 and the
cost function."""
import ast

import numpy as np

import bpm_attribute
import bpm_compare
import bpm_explain
import bpm_find
import bpm_numerical
from bpm_numerical import M
from bpm_report import Abort, NotWritten, _describe, _join
from bpm_source import Dims, fmt_shape
import bpm_trace
from bpm_trace import _Failed


def check(st, tree):
    """The steps of the unit: choose its functions; one run of the user's forward and backward under
    trace against central differences, each gradient compared and diagnosed; the faults put at their
    root line and reported; then the second run and the cost function."""
    bwd = st.fn['backward']
    layer_dims = bpm_numerical.choose_layer_dims(st, st.src.function_node(bwd.__name__, bpm_find.func_line(bwd)))
    bpm_find.find_unwritten(st, tree)

    try:
        run1 = run(st, layer_dims, primary=True)
    except Abort:
        bpm_find.list_functions(st)
        if not st.result['gradients']:
            status, hint = ('missing', 'waits for the terms not written yet') if st.waits_for_unwritten else ('error', None)
            st.result['gradients'] = [bpm_compare.grad_entry(st, 'd' + k, status, None, st.dims, None, None, hint)
                                      for k in bpm_numerical.expected_shapes(st, layer_dims)]
        _cost_alone(st, layer_dims)
        raise
    except NotWritten:
        _cost_alone(st, layer_dims)
        raise
    bpm_find.list_functions(st)
    if run1 is None:
        st.result['gradients'] = [bpm_compare.grad_entry(st, 'd' + k, 'error', None, st.dims, None, None, None)
                                  for k in bpm_numerical.expected_shapes(st, layer_dims)]
        _cost_alone(st, layer_dims)
        return
    bpm_explain.report_run(st, run1)
    bpm_trace.fold_assert(st, st.result['gradients'])
    if any(g['status'] == 'ok' for g in st.result['gradients']) and not st.fn.get('cost_forward'):
        latent(st, run1)
    if st.fn['cost'] is not None:
        bpm_compare.check_cost(st, run1)


def _cost_alone(st, layer_dims):
    """The cost function, checked on an output of probabilities of its own where the forward and backward
    could not run: its verdict does not wait for theirs."""
    if st.fn['cost'] is None or st.fn.get('cost_forward'):
        return
    params, X, Y = bpm_numerical.make_inputs(st, layer_dims, None, 0)
    AL = 1 / (1 + np.exp(-np.random.RandomState(7).randn(layer_dims[-1], M)))
    try:
        bpm_compare.check_cost(st, {'dims': Dims(layer_dims, M, st.convention), 'AL': AL, 'Y': Y, 'params': params,
                                    'layer_dims': layer_dims})
    except Abort:
        pass


def _cost_and_cache(st, out, ftrace, primary):
    """The cache of a forward that returns `(cost, cache)`; None (reported) when it returns otherwise."""
    if isinstance(out, (tuple, list)) and len(out) == 2 and np.size(out[0]) == 1 and \
            np.isfinite(np.asarray(out[0], dtype=np.float64)).all():
        return out[1]
    if primary:
        fwd = st.fn['forward']
        line = ftrace.returns.get(id(out), (bpm_find.func_line(fwd),))[0] if ftrace else bpm_find.func_line(fwd)
        st.reports.add(line, 'error', 'forward-output',
                       f'`{fwd.__name__}` must return `(cost, cache)` with the cost one finite number, but it returned '
                       f'{_describe(out)}')
    return None


def run(st, layer_dims, primary):
    """One run of forward, numerical gradient and backward."""
    dims = Dims(layer_dims, M, st.convention)
    fwd, bwd = st.fn['forward'], st.fn['backward']
    user_params = None
    if st.fn['init'] is not None:
        user_params = bpm_numerical.run_init(st, layer_dims, dims, primary)
    expected = bpm_numerical.expected_shapes(st, layer_dims)
    for attempt in range(4):
        params, X, Y = bpm_numerical.make_inputs(st, layer_dims, user_params, attempt)
        values = bpm_numerical.values_of(st, params, X, Y, layer_dims)
        out, ftrace = bpm_trace.traced(st, fwd, values, 'forward', dims, primary)
        if isinstance(out, _Failed):
            st.failure = out
            return None
        if st.fn.get('cost_forward'):
            AL, cache = None, _cost_and_cache(st, out, ftrace, primary)
            if cache is None:
                return None
        else:
            AL, cache = bpm_numerical.split_forward(st, out, layer_dims)
            if bpm_numerical.bad_output(st, AL, out, layer_dims, dims, primary):
                return None
            if bpm_numerical.low_precision(st, AL, out, ftrace, primary):
                return None
            AL = np.asarray(AL, dtype=np.float64).reshape(layer_dims[-1], M)
        numerical, kink = bpm_numerical.numerical_gradients(st, fwd, params, X, Y, layer_dims, expected, dims, primary)
        if numerical is None:
            return None
        if not kink:
            break
    bvalues = _backward_values(st, params, X, Y, layer_dims, AL, cache)
    res, btrace = bpm_trace.traced(st, bwd, bvalues, 'backward', dims, primary,
                                   note=bpm_trace.cache_note(st, out, cache, ftrace, layer_dims), go_on=True)
    if isinstance(res, _Failed) and res.kind == 'assert':
        # The learner's own assert stopped the backward (`assert isinstance(db, float)`): reported; the
        # gradients are still checked, on a run without the file's asserts.
        res, btrace = _unasserted_backward(st, params, X, Y, layer_dims, dims)
    result = {'dims': dims, 'params': params, 'X': X, 'Y': Y, 'AL': AL, 'numerical': numerical,
              'expected': expected, 'trace': btrace, 'ftrace': ftrace, 'layer_dims': layer_dims, 'failed': None}
    if isinstance(res, _Failed):
        result['failed'] = res
        return result
    grads = res[0] if isinstance(res, (tuple, list)) and res and isinstance(res[0], dict) else res
    if not isinstance(grads, dict):
        if primary:
            line = btrace.returns.get(id(res), (bpm_find.func_line(bwd), None))[0]
            st.reports.add(line, 'error', 'backward-output',
                           f'`{bwd.__name__}` must return a dict of gradients (`{{"dW1": dW1, "db1": db1, …}}`), '
                           f'not {type(res).__name__}')
            st.result['gradients'] = [bpm_compare.grad_entry(st, k, 'error', None, dims, None, None, None)
                                      for k in bpm_compare._grad_order(expected)]
            return None
        result['failed'] = _Failed(None, None, 'not-a-dict')
        return result
    result['grads'] = grads
    result['evals'] = bpm_compare.evaluate(st, result)
    return result


def _probe_not_run(st):
    """Says that the second run, with n_y = 2, could not run, and why, where it can tell."""
    info = st.failure.info if st.failure is not None else None
    why = f': {info["message"]}' if info else ''
    line = info['line'] if info else bpm_find.func_line(st.fn['backward'])
    st.reports.add(line, 'info', 'not-checked',
                   f'the second run, with n_y = 2 output units (it finds what is right only because n_y = 1), could '
                   f'not run{why}; the gradients are checked with n_y = 1 only')


def _backward_values(st, params, X, Y, layer_dims, AL, cache):
    """What the backward is given: the inputs, the forward's output and cache, and the cache's entries by
    their names."""
    bvalues = bpm_numerical.values_of(st, params, X, Y, layer_dims)
    bvalues['cache'] = cache
    if AL is not None:
        bvalues.update({'AL': AL, f'A{len(layer_dims) - 1}': AL})
    if isinstance(cache, dict):
        for k, v in cache.items():
            if isinstance(k, str):
                bvalues.setdefault(k, v)
    return bvalues


def _unasserted_backward(st, params, X, Y, layer_dims, dims):
    """The forward and backward run again on fresh inputs without the file's asserts: (gradients,
    tracer), or raises Abort where that run fails too (its first report stands)."""
    fwd = bpm_find.unasserted(st.file, st.fn['forward'])
    bwd = bpm_find.unasserted(st.file, st.fn['backward'])
    fresh = {k: v.copy() for k, v in params.items()}
    out, _ = bpm_trace.traced(st, fwd, bpm_numerical.values_of(st, fresh, X.copy(), Y.copy(), layer_dims), 'forward',
                              dims, False)
    if isinstance(out, _Failed):
        raise Abort()
    AL, cache = (None, out[1]) if st.fn.get('cost_forward') else bpm_numerical.split_forward(st, out, layer_dims)
    if AL is not None:
        AL = np.asarray(AL, dtype=np.float64).reshape(layer_dims[-1], M)
    bvalues = _backward_values(st, fresh, X.copy(), Y.copy(), layer_dims, AL, cache)
    res, btrace = bpm_trace.traced(st, bwd, bvalues, 'backward', dims, False)
    if isinstance(res, _Failed):
        raise Abort()
    bpm_trace.record_trace(st, btrace)
    return res, btrace


# -- n_y = 2: bugs that only n_y = 1 hides
def _has_asserts(st, fn):
    node = st.src.function_node(fn.__code__.co_name, fn.__code__.co_firstlineno) \
        if fn.__code__.co_filename == st.mark else None
    return node is not None and any(isinstance(n, ast.Assert) for n in ast.walk(node))


def latent(st, run1):
    """The second run, with n_y = 2, of functions loaded without the file's asserts: the course's
    `assert(A2.shape == (1, X.shape[1]))` must not stop it."""
    st.progress('second run with n_y = 2')
    dims2 = list(run1['layer_dims'][:-1]) + [2]
    saved = dict(st.fn)
    if any(_has_asserts(st, st.fn[role]) for role in ('forward', 'backward')):
        for role in ('forward', 'backward'):
            st.fn[role] = bpm_find.unasserted(st.file, st.fn[role])
    st.failure = None
    try:
        run2 = run(st, dims2, primary=False)
    except Abort:
        run2 = None
    finally:
        st.fn.update(saved)
    ok1 = [g['name'] for g in st.result['gradients'] if g['status'] == 'ok']
    squeezed = [k for k in ok1 if run1['evals'][k]['squeezed']]
    if run2 is None:
        said = False
        for k in squeezed:
            ev = run1['evals'][k]
            said = True
            if any(r['line'] == ev['line'] and r['severity'] == 'error' for r in st.reports.items):
                continue
            st.reports.add(ev['line'], 'warning', 'latent-n_y-1',
                           f'{k} has shape {fmt_shape(ev["shape"])} where {ev["pkey"]} is '
                           f'{run1["dims"].both(run1["expected"][ev["pkey"]], ev["pkey"])}: right only because n_y = 1; '
                           f'use np.sum(…, axis=1, keepdims=True)')
        if not said:
            _probe_not_run(st)
        return
    if run2['failed'] is not None:
        info = run2['failed'].info
        if info is None or info['code'] != 'exception' or any(
                r['line'] == info['line'] and r['severity'] == 'error' for r in st.reports.items):
            return
        suggestion = ''
        node = info['node']
        sa, sb = info.get('shapes') or (None, None)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and sa and sb and sa[-1] == sb[0]:
            suggestion = ' (while n_y = 1, the elementwise product happens to equal it)'
        st.reports.add(info['line'], 'warning', 'latent-n_y-1',
                       f'right only because n_y = 1: with n_y = 2, {info["message"]}{suggestion}',
                       info['related'], node=node)
        return
    grouped = bpm_attribute.spoiled_groups(st, run2)
    group = next(iter(grouped.values()), None)
    if group is not None and all(k in ok1 for k in grouped):
        names = _join(list(grouped))
        st.reports.add(group['line'], 'warning', 'latent-n_y-1',
                       f'{names} are right only because n_y = 1: with n_y = 2, {group["name"]} is wrong and spoils '
                       f'them all (the fault is in it or what it is computed from)',
                         [(w[0], f'{group["name"]} is first computed here') for w in group['writes'][:-1]] + group['inputs'])
    by_line = {}
    for k in ok1:
        ev = run2['evals'][k]
        if ev['status'] != 'ok' and k not in grouped:
            by_line.setdefault(ev['line'], []).append(ev)
    for line, evs in by_line.items():
        if any(r['line'] == line and r['severity'] == 'error' for r in st.reports.items):
            continue
        msg = bpm_explain.describe_gradient(st, evs[0], run2['dims'], run2['numerical'])
        names = _join([e['key'] for e in evs])
        st.reports.add(line, 'warning', 'latent-n_y-1',
                       f'{names} {"is" if len(evs) == 1 else "are"} right only because n_y = 1: with n_y = 2, {msg}')
