"""The derivation check of one file: parsed, loaded definitions-only, then each unit checked — today
the whole network, the user's backward pass against central differences of the true binary
cross-entropy of the user's own forward, located at the user's lines and explained where it can be."""
import time

import numpy as np

import bpm_find
from bpm_find import _parse_skipping_magics
import bpm_load
from bpm_measure import TOLERANCE
import bpm_units
import bpm_numerical
from bpm_numerical import EPS
from bpm_report import Abort, Reports
import bpm_schema
from bpm_source import Source, log_epsilon
from bpm_state import FileCheck, NetworkCheck


# Parsing and loading take about 1 s per million characters on a busy machine: far beyond any real
# exercise file, well within the default time limit.
MAX_CHARS = 1_000_000


CheckTimeout = bpm_load.CheckTimeout  # raised by the time limit's signal inside the user's code


# The names the server and the tests use.
__all__ = ['Checker', 'CheckTimeout', 'EPS', 'TOLERANCE', 'check']


def _run(fc, result):
    """The steps of a check: refuse what cannot be read, parse, load; find the units; check each."""
    started = time.monotonic()
    if len(fc.text) > MAX_CHARS:
        lines = fc.text.count('\n') + 1
        result['reports'].append(bpm_schema.report(
            1, 1, 2, 'error', 'file-too-large',
            f'the file has {len(fc.text) / 1e6:.1f} million characters ({lines} lines); the checker reads '
            f'files of up to {MAX_CHARS // 1000000} million (parsing more would not finish within the time '
            f'limit): put the forward and backward pass in a file of their own — nothing was checked'))
        return
    fc.progress('parsing the file')
    magics, runs = [], {}
    try:
        tree = _parse_skipping_magics(fc.text, fc.file, magics, runs)
    except SyntaxError as e:
        line = e.lineno or 1
        col = max(1, e.offset or 1)
        result['reports'].append(bpm_schema.report(line, col, col + 1, 'error', 'syntax-error',
                                                   f'syntax error: {e.msg} — nothing was checked'))
        return
    except (ValueError, RecursionError, MemoryError) as e:  # null bytes, absurd nesting
        result['reports'].append(bpm_schema.report(
            1, 1, 2, 'error', 'syntax-error',
            f'the file cannot be read as Python ({type(e).__name__}: {e}) — nothing was checked'))
        return
    fc.src = Source(fc.text, tree)
    fc.reports = Reports(fc.src)
    result['reports'] = fc.reports.items
    for line, what in magics:
        fc.reports.add(line, 'warning', 'ipython-syntax',
                       f'`{what}` is Jupyter/IPython syntax, not Python (`python` stops here with a syntax '
                       f'error); the check skipped the line — delete it or make it a comment')
    try:
        bpm_find.load_file(fc, tree, runs)
        networks, scalars, found = bpm_find.network_pairs(fc)
    except Abort:
        return
    fc.log_eps = log_epsilon([tree] + [t for _, t in bpm_load.helper_sources.values()])
    units = bpm_units.find_units(fc, networks, scalars)
    if not units:
        fc.reports.add(1, 'info', 'nothing-to-check', bpm_find.NOTHING_TO_CHECK + (f'; found only `{found}`' if found else '')
                       + '. Name other functions in a comment: `# backprop-map: forward=my_forward backward=my_backward`')
        return
    nets = bpm_units.check_all(fc, tree, units, started)
    if nets:  # the first whole network's results are the file's, as they always were
        net = nets[0][1]
        for key in ('convention', 'dims', 'gradients', 'functions', 'traces'):
            result[key] = net.result[key]
    _add_unit_functions(fc, result, units)
    # The file's own units in its order, then those of each helper module it uses, in the module's.
    result['units'] = [u.as_json() for u in sorted(units, key=lambda u: (u.file is not None, u.file or '', u.line))]


def _add_unit_functions(fc, result, units):
    """The components' functions and traces, for hovers and inlay hints where a whole network did not
    already trace them (its sizes are the ones its hovers show)."""
    listed = {f['name'] for f in result['functions']}
    traced = {t['function'] for t in result['traces']}
    for u in units:
        if u.kind == 'network' or u.file is not None:
            continue
        for role, fn in (('backward', u.backward), ('forward', u.forward)):
            if fn is None or fn.__code__.co_filename != fc.mark or fn.__name__ in listed:
                continue
            listed.add(fn.__name__)
            node = fc.src.function_node(fn.__code__.co_name, fn.__code__.co_firstlineno)
            first = fn.__code__.co_firstlineno
            result['functions'].append({'name': fn.__name__, 'role': role, 'line': node.lineno if node else first,
                                        'endLine': node.end_lineno if node else first})
        new = [t for t in u.traces if t[2] not in traced]  # a function once, as the first unit traced it
        for name, line, function, shape in new:
            result['traces'].append({'name': name, 'line': line, 'function': function,
                                     'shape': list(shape) if shape is not None else None, 'symbolicShape': None})
        traced.update(t[2] for t in new)


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


class Checker:
    """One check of one file's text, as an object: `run()` gives its CheckResult."""

    def __init__(self, text, file_name, functions, timeout_s, progress):
        self.file = FileCheck(text=text, file=file_name, mark=file_name, settings=functions or {},
                              timeout_s=timeout_s, progress=progress)

    def run(self):
        result = bpm_schema.empty_result(self.file.file)
        _run(self.file, result)
        return _finite(result)

    def _make_inputs(self, layer_dims, user_params, attempt):
        """The whole-network unit's random inputs of one attempt (for probes of the kink margin)."""
        return bpm_numerical.make_inputs(NetworkCheck(self.file), layer_dims, user_params, attempt)


def check(text, file_name, functions=None, timeout_s=10.0, progress=lambda phase, line=None: None):
    """Checks one file's text; returns a JSON-compatible CheckResult (without durationMs)."""
    # A byte-order mark (Windows editors write one) is not part of the source; editors do not count it.
    text = text[1:] if text.startswith('\ufeff') else text
    return Checker(text, file_name, functions, timeout_s, progress).run()
