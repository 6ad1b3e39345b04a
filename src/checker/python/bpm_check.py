"""The derivation check: the user's backward pass against central differences of the true binary
cross-entropy of the user's own forward, located at the user's lines and explained where it can be."""
import ast

import numpy as np

from bpm_attribute import AttributeStep
from bpm_compare import CompareStep, TOLERANCE, _grad_order
from bpm_diagnose import DiagnoseStep
from bpm_find import FindStep, _parse_skipping_magics
import bpm_load
from bpm_numerical import EPS, M, NumericalStep
from bpm_report import Abort, Reports, _join
from bpm_source import Dims, Source, fmt_shape
from bpm_trace import TraceStep, _Failed


# Parsing and loading take about 1 s per million characters on a busy machine: far beyond any real
# exercise file, well within the default time limit.
MAX_CHARS = 1_000_000


CheckTimeout = bpm_load.CheckTimeout  # raised by the time limit's signal inside the user's code


# The names the server and the tests use.
__all__ = ['Checker', 'CheckTimeout', 'EPS', 'TOLERANCE', 'check']


class Checker(FindStep, TraceStep, NumericalStep, CompareStep, DiagnoseStep, AttributeStep):
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
