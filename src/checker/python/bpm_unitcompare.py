"""Comparing a unit's returned gradients with the numerical ones, at the lines that computed them, and
explaining a difference where the values show why: a factor, a mask taken from dout, a wrong axis, a
missing keepdims, a scaling by 1/m or none."""
import ast

import numpy as np

import bpm_diagnose
import bpm_find
import bpm_load
from bpm_measure import TOLERANCE, max_entry_error, rel_difference
from bpm_report import _join
from bpm_source import SizeNames
from bpm_usercall import return_names


# A loss with an ε inside its logarithm (`np.log(p + 1e-7)`) has gradients ε / p away from the exact
# ones; the probabilities of the checker's inputs stay above 0.01, so a right gradient stays within this
# many ε of the loss's numerical one.
LOG_EPS_FACTOR = 100
# A gradient that is zero in truth is compared with central differences that are rounding noise (about
# 1e-10 here): below this, no entry differs.
ABSOLUTE_NOISE = 1e-7
# A gradient the learner's code did not return.
ABSENT = object()


# -- comparing and explaining
def compare_gradients(us, unit, grads, inputs, numerical, which, tracer, layout, case, lines=None, dout=None):
    """Each returned gradient against its input's numerical one, matched by position; `lines` gives the
    line of a gradient the tracer cannot place better (a model's `grads["W1"]`, a layer's `self.dW`);
    `dout`, for an elementwise layer, lets a wrong mask be named."""
    entries, by_line = [], {}
    scale = _scaling(unit, grads, inputs, numerical, which, layout)
    names = return_names(us, unit.backward)
    for i, (name, value) in enumerate(inputs):
        key = 'd' + name
        num = numerical[name] * scale.get(name, 1.0)
        idx = which[name]
        g = grads[i] if i < len(grads) else ABSENT
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
    if g is ABSENT:
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
