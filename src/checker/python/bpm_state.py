"""The state of a check, explicit: what the whole file gives every unit (FileCheck), what running a
unit's code under trace adds to (UnitCheck), and what the whole-network unit's steps read and add to
(NetworkCheck). The steps are functions of these; their order reads in bpm_check, bpm_units and
bpm_network."""
from dataclasses import dataclass, field
from typing import Any, Callable, Optional


@dataclass
class FileCheck:
    """One check of one file's text."""
    text: str
    file: str                    # the file's name, in messages
    mark: str                    # the co_filename of the file's own code (tells it from libraries')
    settings: dict               # functions named by the settings: {'forward': …, 'backward': …}
    timeout_s: float
    progress: Callable[..., None]
    src: Any = None              # bpm_source.Source of the parsed text
    reports: Any = None          # bpm_report.Reports, shared by every unit
    ns: Optional[dict] = None    # the loaded namespace (definitions only)
    skipped: Optional[dict] = None  # names only script code sets -> its line
    ns_unasserted: Optional[dict] = None  # the namespace loaded again without the file's asserts, once needed
    # (file, name, first line) of the functions a unit ran without fault on inputs of consistent shapes (its
    # forward; its backward too when right): a shape error inside one is in what its caller gives it. Shared
    # by the checked file and its helper modules.
    verified: set = field(default_factory=set)
    log_eps: float = 0.0         # the largest ε added inside a logarithm in the file or its helper modules


@dataclass
class UnitCheck:
    """One unit of a check: the user's functions it runs under trace, and what the tracer saw."""
    file: FileCheck
    fn: dict = field(default_factory=dict)       # 'forward', 'backward', 'init', 'cost' -> function or None
    dims: Any = None                             # names of the sizes in messages (bpm_source.Dims, SizeNames)
    unwritten: list = field(default_factory=list)  # (name, node) of terms left as `...`
    waits_for_unwritten: bool = False            # the run stopped at a term not written yet
    trace_bindings: list = field(default_factory=list)  # (name, line, function, shape) of traced assignments
    called: dict = field(default_factory=dict)   # (function name, first line) -> calls seen by the tracer
    reached: set = field(default_factory=set)    # (file, function name, first line) of other files' functions it calls
    budget_s: Optional[float] = None             # its share of the time limit, when other units share it
    stopped: Any = None                          # the report of the file's own assert that stopped a run

    # What the file gives every unit, read through.
    text = property(lambda self: self.file.text)
    mark = property(lambda self: self.file.mark)
    settings = property(lambda self: self.file.settings)
    timeout_s = property(lambda self: self.file.timeout_s)
    progress = property(lambda self: self.file.progress)
    src = property(lambda self: self.file.src)
    reports = property(lambda self: self.file.reports)
    ns = property(lambda self: self.file.ns)
    skipped = property(lambda self: self.file.skipped)
    verified = property(lambda self: self.file.verified)
    log_eps = property(lambda self: self.file.log_eps)


@dataclass
class NetworkCheck(UnitCheck):
    """The whole-network unit: the notes' forward and backward pass of a whole network, checked against
    central differences of the binary cross-entropy of the user's own forward."""
    convention: Optional[str] = None             # 'two-layer' | 'three-layer' | 'L-layer'
    grad_keys: list = field(default_factory=list)  # the keys of the returned gradients
    failure: Any = None                          # what stopped a run that is not the primary one (bpm_trace._Failed)
    # The unit's part of the CheckResult.
    result: dict = field(default_factory=lambda: {'convention': None, 'dims': {}, 'gradients': [], 'functions': [],
                                                  'traces': []})
