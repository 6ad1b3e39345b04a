"""The result of a check as it crosses to the editor and the command line (CheckResult in
src/checker/types.ts): every report, gradient entry and result is built here, by the check and by the
server alike, and every report code is one of CODES, which a test holds against TypeScript's CheckCode."""
from bpm_measure import TOLERANCE


# Every report code, the `code` of a diagnostic in the editor; keep in step with CHECK_CODES in types.ts.
CODES = (
    # a returned gradient against its numerical one
    'gradient-value', 'gradient-shape', 'gradient-none', 'gradient-type', 'gradient-not-finite', 'missing-gradient',
    'missing-keepdims', 'wrong-axis', 'missing-axis', 'missing-sum', 'missing-1-over-m', 'extra-1-over-m', 'wrong-m',
    'factor-2', 'factor-4', 'sign-flipped', 'transposed-product', 'broadcast-instead-of-matmul', 'wrong-factor', 'wrong-layer',
    'l2-term', 'mask-from-dout', 'wrong-intermediate', 'latent-n_y-1',
    # the cost function
    'cost-mismatch', 'cost-shape',
    # the user's code raised, hung or was stopped
    'exception', 'recursion', 'timeout', 'crash', 'memory', 'input-called', 'sys-exit', 'forbidden',
    # setting the check up
    'not-written', 'not-loaded', 'needs-script-state', 'load-failed', 'ipython-syntax', 'unbound-argument',
    'forward-output', 'backward-output', 'init-output', 'init-shape', 'examples-in-rows', 'low-precision',
    'not-checked',
    # the file as a whole, and the server
    'syntax-error', 'file-too-large', 'nothing-to-check', 'cancelled', 'internal-error',
)
_CODES = frozenset(CODES)
SEVERITIES = ('error', 'warning', 'info')


def report(line, column, end_column, severity, code, message, related=(), fix=None):
    """One report at a 1-based line, columns [column, end_column); `related` is (line, message) pairs, or
    (line, message, file) for a location in a helper module (its path from the checked file's folder)."""
    if code not in _CODES or severity not in SEVERITIES:
        raise ValueError(f'report code {code!r} / severity {severity!r} is not in the schema')
    r = {'line': int(line), 'column': int(column), 'endColumn': int(end_column), 'severity': severity, 'code': code,
         'message': message, 'related': [_location(*x) for x in related]}
    if fix:
        r['fix'] = fix
    return r


def _location(line, message, file=None):
    return {'line': int(line), 'message': message, **({'file': file} if file else {})}


def empty_result(file_name):
    return {'file': file_name, 'convention': None, 'dims': {}, 'tolerance': TOLERANCE,
            'gradients': [], 'reports': [], 'functions': [], 'traces': [], 'units': []}


def failure(file_name, code, message, line=1):
    """A result that is one error report at the start of a line: nothing could be checked."""
    result = empty_result(file_name)
    result['reports'].append(report(line, 1, 2, 'error', code, message))
    return result
