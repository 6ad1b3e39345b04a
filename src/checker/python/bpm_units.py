"""The units of a file: every backward function the learner writes, checked on its own — a layer's or
an activation's forward and backward pair, a loss with its gradient, a model object's `loss`, a layer
class's forward and backward methods, and the whole network — found by name among the file's
functions (a forward may come from a helper module beside it), each confirmed by running. Over
400 lines: the name patterns of every kind of unit and the loop that runs them are one table read
together (a pair claimed by one kind must not be claimed by another)."""
import ast
from contextlib import contextmanager
import inspect
import os
import re
import signal
import time
from dataclasses import dataclass, field
from typing import Any, Optional

import bpm_find
import bpm_layouts
import bpm_load
import bpm_network
from bpm_report import Abort, Failed, NotChecked, NotWritten, Reports
from bpm_source import Source
from bpm_state import FileCheck, NetworkCheck, UnitCheck
import bpm_trace
import bpm_unitcheck
import bpm_unitkinds
import bpm_usercall


@dataclass
class Unit:
    """One checked function and its verdict (CheckUnit in types.ts)."""
    function: str                 # 'linear_backward', 'TwoLayerNet.loss', 'L_model_backward'
    kind: str                     # 'layer' | 'activation' | 'loss' | 'model' | 'network' | 'method'
    line: int                     # the checked function's def line, and its last line
    end_line: int
    backward: Any = None          # the checked function (a model's `loss`, a class's `backward`)
    forward: Any = None           # its forward, where it has one
    cls: Any = None               # for models and layer classes
    network: Any = None           # for the whole network: its fn dict (forward, backward, init, cost, …)
    convention: Optional[str] = None
    status: str = 'ok'            # 'ok' | 'wrong' | 'not-written' | 'not-checked' | 'error'
    reason: Optional[str] = None  # why not checked, not written, or what failed
    scaling: Optional[str] = None
    gradients: list = field(default_factory=list)
    called: dict = field(default_factory=dict)   # (function name, first line) -> calls, as traced
    traces: list = field(default_factory=list)   # (name, line, function, shape) of its traced assignments
    weight: int = 1               # its share of the time limit, against the others'
    reference: bool = False       # its forward is the course's own, the file having none
    home: Any = None              # the FileCheck of the file it is in: the checked file's, or a helper module's
    reached: set = field(default_factory=set)    # (file, function name, first line) of every function it calls

    @property
    def file(self):
        """The helper module it is in, as a path from the checked file's folder; None in the checked file."""
        return self.home.reports.file if self.home is not None else None

    def as_json(self):
        forward = f"the course's {_name(self.forward)}" if self.reference else _name(self.forward)
        out = {'function': self.function, 'forward': forward, 'kind': self.kind,
               'convention': self.convention, 'line': self.line, 'endLine': self.end_line, 'status': self.status,
               'reason': self.reason, 'scaling': self.scaling, 'gradients': self.gradients}
        if self.file:
            out['file'] = self.file
        return out

    def place(self, line):
        """A line of its file as a message names it: `line 76`, or in a helper module `dnn_utils.py:76`."""
        return f'{self.file}:{line}' if self.file else f'line {line}'


def _name(fn):
    return getattr(fn, '__name__', None) if fn is not None else None


# Backward functions that belong to a whole network, never a component's pair.
_NETWORK_BACKWARD = set(bpm_find.NAMES['backward2']) | set(bpm_find.NAMES['backwardL']) | {
    'full_backward_propagation', 'backward_propagation_n', 'backward_propagation_with_dropout',
    'backward_propagation_with_regularization'}
_BACKWARD = re.compile(r'^(?P<base>\w+?)_backward(?P<suffix>_naive|_alt|_fast|_vectorized)?$', re.I)
_LOSS = re.compile(r'^(?:\w+_)?loss(?:_naive|_vectorized|_loop|_vec)?$|^\w+_loss_\w+$', re.I)


def own_functions(fc, ns=None):
    """name -> function for the functions defined in the file of `fc` that `ns` (the file's namespace)
    holds."""
    return {n: f for n, f in (fc.ns if ns is None else ns).items()
            if inspect.isfunction(f) and f.__code__.co_filename == fc.mark}


def own_classes(fc, ns=None):
    """name -> class for classes defined in the file (one of their methods is the file's code)."""
    out = {}
    for name, v in (fc.ns if ns is None else ns).items():
        if not inspect.isclass(v):
            continue
        methods = [m for m in vars(v).values() if inspect.isfunction(m)]
        if methods and all(m.__code__.co_filename == fc.mark for m in methods):
            out[name] = v
    return out


def _helper_homes(fc):
    """The helper modules beside the file whose functions or classes the file's own code names (`from
    dnn_utils import relu_backward`, then `relu_backward(dA, cache)`): (its FileCheck, whose namespace is
    the module's, and the names the file uses of it) for each. Their units are checked and reported at
    their own lines."""
    used = {n.id for n in ast.walk(fc.src.tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    folder = bpm_load.checked_folder()
    homes = {}
    for name, v in fc.ns.items():
        fn = v if inspect.isfunction(v) else \
            next((m for m in vars(v).values() if inspect.isfunction(m)), None) if inspect.isclass(v) else None
        origin = fn.__code__.co_filename if fn is not None else None
        if name not in used or origin not in bpm_load.helper_sources or origin == fc.mark or folder is None:
            continue
        if origin not in homes:
            text, tree = bpm_load.helper_sources[origin]
            src = Source(text, tree)
            rel = os.path.relpath(origin, folder).replace(os.sep, '/')
            homes[origin] = (FileCheck(text=text, file=rel, mark=origin, settings={}, timeout_s=fc.timeout_s,
                                       progress=fc.progress, src=src, reports=Reports(src, fc.reports.items, rel),
                                       ns=fn.__globals__, skipped={}, verified=fc.verified, log_eps=fc.log_eps), {})
        homes[origin][1][name] = v
    return list(homes.values())


def _span(fc, fn):
    node = fc.src.function_node(fn.__code__.co_name, fn.__code__.co_firstlineno)
    first = fn.__code__.co_firstlineno
    return (node.lineno, node.end_lineno or node.lineno) if node is not None else (first, first)


def _class_span(fc, cls, method):
    for node in ast.walk(fc.src.tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)) and sub.name == method:
                    return sub.lineno, sub.end_lineno or sub.lineno
            return node.lineno, node.end_lineno or node.lineno
    return 1, 1


def _pair_forward(name, visible):
    """The forward of a component backward by the courses' names: `affine_backward` → `affine_forward`,
    `conv_backward_naive` → `conv_forward_naive`, `relu_backward` → `relu_forward` or the activation
    `relu`, `single_layer_backward_propagation` → `single_layer_forward_propagation`."""
    lower = {n.lower(): n for n in visible}
    low = name.lower()
    if low.startswith('single_layer_backward'):
        cand = [low.replace('backward', 'forward')]
    else:
        mt = _BACKWARD.match(name)
        if mt is None:
            return None
        base, suffix = mt.group('base').lower(), (mt.group('suffix') or '').lower()
        cand = [f'{base}_forward{suffix}', f'{base}_forward', f'{base}_forward_naive', f'{base}_forward_fast', base]
    for c in cand:
        if c in lower and c != low:
            return visible[lower[c]]
    return None


def discover(fc, networks):
    """The component units of the file, in file order, beside the whole-network units `networks`
    (whose backward functions are theirs); then those of the helper modules the file uses, each in its
    module's order."""
    visible = bpm_find.visible_functions(fc)
    units = _components(fc, fc.ns, visible, {id(n['backward']) for n in networks})
    for home, used in _helper_homes(fc):
        # Its forward may be in the module (`relu` beside `relu_backward`) though the file imports only the backward.
        units += _components(home, used, dict(visible, **own_functions(home)), set())
    return units


def _components(home, ns, visible, taken):
    """The component units among the functions and classes `ns` holds of the file of `home`."""
    units = []
    for name, fn in own_functions(home, ns).items():
        if id(fn) in taken or name.lower() in _NETWORK_BACKWARD or name.startswith('_'):
            continue
        line, end = _span(home, fn)
        fwd = _pair_forward(name, visible)
        reference = fwd is None and name in bpm_layouts.REFERENCE_FORWARDS and _params(fn)[1:2] == ['cache']
        if reference:
            fwd = bpm_layouts.REFERENCE_FORWARDS[name][0]
        if fwd is not None:
            kind = 'activation' if fwd.__name__.lower() == name.lower().replace('_backward', '') or \
                re.match(r'(relu|sigmoid|tanh|leaky_relu|softmax)(_forward)?$', fwd.__name__.lower()) else 'layer'
            units.append(Unit(name, kind, line, end, backward=fn, forward=fwd, reference=reference, home=home))
        elif _LOSS.match(name) and 'y' in [p.lower() for p in _params(fn)]:
            units.append(Unit(name, 'loss', line, end, backward=fn, home=home))
    for cname, cls in own_classes(home, ns).items():
        if inspect.isfunction(vars(cls).get('loss')):
            # The book's models compute their gradients in `gradient(x, t)`, their `loss` returns the loss only.
            method = 'gradient' if inspect.isfunction(vars(cls).get('gradient')) else 'loss'
            line, end = _class_span(home, cls, method)
            units.append(Unit(f'{cname}.{method}', 'model', line, end, backward=vars(cls)[method], cls=cls, weight=2,
                              home=home))
        elif inspect.isfunction(vars(cls).get('forward')) and inspect.isfunction(vars(cls).get('backward')):
            line, end = _class_span(home, cls, 'backward')
            units.append(Unit(f'{cname}.backward', 'method', line, end, backward=vars(cls)['backward'],
                              forward=vars(cls)['forward'], cls=cls, home=home))
    units.sort(key=lambda u: u.line)
    return units


def _params(fn):
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return []


def _networks(fc, networks, scalars):
    out = []
    for n in networks:
        line, end = _span(fc, n['backward'])
        out.append(Unit(n['backward'].__name__, 'network', line, end, backward=n['backward'], forward=n['forward'],
                        network=n, convention=n['convention'], weight=4, home=fc))
    for fwd, bwd in scalars:
        line, end = _span(fc, bwd)
        out.append(Unit(bwd.__name__, 'layer', line, end, backward=bwd, forward=fwd, convention='scalar', home=fc))
    return out


def find_units(fc, networks, scalars):
    """Every unit of the file: the whole networks first, then the components in file order."""
    return sorted(_networks(fc, networks, scalars), key=lambda u: u.line) + discover(fc, networks)


# -- checking every unit on its own, each within its share of the time limit
RESERVE_S = 0.4   # kept back from the time limit for reporting, however long the units take


@contextmanager
def _time_limit(seconds):
    """CheckTimeout after `seconds` of this unit (SIGALRM; the server's own limit stays behind it)."""
    def on_alarm(signum, frame):
        raise bpm_load.CheckTimeout()
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.05))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def check_all(fc, tree, units, started):
    """Checks each unit on its own: one's verdict, exception or time-out never stops another's. The
    components go first: a whole network's shape error inside a function they ran right is put at the
    call that feeds it (st.verified). The reports stay in the units' order."""
    checks = {'layer': bpm_unitcheck.check_layer, 'activation': bpm_unitcheck.check_layer,
              'loss': bpm_unitkinds.check_loss, 'model': bpm_unitkinds.check_model,
              'method': bpm_unitkinds.check_method}
    deadline = started + fc.timeout_s - RESERVE_S
    nets = []
    before = len(fc.reports.items)
    notes = []  # (the not-checked note of a unit, the (file, line)s of its cause)
    of_unit = {}  # id(report) -> the index of the unit that made it, in `units`
    order = sorted(range(len(units)), key=lambda i: units[i].kind == 'network')
    for n, i in enumerate(order):
        unit = units[i]
        left = deadline - time.monotonic()
        share = left * unit.weight / sum(units[j].weight for j in order[n:])
        home = unit.home or fc
        reports = home.reports
        reports.unit = unit.function
        first = len(fc.reports.items)
        us = NetworkCheck(fc) if unit.kind == 'network' else UnitCheck(home)
        us.budget_s = share if len(units) > 1 else None
        try:
            if left <= 0.05:
                raise NotChecked('the time limit was used up by the units before it')
            with _time_limit(share):
                if unit.kind == 'network':
                    nets.append((unit, us))
                    _check_network(us, unit, tree)
                elif unit.convention == 'scalar':
                    bpm_unitkinds.check_scalar(us, unit)
                else:
                    checks[unit.kind](us, unit)
            if unit.kind != 'network':
                bpm_trace.fold_assert(us, unit.gradients)
                unit.status = 'ok' if all(g['status'] == 'ok' for g in unit.gradients) else 'wrong'
                if unit.status == 'wrong' and all(g['status'] in ('ok', 'missing') for g in unit.gradients) and \
                        not any(r['severity'] == 'error' for r in fc.reports.items[first:]):
                    unit.status = 'not-written'
        except NotWritten as e:
            unit.status, unit.reason = 'not-written', str(e)
            then = 'it is checked once it is written' if str(e).startswith(f'`{unit.function}`') else \
                f'`{unit.function}` is checked once that is written'
            reports.add(unit.line, 'info', 'not-written', f'{e}: {then}')
            _note_unwritten(home, e.function, unit, f'{e}: {then}')
        except NotChecked as e:
            unit.status, unit.reason = 'not-checked', e.reason
            notes.append((reports.add(e.line or unit.line, 'info', 'not-checked',
                                      f'`{unit.function}` is not checked, because {e.reason}', e.related),
                          {(unit.file, x[0]) for x in e.related}))
        except Failed:
            unit.status, unit.reason = 'error', 'it raised an exception'
        except bpm_load.CheckTimeout:
            unit.status, unit.reason = 'error', 'it did not finish within its share of the time limit'
            if not any(r['severity'] == 'error' for r in fc.reports.items[first:]):
                reports.add(unit.line, 'error', 'timeout',
                            f'checking `{unit.function}` did not finish within its share ({share:.1f} s) of the time '
                            f'limit of {fc.timeout_s:g} s')
        except BaseException as e:  # noqa: BLE001 — one unit's fault stops that unit only
            if bpm_usercall.in_user_code(us, e):  # the user's code, called outside a traced call
                unit.status, unit.reason = 'error', 'it raised an exception'
                try:
                    bpm_usercall.user_error(us, e, unit.forward or unit.backward, 'forward', us.dims)
                except (Failed, bpm_load.CheckTimeout):
                    pass
            else:
                unit.status, unit.reason = 'not-checked', f'the checker failed on it ({type(e).__name__}: {e})'
                reports.add(unit.line, 'info', 'not-checked', f'`{unit.function}` is not checked: {unit.reason}')
        finally:
            reports.unit = None
        if unit.kind != 'network':
            unit.called.update(us.called)
            unit.traces = us.trace_bindings
            if unit.status == 'ok':
                fc.verified.add(_key(unit.backward))
        unit.reached = us.reached | {(home.mark, *key) for key in unit.called}
        of_unit.update((id(r), i) for r in fc.reports.items[first:])
    fc.reports.items[before:] = sorted(fc.reports.items[before:], key=lambda r: of_unit.get(id(r), -1))
    # A note whose cause (a missing module) another unit reports already goes.
    said = {(r.get('file'), r['line']) for r in fc.reports.items if r['severity'] != 'info'}
    needless = {id(note) for note, lines in notes if lines & said}
    fc.reports.items[:] = [r for r in fc.reports.items if id(r) not in needless]
    _attribute(fc, units)
    return nets


def _note_unwritten(home, code, unit, message):
    """The note of a function not written yet that a unit needs (its forward), at that function too."""
    if code is None or code.co_filename != home.mark or unit.backward is None or code is unit.backward.__code__:
        return
    node = home.src.function_node(code.co_name, code.co_firstlineno)
    line = node.lineno if node is not None else code.co_firstlineno
    if not any(r['code'] == 'not-written' and r['line'] == line and r.get('file') == home.reports.file
               for r in home.reports.items):
        home.reports.add(line, 'info', 'not-written', message)


def _check_network(net, unit, tree):
    net.fn = {k: v for k, v in unit.network.items() if k != 'convention'}
    net.convention = unit.network['convention']
    try:
        bpm_network.check(net, tree)
    except Abort:
        pass
    unit.convention = net.convention
    unit.called = dict(net.called)
    grads = net.result['gradients']
    unit.gradients = grads
    own = [r for r in net.reports.items if r.get('unit') == unit.function]
    if grads and all(g['status'] == 'error' for g in grads):
        unit.status = 'error'
        unit.reason = next((r['message'] for r in own if r['severity'] == 'error'), None)
    elif net.waits_for_unwritten or (grads and all(g['status'] in ('ok', 'missing') for g in grads) and
                                     any(r['code'] == 'not-written' and (r.get('term') or unit.line <= r['line'] <=
                                                                         unit.end_line) for r in own)):
        unit.status = 'not-written'
    elif any(g['status'] != 'ok' for g in grads) or any(r['severity'] == 'error' for r in own):
        unit.status = 'wrong'
    else:
        unit.status = 'ok'


def _key(fn):
    return (fn.__code__.co_filename, fn.__code__.co_name, fn.__code__.co_firstlineno)


def _attribute(fc, units):
    """A unit wrong only because it calls another unit that is wrong on its own (linear_activation_backward
    calling a wrong relu_backward, in the file or in a helper module) points there, and its own reports
    go; a whole network's reports say which such unit they depend on; a component's report at a line
    where a whole network already reports is that one report."""
    wrong = {_key(u.backward): u for u in units
             if u.kind != 'network' and u.status in ('wrong', 'error') and u.backward is not None}
    callees = {id(u): [v for key, v in wrong.items() if v is not u and key in u.reached] for u in units}
    spoiled = {id(u) for u in units if callees[id(u)]}
    drop = set()
    for u in units:
        if u.status not in ('wrong', 'error') or not callees[id(u)]:
            continue
        # The one wrong on its own, past those wrong only through another.
        v = next((v for v in callees[id(u)] if id(v) not in spoiled), callees[id(u)][0])
        at = next((r['line'] for r in fc.reports.items if r.get('unit') == v.function and r.get('file') == v.file
                   and r['severity'] == 'error'), v.line)
        where = v.place(at)
        if u.kind == 'network':
            _point_network(fc, u, v, at, where)
            continue
        u.reason = f'it calls `{v.function}`, which is wrong on its own ({where})'
        for g in u.gradients:
            if g['status'] != 'ok':
                g['hint'] = f'spoiled by `{v.function}`, which it calls and which is wrong ({where})'
        drop.update(id(r) for r in fc.reports.items if r.get('unit') == u.function and r['severity'] == 'error')
    network_lines = {r['line'] for r in fc.reports.items
                     if r['severity'] in ('error', 'warning') and any(r.get('unit') == u.function for u in units
                                                                    if u.kind == 'network')}
    for r in fc.reports.items:
        unit = next((u for u in units if u.function == r.get('unit') and u.file == r.get('file')), None)
        if unit is not None and unit.kind != 'network' and unit.file is None and \
                r['severity'] in ('error', 'warning') and r['line'] in network_lines:
            drop.add(id(r))
    fc.reports.items[:] = [r for r in fc.reports.items if id(r) not in drop]


def _point_network(fc, net, v, at, where):
    """A whole network that calls a unit wrong on its own: its reason says so, and each of its errors at a
    line that calls that unit names it there (the error may come from it, or be the network's own)."""
    net.reason = f'it calls `{v.function}`, which is wrong on its own ({where})'
    name = v.backward.__name__
    for r in fc.reports.items:
        if r.get('unit') != net.function or r['severity'] != 'error' or 'file' in r or \
                (v.file is None and r['line'] == at):
            continue
        stmt = fc.src.stmt_at(r['line'])
        if stmt is not None and any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name
                                    for n in ast.walk(stmt)):
            r['message'] += f' — `{v.function}`, which this line calls, is wrong on its own ({where})'
            r['related'].append({'line': at, 'message': f'`{v.function}` is wrong here',
                                 **({'file': v.file} if v.file else {})})
