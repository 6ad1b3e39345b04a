"""The derivation check: the user's backward pass against central differences of the true binary
cross-entropy of the user's own forward, located at the user's lines and explained where it can be."""
import ast
import re

import numpy as np

from bpm_compare import CompareStep, TOLERANCE, _grad_order, _rel
from bpm_diagnose import DiagnoseStep
from bpm_find import FindStep, _parse_skipping_magics
import bpm_load
from bpm_numerical import EPS, M, NumericalStep, example_losses
from bpm_report import Abort, Reports, _join
from bpm_source import Dims, Source, fmt_shape, safe_eval
from bpm_trace import TraceStep, _Failed


# Parsing and loading take about 1 s per million characters on a busy machine: far beyond any real
# exercise file, well within the default time limit.
MAX_CHARS = 1_000_000


CheckTimeout = bpm_load.CheckTimeout  # raised by the time limit's signal inside the user's code


# The names the server and the tests use.
__all__ = ['Checker', 'CheckTimeout', 'EPS', 'TOLERANCE', 'check']


class Checker(FindStep, TraceStep, NumericalStep, CompareStep, DiagnoseStep):
    """One check of one file: the state that every step reads and adds to."""

    def __init__(self, text, file_name, functions, timeout_s, progress):
        self.text = text
        self.file = file_name
        self.mark = file_name
        self.settings = functions or {}
        self.timeout_s = timeout_s
        self.progress = progress
        self.result = {'file': file_name, 'convention': None, 'dims': {}, 'tolerance': TOLERANCE,
                       'gradients': [], 'reports': [], 'functions': [], 'traces': []}

    # -- entry
    def run(self):
        if len(self.text) > MAX_CHARS:
            lines = self.text.count('\n') + 1
            self.result['reports'].append({
                'line': 1, 'column': 1, 'endColumn': 2, 'severity': 'error', 'code': 'file-too-large',
                'message': f'the file has {len(self.text) / 1e6:.1f} million characters ({lines} lines); the checker reads '
                           f'files of up to {MAX_CHARS // 1000000} million (parsing more would not finish within the time '
                           f'limit): put the forward and backward pass in a file of their own — nothing was checked',
                'related': []})
            return self.result
        self.progress('parsing the file')
        magics = []
        try:
            tree = _parse_skipping_magics(self.text, self.file, magics)
        except SyntaxError as e:
            line = e.lineno or 1
            col = max(1, e.offset or 1)
            self.result['reports'].append({
                'line': line, 'column': col, 'endColumn': col + 1, 'severity': 'error', 'code': 'syntax-error',
                'message': f'syntax error: {e.msg} — nothing was checked', 'related': []})
            return self.result
        except (ValueError, RecursionError, MemoryError) as e:  # null bytes, absurd nesting
            self.result['reports'].append({
                'line': 1, 'column': 1, 'endColumn': 2, 'severity': 'error', 'code': 'syntax-error',
                'message': f'the file cannot be read as Python ({type(e).__name__}: {e}) — nothing was checked', 'related': []})
            return self.result
        self.src = Source(self.text, tree)
        self.reports = Reports(self.src)
        self.result['reports'] = self.reports.items
        for line, what in magics:
            self.reports.add(line, 'warning', 'ipython-syntax',
                             f'`{what}` is Jupyter/IPython syntax, not Python (`python` stops here with a syntax '
                             f'error); the check skipped the line — delete it or make it a comment')
        try:
            self._check(tree)
        except Abort:
            pass
        return self.result

    def _check(self, tree):
        """The steps of a check: load the file and choose its functions; one run of the user's forward
        and backward under trace against central differences, each gradient compared and diagnosed; the
        faults put at their root line and reported; then the second run and the cost function."""
        self._load(tree)
        layer_dims = self._layer_dims(self._choose_functions())
        self.trace_bindings = []
        self.called = {}
        self._find_unwritten(tree)

        try:
            run1 = self._run(layer_dims, primary=True)
        except Abort:
            self._functions()
            if not self.result['gradients']:
                status, hint = ('missing', 'waits for the terms not written yet') if self.waits_for_unwritten else ('error', None)
                self.result['gradients'] = [self._grad_entry('d' + k, status, None, self.dims, None, None, hint)
                                            for k in self._expected(layer_dims)]
            raise
        self._functions()
        if run1 is None:
            self.result['gradients'] = [self._grad_entry('d' + k, 'error', None, self.dims, None, None, None)
                                        for k in self._expected(layer_dims)]
            return
        self._report(run1)
        if any(g['status'] == 'ok' for g in self.result['gradients']):
            self._latent(run1)
        if self.fn['cost'] is not None:
            self._check_cost(run1)

    # -- one run of forward, numerical gradient, backward
    def _run(self, layer_dims, primary):
        dims = Dims(layer_dims, M, self.convention)
        fwd, bwd = self.fn['forward'], self.fn['backward']
        user_params = None
        if self.fn['init'] is not None:
            user_params = self._init(layer_dims, dims, primary)
        expected = self._expected(layer_dims)
        for attempt in range(4):
            params, X, Y = self._make_inputs(layer_dims, user_params, attempt)
            values = self._values(params, X, Y, layer_dims)
            out, ftrace = self._traced(fwd, values, 'forward', dims, primary)
            if isinstance(out, _Failed):
                return None
            AL, cache = self._split_forward(out, layer_dims)
            bad = self._bad_output(AL, out, layer_dims, dims, primary)
            if bad:
                return None
            if self._low_precision(AL, out, ftrace, primary):
                return None
            AL = np.asarray(AL, dtype=np.float64).reshape(layer_dims[-1], M)
            numerical, kink = self._numerical(fwd, params, X, Y, layer_dims, expected, dims, primary)
            if numerical is None:
                return None
            if not kink:
                break
        bvalues = self._values(params, X, Y, layer_dims)
        bvalues.update({'cache': cache, 'AL': AL, f'A{len(layer_dims) - 1}': AL})
        if isinstance(cache, dict):
            for k, v in cache.items():
                if isinstance(k, str):
                    bvalues.setdefault(k, v)
        res, btrace = self._traced(bwd, bvalues, 'backward', dims, primary,
                                   note=self._cache_note(out, cache, ftrace, layer_dims))
        run = {'dims': dims, 'params': params, 'X': X, 'Y': Y, 'AL': AL, 'numerical': numerical,
               'expected': expected, 'trace': btrace, 'ftrace': ftrace, 'layer_dims': layer_dims, 'failed': None}
        if isinstance(res, _Failed):
            run['failed'] = res
            return run
        grads = res[0] if isinstance(res, (tuple, list)) and res and isinstance(res[0], dict) else res
        if not isinstance(grads, dict):
            if primary:
                line = btrace.returns.get(id(res), (self._func_line(bwd), None))[0]
                self.reports.add(line, 'error', 'backward-output',
                                 f'`{bwd.__name__}` must return a dict of gradients (`{{"dW1": dW1, "db1": db1, …}}`), '
                                 f'not {type(res).__name__}')
                self.result['gradients'] = [self._grad_entry(k, 'error', None, dims, None, None, None)
                                            for k in _grad_order(expected)]
                return None
            run['failed'] = _Failed(None, None, 'not-a-dict')
            return run
        run['grads'] = grads
        run['evals'] = self._evaluate(run)
        return run

    def _groups(self, run):
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
        group, right_lines = self._root(run, keys)
        if group is None:
            top = 0
            for l in range(1, L + 1):
                if all(wrong(f'dW{k}') and wrong(f'db{k}') for k in range(1, l + 1)):
                    top = l
            group = self._upstream(run, top) if top else None
            # An intermediate that agrees with the map is never the one to blame.
            if group is None or group['line'] in right_lines:
                return {}
            group['keys'] = [k for k in keys if int(k[2:]) <= top]
        return {key: group for key in group['keys']}

    def _report(self, run):
        dims, evals = run['dims'], run['evals']
        order = _grad_order(run['expected'])
        grouped = self._groups(run)
        by_line = {}
        for key in order:
            ev = evals[key]
            group = grouped.get(key)
            hint = ev['hint']
            if group is not None:
                hint = f'spoiled by {group["name"]} at line {group["line"]}' + (f' ({group["hint"]})' if group['hint'] else '')
            self.result['gradients'].append(self._grad_entry(key, ev['status'], ev['shape'], dims, ev['rel'], ev['line'], hint))
            if ev['status'] == 'ok' or group is not None or ev['code'] == 'not-written':
                continue
            by_line.setdefault((ev['line'], ev['code']), []).append(ev)
        for group in {id(g): g for g in grouped.values()}.values():
            self._report_group(group, evals)
        for (line, code), evs in by_line.items():
            self._report_gradients(line, code, evs, dims, run)

    def _upstream(self, run, l):
        """The intermediate shared by dW_l and db_l (e.g. dZ1), if the evidence says it is the fault."""
        evals = run['evals']
        ew, eb = evals[f'dW{l}'], evals[f'db{l}']
        if not ew['write'] or not eb['write']:
            return None
        sw, sb = self.src.stmt_at(ew['write'][0]), self.src.stmt_at(eb['write'][0])
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
                'inputs': self._inputs(last[0], last[3], run['trace'], lambda n, v: v is D)}

    def _inputs(self, line, snap, trace, skip):
        """Where the arrays a line reads come from (e.g. the dA it multiplies), as related locations;
        `skip(name, value)` leaves out the intermediate itself."""
        inputs = []
        stmt = self.src.stmt_at(line)
        for n in sorted({x.id for x in ast.walk(stmt) if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Load)} if stmt else ()):
            v = snap.get(n)
            w = trace.writes.get(id(v)) if isinstance(v, np.ndarray) and not skip(n, v) else None
            if w and w[-1][0] != line:
                inputs.append((w[-1][0], f'its input {n} comes from here' + (f' (as {w[-1][2]})' if w[-1][2] != n and not w[-1][2].startswith('<') else '')))
        return inputs

    # -- the user's intermediates against the notes' map
    def _map(self, run):
        """The notes' map of this very forward, per example as in the notes (dZ[L] = A[L] − Y, without
        1/m): dZ[l] by central differences of each example's loss in b[l] (which moves every column of
        Z[l] by the step), dA[l−1] = W[l]ᵀ · dZ[l], and dA[L], the derivative of the loss in A[L].
        {'Z': {l: (n_l, m)}, 'A': {l: (n_l, m)}}, or None when the forward fails on the way."""
        if 'map' in run:
            return run['map']
        run['map'] = None
        layer_dims, params, Y, AL = run['layer_dims'], run['params'], run['Y'], run['AL']
        L = len(layer_dims) - 1
        output = self._output_of(self.fn['forward'], params, run['X'], Y, layer_dims)
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

    def _intermediates(self, run):
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
                if name in self._written_names(line):
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

    def _written_names(self, line):
        """The variables the statement at a line assigns to, or to an item or slice of: `dZ[Z <= 0] = 0`."""
        stmt = self.src.stmt_at(line)
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

    def _root(self, run, keys):
        """(group, lines of intermediates that agree with the map). The group is the first traced
        intermediate that differs from the notes' map — a factor 1/m aside, which the notes apply in dW
        and db but which may come earlier — among those that spoil a wrong gradient (`keys`); else the
        intermediate where a 1/m came in that a gradient applies again; else None."""
        entries = self._intermediates(run)
        ref = self._map(run) if entries else None
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
                    return self._extra_group(run, again, [k for k in keys if int(k[2:]) <= again['layer']],
                                             ' (again in each layer below, as the line runs once per layer)'), right_lines
                evidence = self._evidence(e, ref, run)
                return {'name': e['name'], 'line': e['line'], 'layer': e['layer'], 'writes': [(l,) for l in e['lines']],
                        'hint': evidence, 'evidence': evidence, 'var': e['name'], 'keys': spoiled,
                        'inputs': self._inputs(e['line'], e['snap'], run['trace'], lambda n, v: n == e['name'])}, right_lines
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
        return self._extra_group(run, entries[z], origins[z]), right_lines

    def _extra_group(self, run, e, applied, repeated=''):
        hint = (f'{_notes_name(e)} carries a factor 1/m{repeated} that {_join(applied)} '
                f'{"applies" if len(applied) == 1 else "apply"} again')
        return {'name': e['name'], 'line': e['line'], 'layer': e['layer'], 'writes': [(l,) for l in e['lines']],
                'hint': hint, 'extra': True, 'var': e['name'], 'keys': applied,
                'inputs': self._inputs(e['line'], e['snap'], run['trace'], lambda n, v: n == e['name'])}

    def _evidence(self, e, ref, run):
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
                for target, text in ((-1, '−1 times its value in the notes\' map: the sign is flipped'),
                                     (M, f'm = {M} times its value in the notes\' map: a factor m too many'),
                                     (1 / M ** 2, '1/m² times its value in the notes\' map: 1/m is applied twice'),
                                     (2, 'twice its value in the notes\' map'), (0.5, 'half its value in the notes\' map')):
                    if abs(c / target - 1) < 1e-4:
                        return f'{me} is {text}'
        if kind == 'A' and l < L:
            return f'{me} should be W{l + 1}ᵀ · dZ{l + 1}, as in the notes, and dZ{l + 1} is right'
        formula = (f'dZ{l} = A{l} − Y' if kind == 'Z' and l == L else f'dZ{l} = dA{l} * g′(Z{l})' if kind == 'Z'
                   else f'dA{l} = −(Y / A{l} − (1 − Y) / (1 − A{l}))')
        idx = np.unravel_index(int(np.argmax(np.abs(v - T))), v.shape)
        return (f'{me} differs from the notes\' map of this forward ({formula}): worst entry {e["name"]}[{idx[0]}, {idx[1]}] '
                f'is {v[idx]:.6g}, the map\'s {T[idx]:.6g}')

    def _report_group(self, group, evals):
        spoiled = group['keys']
        rels = ', '.join(f'{k} {evals[k]["rel"]:.2g}' for k in spoiled if evals[k]['rel'] is not None)
        above = [k for k in evals if int(k[2:]) == group['layer'] + 1]
        above_right = above and all(evals[k]['status'] == 'ok' for k in above)
        if group.get('extra'):
            msg = (f'{group["hint"]} (rel. differences {rels}; tolerance {TOLERANCE:g}); keep one 1/m — the notes '
                   f'apply it in dW and db only')
        elif group.get('evidence'):
            msg = (f'{group["evidence"]}; it spoils {_join(spoiled)} (rel. differences {rels}; '
                   f'tolerance {TOLERANCE:g})' + (f'; the layer above ({", ".join(above)}) is right' if above_right else ''))
        else:
            above = (f'; the layer above ({", ".join(above)}) is right, so the fault is in {group["name"]} or what it '
                     f'is computed from') if above_right else '; the fault is in it or what it is computed from'
            msg = (f'{group["name"]} is wrong: it spoils {_join(spoiled)} (rel. differences {rels}; tolerance {TOLERANCE:g})'
                   + above + (f' — {group["hint"]}' if group['hint'] else ''))
        related = [(w[0], f'{group["name"]} is first computed here') for w in group['writes'][:-1]] + group['inputs']
        users = {}
        for k in spoiled:
            if evals[k]['line']:
                users.setdefault(evals[k]['line'], []).append(k)
        for line, keys in users.items():
            verb = ('applies 1/m again' if len(keys) == 1 else 'apply 1/m again') if group.get('extra') else \
                ('is computed from it' if len(keys) == 1 else 'are computed from it')
            related.append((line, f'{_join(keys)} {verb} here'))
        self.reports.add(group['line'], 'error', 'extra-1-over-m' if group.get('extra') else 'wrong-intermediate', msg, related)

    def _describe_gradient(self, ev, dims, numerical):
        key, pkey = ev['key'], ev['pkey']
        exp = dims.param_shape(pkey)
        if ev['code'] == 'gradient-none':
            return f'{key} is None: it is not computed yet'
        if ev['status'] == 'missing':
            return f'the returned gradients have no "{key}"'
        if ev['code'] == 'gradient-type':
            return ev['hint']
        if ev['code'] == 'gradient-not-finite':
            return f'{key} is wrong: {ev["hint"]}'
        if ev['status'] == 'shape':
            has = ('is a single number (shape ())' if tuple(ev['shape']) == () else
                   f'has shape {dims.both(ev["shape"], key if tuple(ev["shape"]) == exp else None)}')
            msg = f'{key} {has} but {pkey} is {dims.both(exp, pkey)}'
            return msg + (f' — {ev["hint"]}' if ev['hint'] else '')
        g = ev['value'].reshape(exp)
        num = numerical[pkey]
        idx = np.unravel_index(int(np.argmax(np.abs(g - num))), exp)
        where = ', '.join(str(int(i)) for i in idx)
        msg = (f'{key} is wrong: relative difference {ev["rel"]:.2g} > tolerance {TOLERANCE:g}; worst entry '
               f'{key}[{where}]: analytic {g[idx]:.6g}, numerical {num[idx]:.6g}')
        return msg + (f' — {ev["hint"]}' if ev['hint'] else '')

    def _report_gradients(self, line, code, evs, dims, run):
        bwd = self.fn['backward']
        if code == 'missing-gradient':
            have = ', '.join(f'"{k}"' for k in run['grads'] if isinstance(k, str)) or 'nothing'
            absent = _join(['"' + e['key'] + '"' for e in evs])
            msg = f'the gradients returned by `{bwd.__name__}` have no {absent} (they have {have})'
            self.reports.add(line, 'error', code, msg)
            return
        msg = self._describe_gradient(evs[0], dims, run['numerical'])
        if len(evs) > 1:
            msg += f' (the same line also computes {_join([e["key"] for e in evs[1:]])}, wrong too)'
        related = list(evs[0].get('related', []))
        for ev in evs:
            for kl in self.src.key_lines(ev['key']):
                if kl != line:
                    related.append((kl, f'{ev["key"]} is stored here'))
        self.reports.add(line, 'error', code, msg, related, fix=evs[0]['fix'])

    # -- n_y = 2: bugs that only n_y = 1 hides
    def _latent(self, run1):
        self.progress('second run with n_y = 2')
        dims2 = list(run1['layer_dims'][:-1]) + [2]
        try:
            run2 = self._run(dims2, primary=False)
        except Abort:
            run2 = None
        ok1 = [g['name'] for g in self.result['gradients'] if g['status'] == 'ok']
        squeezed = [k for k in ok1 if run1['evals'][k]['squeezed']]
        if run2 is None:
            for k in squeezed:
                ev = run1['evals'][k]
                self.reports.add(ev['line'], 'warning', 'latent-n_y-1',
                                 f'{k} has shape {fmt_shape(ev["shape"])} where {ev["pkey"]} is '
                                 f'{run1["dims"].both(run1["expected"][ev["pkey"]], ev["pkey"])}: right only because n_y = 1; '
                                 f'use np.sum(…, axis=1, keepdims=True)')
            return
        if run2['failed'] is not None:
            info = run2['failed'].info
            if info is None or info['code'] != 'exception' or any(
                    r['line'] == info['line'] and r['severity'] == 'error' for r in self.reports.items):
                return
            suggestion = ''
            node = info['node']
            sa, sb = info.get('shapes') or (None, None)
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and sa and sb and sa[-1] == sb[0]:
                suggestion = ' (while n_y = 1, the elementwise product happens to equal it)'
            self.reports.add(info['line'], 'warning', 'latent-n_y-1',
                             f'right only because n_y = 1: with n_y = 2, {info["message"]}{suggestion}',
                             info['related'], node=node)
            return
        grouped = self._groups(run2)
        group = next(iter(grouped.values()), None)
        if group is not None and all(k in ok1 for k in grouped):
            names = _join(list(grouped))
            self.reports.add(group['line'], 'warning', 'latent-n_y-1',
                             f'{names} are right only because n_y = 1: with n_y = 2, {group["name"]} is wrong and spoils '
                             f'them all (the fault is in it or what it is computed from)',
                             [(w[0], f'{group["name"]} is first computed here') for w in group['writes'][:-1]] + group['inputs'])
        by_line = {}
        for k in ok1:
            ev = run2['evals'][k]
            if ev['status'] != 'ok' and k not in grouped:
                by_line.setdefault(ev['line'], []).append(ev)
        for line, evs in by_line.items():
            if any(r['line'] == line and r['severity'] == 'error' for r in self.reports.items):
                continue
            msg = self._describe_gradient(evs[0], run2['dims'], run2['numerical'])
            names = _join([e['key'] for e in evs])
            self.reports.add(line, 'warning', 'latent-n_y-1',
                             f'{names} {"is" if len(evs) == 1 else "are"} right only because n_y = 1: with n_y = 2, {msg}')


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


def _finite(v):
    if isinstance(v, float):
        return v if np.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    if isinstance(v, np.generic):
        return _finite(v.item())
    return v


def check(text, file_name, functions=None, timeout_s=10.0, progress=lambda phase, line=None: None):
    """Checks one file's text; returns a JSON-compatible CheckResult (without durationMs)."""
    # A byte-order mark (Windows editors write one) is not part of the source; editors do not count it.
    text = text[1:] if text.startswith('\ufeff') else text
    return _finite(Checker(text, file_name, functions, timeout_s, progress).run())
