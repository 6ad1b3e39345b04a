"""What every step of a check shares: the reports at the user's lines, the stop after a reported
fault, and the wording of values and lists in them."""
import numpy as np

import bpm_schema
from bpm_source import fmt_shape, shape_of


class Abort(Exception):
    """Stops a run after its fault was reported."""


class NotChecked(Exception):
    """The unit cannot be set up; the message says why (an information note, never the user's error)."""

    def __init__(self, reason, line=None, related=()):
        super().__init__(reason)
        self.reason, self.line, self.related = reason, line, list(related)


class ForwardFailed(NotChecked):
    """A unit's forward raised on every layout the checker tried."""


class NotWritten(Exception):
    """The unit (or the forward it needs) is not written yet; `function` is the code object of the function
    that is not (its own note goes there, when it is another than the unit's)."""

    def __init__(self, reason, function=None):
        super().__init__(reason)
        self.function = function


class Failed(Exception):
    """The user's code raised inside the unit; its report is made."""


class Reports:
    """The reports of a check at the lines of one file: the checked file's, or (`file`, its path from the
    checked file's folder) a helper module's whose units the checked file uses; all go to one list."""

    def __init__(self, src, items=None, file=None):
        self.src = src
        self.items = [] if items is None else items
        self.file = file
        self.unit = None  # the function name of the unit being checked: each report names it

    def add(self, line, severity, code, message, related=(), fix=None, node=None):
        line = max(1, int(line or 1))
        col, end = self.src.node_span(node) if node is not None else self.src.span(line)
        # A location of the same file is (line, message); one of the helper module the report is in,
        # from the checked file, says which: (line, message, file).
        related = [(*x[:2], self.file) if self.file and len(x) == 2 else x for x in related]
        r = bpm_schema.report(line, col, end, severity, code, message, related, fix)
        if self.file:
            r['file'] = self.file
        if self.unit is not None:
            r['unit'] = self.unit
        self.items.append(r)
        return r


def _describe(out):
    s = shape_of(out)
    if isinstance(out, np.ndarray):
        return f'an array of shape {fmt_shape(s)}'
    return f'a {type(out).__name__}'


def _join(names):
    names = list(names)
    return names[0] if len(names) == 1 else ', '.join(names[:-1]) + ' and ' + names[-1]
