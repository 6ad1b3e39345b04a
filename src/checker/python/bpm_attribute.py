"""Step 6 of a check, attributing: the root line of wrong gradients, the first of the user's dZ and
dA that differs from the notes' map of this very forward (or that brings in a 1/m a gradient applies
again), with the evidence in the notes' terms."""
import ast
import re

import numpy as np

from bpm_compare import _grad_order
from bpm_measure import rel_difference as _rel
import bpm_numerical
from bpm_numerical import EPS, M, example_losses
from bpm_report import _join
from bpm_source import safe_eval


def spoiled_groups(st, run):
    """Gradients spoiled by one intermediate, key -> group: the first of the user's traced dZ/dA that
    differs from the notes' map (or that brings in a 1/m a gradient applies again); without such a
    trace, the top layer l such that every layer up to l has both gradients wrong, when the evidence
    points at the dZ they share."""
    evals = run['evals']
    L = len(run['layer_dims']) - 1

    def wrong(key):
        ev = evals[key]
        return ev['status'] == 'value' and ev['code'] not in ('gradient-none', 'gradient-type', 'gradient-not-finite')

    keys = [k for k in _grad_order(run['expected']) if wrong(k)]
    if not keys:
        return {}
    group, right_lines = root_group(st, run, keys)
    if group is None:
        top = 0
        for l in range(1, L + 1):
            if all(wrong(f'dW{k}') and wrong(f'db{k}') for k in range(1, l + 1)):
                top = l
        group = upstream_group(st, run, top) if top else None
        # An intermediate that agrees with the map is never the one to blame.
        if group is None or group['line'] in right_lines:
            return {}
        group['keys'] = [k for k in keys if int(k[2:]) <= top]
    return {key: group for key in group['keys']}


def upstream_group(st, run, l):
    """The intermediate shared by dW_l and db_l (e.g. dZ1), if the evidence says it is the fault."""
    evals = run['evals']
    ew, eb = evals[f'dW{l}'], evals[f'db{l}']
    if not ew['write'] or not eb['write']:
        return None
    sw, sb = st.src.stmt_at(ew['write'][0]), st.src.stmt_at(eb['write'][0])
    if sw is None or sb is None:
        return None
    snap_w, snap_b = ew['write'][3], eb['write'][3]
    names_w = {n.id for n in ast.walk(sw) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    names_b = {n.id for n in ast.walk(sb) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    n_l, n_prev = run['layer_dims'][l], run['layer_dims'][l - 1]
    D = name = None
    for n in sorted(names_w & names_b):
        v = snap_w.get(n)
        if isinstance(v, np.ndarray) and v.shape == (n_l, M) and snap_b.get(n) is v:
            D, name = v, n
            break
    if D is None:
        return None
    writes = run['trace'].writes.get(id(D))
    if not writes:
        return None
    # If dW_l and db_l follow from this dZ as the notes say (with 1/m in either place), dZ is right
    # and the two faults are on their own lines.
    A = None
    # The layer's input as written in the dW line: a name (A1, X) or an expression (cache["A1"].T).
    for node in ast.walk(sw):
        if not isinstance(node, (ast.Name, ast.Subscript, ast.Attribute)) or \
                (isinstance(node, ast.Name) and node.id == name):
            continue
        v = snap_w.get(node.id) if isinstance(node, ast.Name) else safe_eval(node, ew['write'][4], snap_w)
        if isinstance(v, np.ndarray) and v is not D and v.shape in ((n_prev, M), (M, n_prev)) and n_prev != M:
            A = v if v.shape == (n_prev, M) else v.T
            break
    if A is not None:
        num_w, num_b = run['numerical'][f'W{l}'], run['numerical'][f'b{l}']
        implied_w, implied_b = D @ A.T / M, np.sum(D, axis=1, keepdims=True) / M
        for s in (1.0, 1.0 / M):
            if _rel(implied_w, s * num_w) <= 1e-6 and _rel(implied_b, s * num_b) <= 1e-6:
                return None
    cs = [evals[k]['c'] for k in evals if evals[k]['status'] == 'value' and int(k[2:]) <= l]
    hint = None
    if cs and all(c is not None for c in cs) and max(cs) - min(cs) <= 1e-4 * max(abs(c) for c in cs):
        c = cs[0]
        for target, text in ((M, 'm = 7 times too large: the 1/m is missing or misplaced'),
                             (1 / M, 'm = 7 times too small: 1/m is applied twice'),
                             (-1, 'the sign is flipped'), (2, 'twice too large'), (0.5, 'half too small')):
            if abs(c / target - 1) < 1e-4:
                hint = text
    last = writes[-1]
    return {'name': last[2] if not last[2].startswith('<') else name, 'line': last[0], 'layer': l,
            'writes': writes, 'hint': hint, 'var': name,
            'inputs': input_origins(st, last[0], last[3], run['trace'], lambda n, v: v is D)}


def input_origins(st, line, snap, trace, skip):
    """Where the arrays a line reads come from (e.g. the dA it multiplies), as related locations;
    `skip(name, value)` leaves out the intermediate itself."""
    inputs = []
    stmt = st.src.stmt_at(line)
    for n in sorted({x.id for x in ast.walk(stmt) if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Load)} if stmt else ()):
        v = snap.get(n)
        w = trace.writes.get(id(v)) if isinstance(v, np.ndarray) and not skip(n, v) else None
        if w and w[-1][0] != line:
            inputs.append((w[-1][0], f'its input {n} comes from here' + (f' (as {w[-1][2]})' if w[-1][2] != n and not w[-1][2].startswith('<') else '')))
    return inputs


# -- the user's intermediates against the notes' map
def notes_map(st, run):
    """The notes' map of this very forward, per example as in the notes (dZ[L] = A[L] − Y, without
    1/m): dZ[l] by central differences of each example's loss in b[l] (which moves every column of
    Z[l] by the step), dA[l−1] = W[l]ᵀ · dZ[l], and dA[L], the derivative of the loss in A[L].
    {'Z': {l: (n_l, m)}, 'A': {l: (n_l, m)}}, or None when the forward fails on the way."""
    if 'map' in run:
        return run['map']
    run['map'] = None
    layer_dims, params, Y, AL = run['layer_dims'], run['params'], run['Y'], run['AL']
    L = len(layer_dims) - 1
    output = bpm_numerical.output_of(st, st.fn['forward'], params, run['X'], Y, layer_dims)
    dZ = {}
    try:
        for l in range(1, L + 1):
            flat = params[f'b{l}'].reshape(-1)
            g = np.zeros((layer_dims[l], M))
            for i in range(layer_dims[l]):
                old = flat[i]
                flat[i] = old + EPS
                up = example_losses(output(), Y)
                flat[i] = old - EPS
                down = example_losses(output(), Y)
                flat[i] = old
                g[i] = (up - down) / (2 * EPS)
            dZ[l] = g
    except Exception:  # noqa: BLE001 — it ran before with these parameters; without a map the old rule stays
        return None
    dA = {l - 1: params[f'W{l}'].T @ dZ[l] for l in range(1, L + 1)}
    dA[L] = (AL - Y) / (AL * (1 - AL))
    run['map'] = {'Z': dZ, 'A': dA}
    return run['map']


def traced_intermediates(st, run):
    """The user's dZ and dA arrays in the order the backward computed them, each once (one array
    under many names, `dZ = relu_backward(…)`, counts where it was made): the layer from its shape
    (every size is distinct), its last value in its function and the line that gave it that value."""
    layer_dims = run['layer_dims']
    L = len(layer_dims) - 1
    out, current = [], {}
    for line, func, name, obj, value, snap in run['trace'].changes:
        mt = _INTERMEDIATE.fullmatch(name)
        if mt is None or value.ndim != 2 or value.shape[1] != M:
            continue
        kind = mt.group(1).upper()
        layers = [l for l in range(0 if kind == 'A' else 1, L + 1) if layer_dims[l] == value.shape[0]]
        if len(layers) != 1:
            continue
        e = current.get((func, name))
        if e is not None and e['obj'] is obj:  # changed in place, e.g. `dZ[Z <= 0] = 0`
            # Only under the name the line writes to: after `dZ1 = dA1`, masking dZ1 changes dA1 too.
            if name in written_names(st, line):
                e['lines'].append(line)
                e.update(line=line, value=value, snap=snap)
            continue
        e = {'name': name, 'func': func, 'kind': kind, 'layer': layers[0], 'obj': obj, 'value': value,
             'line': line, 'lines': [line], 'snap': snap}
        current[(func, name)] = e
        # Assigned again for the same layer: the earlier value is not the one that was used.
        out = [x for x in out if (x['func'], x['name'], x['layer']) != (func, name, e['layer'])]
        out.append(e)
    seen, unique = set(), []
    for e in out:
        if (id(e['obj']), e['kind']) not in seen:
            seen.add((id(e['obj']), e['kind']))
            unique.append(e)
    return unique


def written_names(st, line):
    """The variables the statement at a line assigns to, or to an item or slice of: `dZ[Z <= 0] = 0`."""
    stmt = st.src.stmt_at(line)
    targets = list(stmt.targets) if isinstance(stmt, ast.Assign) else \
        [stmt.target] if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) else []
    names = set()
    while targets:
        node = targets.pop()
        if isinstance(node, (ast.Tuple, ast.List)):
            targets.extend(node.elts)
            continue
        while isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
            node = node.value
        if isinstance(node, ast.Name):
            names.add(node.id)
    return names


def root_group(st, run, keys):
    """(group, lines of intermediates that agree with the map). The group is the first traced
    intermediate that differs from the notes' map — a factor 1/m aside, which the notes apply in dW
    and db but which may come earlier — among those that spoil a wrong gradient (`keys`); else the
    intermediate where a 1/m came in that a gradient applies again; else None."""
    entries = traced_intermediates(st, run)
    ref = notes_map(st, run) if entries else None
    if ref is None:
        return None, set()
    for e in entries:
        e['scale'] = _scale(e['value'], ref[e['kind']][e['layer']])
        if e['scale'] is None and e['kind'] == 'A' and e['layer'] >= 1:  # `dA = dA * (Z > 0)`: a dZ by another name
            e['scale'] = _scale(e['value'], ref['Z'][e['layer']])
    right_lines = {e['line'] for e in entries if e['scale'] is not None}
    for i, e in enumerate(entries):
        spoiled = [k for k in keys if int(k[2:]) <= e['layer']]
        if e['scale'] is None and spoiled:
            # A line run once per layer (a helper's `dA_prev = … / m`) brings in 1/m again each time.
            T = ref[e['kind']][e['layer']]
            again = next((x for x in entries[:i] if x['line'] == e['line'] and x['scale'] == 1.0 / M), None)
            if again is not None and any(_rel(e['value'], T / M ** k) <= 1e-5 for k in range(2, len(entries) + 2)):
                return extra_group(st, run, again, [k for k in keys if int(k[2:]) <= again['layer']],
                                   ' (again in each layer below, as the line runs once per layer)'), right_lines
            evidence = evidence_of(st, e, ref, run)
            return {'name': e['name'], 'line': e['line'], 'layer': e['layer'], 'writes': [(l,) for l in e['lines']],
                    'hint': evidence, 'evidence': evidence, 'var': e['name'], 'keys': spoiled,
                    'inputs': input_origins(st, e['line'], e['snap'], run['trace'], lambda n, v: n == e['name'])}, right_lines
    # Every intermediate is right: a gradient 1/m of the numerical one whose dZ carries a 1/m
    # applies it again; blame the intermediate the 1/m came in with, not the gradient's single 1/m.
    origins = {}
    for k in keys:
        if run['evals'][k]['code'] != 'extra-1-over-m':
            continue
        l = int(k[2:])
        z = max((i for i, e in enumerate(entries) if e['kind'] == 'Z' and e['layer'] == l), default=None)
        if z is None or entries[z]['scale'] != 1.0 / M:
            continue
        sibling = ('db' if k.startswith('dW') else 'dW') + str(l)
        if run['evals'][sibling]['status'] == 'ok':  # it relies on the early 1/m: the fault is k's own 1/m
            run['evals'][k]['hint'] += (f'; {_notes_name(entries[z])} at line {entries[z]["line"]} already carries '
                                        f'the 1/m, as the right {sibling} relies on')
            continue
        while z > 0 and entries[z - 1]['scale'] == 1.0 / M and entries[z - 1]['layer'] >= l:
            z -= 1
        up = entries[z]['layer']
        if up > l and all(run['evals'][f'{p}{up}']['status'] == 'ok' for p in ('dW', 'db')):
            run['evals'][k]['hint'] += (f'; {_notes_name(entries[z])} at line {entries[z]["line"]} brings in the 1/m, '
                                        f'as the right dW{up} and db{up} rely on')
            continue
        origins.setdefault(z, []).append(k)
    if not origins:
        return None, right_lines
    z = min(origins)
    return extra_group(st, run, entries[z], origins[z]), right_lines


def extra_group(st, run, e, applied, repeated=''):
    hint = (f'{_notes_name(e)} carries a factor 1/m{repeated} that {_join(applied)} '
            f'{"applies" if len(applied) == 1 else "apply"} again')
    return {'name': e['name'], 'line': e['line'], 'layer': e['layer'], 'writes': [(l,) for l in e['lines']],
            'hint': hint, 'extra': True, 'var': e['name'], 'keys': applied,
            'inputs': input_origins(st, e['line'], e['snap'], run['trace'], lambda n, v: n == e['name'])}


def evidence_of(st, e, ref, run):
    """Why an intermediate differs from the notes' map, in the notes' terms where the values show it."""
    v, l, kind = e['value'], e['layer'], e['kind']
    L = len(run['layer_dims']) - 1
    T = ref[kind][l]
    me = _notes_name(e)
    if kind == 'Z':
        dA = ref['A'][l]
        known = np.abs(dA) > 1e-9 * np.max(np.abs(dA))
        ratio = T[known] / dA[known]
        relu = l < L and ratio.size > 0 and bool(np.all(np.minimum(np.abs(ratio), np.abs(ratio - 1)) < 1e-6))
        if _scale(v, dA) is not None:
            return f'{me} is dA{l} without ' + (f'the mask [Z{l} > 0]' if relu else
                                                f'the factor g′(Z{l}), the derivative of the activation')
        if relu:
            mask = np.zeros_like(dA)
            mask[known] = np.round(ratio)
            if _scale(v, dA * (1 - mask)) is not None:
                return f'{me} is dA{l} with the inverted mask [Z{l} ≤ 0]; the notes\' mask is [Z{l} > 0]'
        if l == L and _scale(v, T * run['AL'] * (1 - run['AL'])) is not None:
            return (f'{me} is (A{L} − Y) · A{L}(1 − A{L}): with the cross-entropy, dZ{L} = A{L} − Y already holds the '
                    f'sigmoid\'s derivative, so it is applied twice')
    nn = float(np.sum(T * T))
    if nn > 0:
        c = float(np.sum(v * T) / nn)
        if np.linalg.norm(v - c * T) <= 1e-5 * max(np.linalg.norm(v), 1e-300):
            keep = st.fn.get('keep_prob')
            for target, text in (((keep, f'keep_prob = {keep:g} times its value in the notes\' map: the division by '
                                         f'keep_prob is missing'),) if keep else ()) + (
                                 (-1, '−1 times its value in the notes\' map: the sign is flipped'),
                                 (M, f'm = {M} times its value in the notes\' map: a factor m too many'),
                                 (1 / M ** 2, '1/m² times its value in the notes\' map: 1/m is applied twice'),
                                 (2, 'twice its value in the notes\' map'), (0.5, 'half its value in the notes\' map')):
                if abs(c / target - 1) < 1e-4:
                    return f'{me} is {text}'
    keep = st.fn.get('keep_prob')
    if kind == 'A' and l < L and keep:
        known = np.abs(T) > 1e-9 * np.max(np.abs(T))
        ratio = v[known] / T[known]
        if ratio.size and np.all(np.minimum(np.abs(ratio), np.abs(ratio - 1)) < 1e-6) and np.any(np.abs(ratio) < 1e-6):
            return f'{me} applies the dropout mask but not the division by keep_prob (= {keep:g}) that the forward applies'
    if kind == 'A' and l < L:
        return f'{me} should be W{l + 1}ᵀ · dZ{l + 1}, as in the notes, and dZ{l + 1} is right'
    formula = (f'dZ{l} = A{l} − Y' if kind == 'Z' and l == L else f'dZ{l} = dA{l} * g′(Z{l})' if kind == 'Z'
               else f'dA{l} = −(Y / A{l} − (1 − Y) / (1 − A{l}))')
    idx = np.unravel_index(int(np.argmax(np.abs(v - T))), v.shape)
    return (f'{me} differs from the notes\' map of this forward ({formula}): worst entry {e["name"]}[{idx[0]}, {idx[1]}] '
            f'is {v[idx]:.6g}, the map\'s {T[idx]:.6g}')


# The names of the notes' dZ/dA and of the helpers' versions: dZ1, dz_1, dZ, dAL, dA_prev, dA_prev_temp, …
_INTERMEDIATE = re.compile(r'd_?([za])(?:_?\d+|l|_\w*|prev\w*|curr\w*|next\w*)?', re.I)


def _notes_name(e):
    """A traced intermediate by its name, with the notes' name where the code's has no layer: `dZ1`,
    `dZ (dZ2)`."""
    notes = f'd{e["kind"]}{e["layer"]}'
    return e['name'] if e['name'].replace('_', '').lower() == notes.lower() else f'{e["name"]} ({notes})'


def _scale(v, T):
    """1 when v is the map's value T, 1/m when it carries the factor 1/m (the notes apply it in dW and
    db, but it may come earlier), else None."""
    for s in (1.0, 1.0 / M):
        if _rel(v, s * T) <= 1e-5:
            return s
    return None
