"""The derivation check: the user's backward pass against central differences of the true binary
cross-entropy of the user's own forward, located at the user's lines and explained where it can be.
Each step of a check is a module of its own, mixed into the Checker here: bpm_find, bpm_trace,
bpm_numerical, bpm_compare, bpm_diagnose, bpm_attribute, bpm_explain."""
import numpy as np

from bpm_attribute import AttributeStep
from bpm_compare import CompareStep, TOLERANCE, _grad_order
from bpm_diagnose import DiagnoseStep
from bpm_explain import ExplainStep
from bpm_find import FindStep, _parse_skipping_magics
import bpm_load
from bpm_numerical import EPS, M, NumericalStep
from bpm_report import Abort, Reports
from bpm_source import Dims, Source
from bpm_trace import TraceStep, _Failed


# Parsing and loading take about 1 s per million characters on a busy machine: far beyond any real
# exercise file, well within the default time limit.
MAX_CHARS = 1_000_000


CheckTimeout = bpm_load.CheckTimeout  # raised by the time limit's signal inside the user's code


# The names the server and the tests use.
__all__ = ['Checker', 'CheckTimeout', 'EPS', 'TOLERANCE', 'check']


class Checker(FindStep, TraceStep, NumericalStep, CompareStep, DiagnoseStep, AttributeStep, ExplainStep):
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
