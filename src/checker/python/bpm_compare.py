"""Step 4 of a check, comparing: each returned gradient against its numerical one (missing, of the
wrong type or shape, not finite, or beyond the tolerance; bpm_diagnose says why), and the cost
function's value against the binary cross-entropy."""
import ast

import numpy as np

import bpm_diagnose
import bpm_find
import bpm_load
from bpm_measure import TOLERANCE, rel_difference as _rel
import bpm_numerical
from bpm_numerical import M, bce
from bpm_report import _describe
import bpm_trace


def _grad_order(expected):
    return ['d' + k for k in expected]


# A cost within this relative difference of the cross-entropy is right: a small epsilon inside the
# logarithms (`np.log(A2 + 1e-5)`, against log(0)) is common and harmless; the faults are far larger.
COST_TOLERANCE = 1e-3


def grad_entry(st, key, status, shape, dims, rel, line, hint):
    pkey = key[1:]
    exp = dims.param_shape(pkey)
    return {'name': key, 'param': pkey, 'status': status, 'shape': list(shape) if shape is not None else None,
            'expectedShape': list(exp), 'symbolicShape': dims.sym(exp, pkey), 'relDifference': rel,
            'line': line, 'hint': hint}


def evaluate(st, run):
    dims, grads, tracer = run['dims'], run['grads'], run['trace']
    bwd = st.fn['backward']
    dict_write = tracer.first_write(grads)
    dict_line = dict_write[0] if dict_write else tracer.returns.get(id(grads), (bpm_find.func_line(bwd),))[0]
    lower = {k.lower(): k for k in grads if isinstance(k, str)}
    st.grad_keys = [k for k in grads if isinstance(k, str)]
    evals = {}
    for pkey in run['expected']:
        key = 'd' + pkey
        ev = {'key': key, 'pkey': pkey, 'status': 'ok', 'shape': None, 'rel': None, 'line': None, 'hint': None,
              'code': None, 'fix': None, 'squeezed': False, 'write': None, 'writes': [], 'value': None, 'c': None}
        evals[key] = ev
        exp = run['expected'][pkey]
        num = run['numerical'][pkey]
        gk = key if key in grads else lower.get(key.lower())
        if gk is None:
            ev.update(status='missing', line=dict_line, code='missing-gradient')
            continue
        g = grads[gk]
        write = tracer.last_write(g) if g is not None else None
        kl = st.src.key_lines(gk)
        ev['write'] = write
        ev['writes'] = tracer.writes.get(id(g), []) if g is not None else []
        ev['line'] = write[0] if write else (kl[0] if kl else dict_line)
        if g is Ellipsis:
            ev.update(status='missing', code='not-written', hint=f'{key} is not written yet',
                      line=st.src.var_line(gk) or ev['line'])
            continue
        if g is None:
            ev.update(status='missing', code='gradient-none', hint=f'{key} is None (not computed yet)', line=st.src.var_line(gk) or (kl[0] if kl else ev['line']))
            continue
        if isinstance(g, (float, int, np.generic)) and not isinstance(g, bool):
            g = np.asarray(g, dtype=np.float64)
        if not isinstance(g, np.ndarray) or g.dtype.kind not in 'fiub':
            what = (f'{key} is a numpy array of {"Python objects (dtype object)" if g.dtype.kind == "O" else g.dtype.name + " numbers"}, '
                    f'not of real ones (float64)' if isinstance(g, np.ndarray)
                    else f'{key} is a {type(g).__name__}, not a numpy array')
            ev.update(status='value', code='gradient-type', shape=None, line=ev['line'] if write else (st.src.var_line(gk) or ev['line']),
                      hint=what)
            continue
        g = g.astype(np.float64)
        ev['shape'] = g.shape
        ev['value'] = g
        if g.shape != exp:
            if g.size == 1 and int(np.prod(exp)) == 1:
                ev['squeezed'] = True
                g = g.reshape(exp)
            else:
                ev['status'] = 'shape'
                bpm_diagnose.diagnose_shape(st, ev, g, num, exp, dims)
                continue
        if not np.all(np.isfinite(g)):
            bad = int(g.size - np.count_nonzero(np.isfinite(g)))
            ev.update(status='value', code='gradient-not-finite',
                      hint=f'{bad} of the {g.size} entries of {key} are NaN or infinite (a 0/0, a log of 0 or an '
                           f'overflow on the way)')
            continue
        rel = _rel(g, num)
        ev['rel'] = rel
        if not np.isfinite(rel) or rel > TOLERANCE:
            ev['status'] = 'value'
            bpm_diagnose.diagnose_value(st, ev, g, num, run['params'], dims)
    return evals


def check_cost(st, run1):
    fn = st.fn['cost']
    dims = run1['dims']
    AL, Y = run1['AL'], run1['Y']
    values = {'AL': AL, 'A2': AL, f'A{len(run1["layer_dims"]) - 1}': AL, 'Y': Y, 'parameters': run1['params'], 'm': M}
    if 'lambd' in st.fn:
        values['lambd'] = st.fn['lambd']
    out, tracer = bpm_trace.traced(st, fn, values, 'cost', dims, False)
    if tracer is not None:
        bpm_trace.record_trace(st, tracer)
    if isinstance(out, bpm_trace._Failed):
        info = out.info
        if out.kind == 'raised':
            # An assert about the cost's type (`isinstance(cost, float)`) depends on numpy's version, not on
            # the gradients: a note, not an error.
            severity = 'info' if isinstance(out.exc, AssertionError) else 'error'
            st.reports.add(info['line'], severity, info['code'], info['message'], info['related'], node=info['node'])
        elif out.kind == 'unwritten':
            term = bpm_trace.template_placeholder(st, out.exc)
            st.reports.add(bpm_find.func_line(fn), 'info', 'not-written',
                           f'`{fn.__name__}` is not written yet (`{term}` is the template\'s placeholder): it is '
                           f'checked once it is written')
        elif out.kind == 'unbound':
            st.reports.add(bpm_find.func_line(fn), 'info', 'not-checked',
                           f'`{fn.__name__}` is not checked: its arguments have names the checker does not give '
                           f'({bpm_trace._known_args("cost")})')
        return
    arr = np.asarray(out, dtype=np.float64) if isinstance(out, (np.ndarray, np.generic, float, int)) else None
    line = cost_line(st, fn, out, tracer)
    if arr is None or arr.size != 1:
        st.reports.add(line, 'error', 'cost-shape',
                       f'`{fn.__name__}` must return one number (the mean loss over the m examples), not {_describe(out)}')
        return
    c, J = float(arr.reshape(())), bce(AL, Y) + bpm_numerical.l2_term(st, run1['params'])
    if abs(c - J) <= COST_TOLERANCE * max(1.0, abs(J)):
        return
    hint = ''
    if J != 0:
        for target, text in ((M, 'it is m = 7 times the mean: the 1/m is missing'),
                             (-1, 'the sign is flipped'), (1 / M, 'it is 1/m of the mean: 1/m is applied twice')):
            if abs(c / J / target - 1) < 1e-6:
                hint = f' — {text}'
    what = 'the binary cross-entropy' + (f' plus λ/(2m) · Σ‖W‖² (λ = {st.fn["lambd"]:g})' if 'lambd' in st.fn else '')
    st.reports.add(line, 'error', 'cost-mismatch', f'`{fn.__name__}` returns {c:.6g} but {what} of this output is {J:.6g}{hint}')


def cost_line(st, fn, out, tracer):
    node = st.src.function_node(fn.__code__.co_name, fn.__code__.co_firstlineno)
    if node is not None:  # the statement that takes the logarithm computes the loss
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and (bpm_load._dotted(sub.func) or '').split('.')[-1] in ('log', 'log1p'):
                for line in range(sub.lineno, node.lineno, -1):
                    if st.src.stmt_at(line) is not None:
                        return line
    w = tracer.last_write(out) if tracer else None
    return w[0] if w else bpm_find.func_line(fn)
