"""The units of a file: every backward function the learner writes, checked on its own — a layer's or
an activation's forward and backward pair, a loss with its gradient, a model object's `loss`, a layer
class's forward and backward methods, and the whole network — found by name among the file's
functions (a forward may come from a helper module beside it), each confirmed by running."""
import ast
from contextlib import contextmanager
import inspect
import re
import signal
import time
from dataclasses import dataclass, field
from typing import Any, Optional

import bpm_find
import bpm_layouts
import bpm_load
import bpm_network
from bpm_report import Abort, Failed, NotChecked, NotWritten
from bpm_state import NetworkCheck, UnitCheck
import bpm_unitcheck


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

    def as_json(self):
        forward = f"the course's {_name(self.forward)}" if self.reference else _name(self.forward)
        return {'function': self.function, 'forward': forward, 'kind': self.kind,
                'convention': self.convention, 'line': self.line, 'endLine': self.end_line, 'status': self.status,
                'reason': self.reason, 'scaling': self.scaling, 'gradients': self.gradients}


def _name(fn):
    return getattr(fn, '__name__', None) if fn is not None else None


# Backward functions that belong to a whole network, never a component's pair.
_NETWORK_BACKWARD = set(bpm_find.NAMES['backward2']) | set(bpm_find.NAMES['backwardL']) | {
    'full_backward_propagation', 'backward_propagation_n', 'backward_propagation_with_dropout',
    'backward_propagation_with_regularization'}
_BACKWARD = re.compile(r'^(?P<base>\w+?)_backward(?P<suffix>_naive|_alt|_fast|_vectorized)?$', re.I)
_LOSS = re.compile(r'^(?:\w+_)?loss(?:_naive|_vectorized|_loop|_vec)?$|^\w+_loss_\w+$', re.I)


def own_functions(fc):
    return {n: f for n, f in bpm_find.visible_functions(fc).items() if f.__code__.co_filename == fc.mark}


def own_classes(fc):
    """name -> class for classes defined in the file (one of their methods is the file's code)."""
    out = {}
    for name, v in fc.ns.items():
        if not inspect.isclass(v):
            continue
        methods = [m for m in vars(v).values() if inspect.isfunction(m)]
        if methods and all(m.__code__.co_filename == fc.mark for m in methods):
            out[name] = v
    return out


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
    (whose backward functions are theirs)."""
    visible = bpm_find.visible_functions(fc)
    taken = {id(n['backward']) for n in networks}
    units = []
    for name, fn in own_functions(fc).items():
        if id(fn) in taken or name.lower() in _NETWORK_BACKWARD or name.startswith('_'):
            continue
        line, end = _span(fc, fn)
        fwd = _pair_forward(name, visible)
        reference = fwd is None and name in bpm_layouts.REFERENCE_FORWARDS and _params(fn)[1:2] == ['cache']
        if reference:
            fwd = bpm_layouts.REFERENCE_FORWARDS[name]
        if fwd is not None:
            kind = 'activation' if fwd.__name__.lower() == name.lower().replace('_backward', '') or \
                re.match(r'(relu|sigmoid|tanh|leaky_relu|softmax)(_forward)?$', fwd.__name__.lower()) else 'layer'
            units.append(Unit(name, kind, line, end, backward=fn, forward=fwd, reference=reference))
        elif _LOSS.match(name) and 'y' in [p.lower() for p in _params(fn)]:
            units.append(Unit(name, 'loss', line, end, backward=fn))
    for cname, cls in own_classes(fc).items():
        if inspect.isfunction(vars(cls).get('loss')):
            line, end = _class_span(fc, cls, 'loss')
            units.append(Unit(f'{cname}.loss', 'model', line, end, backward=vars(cls)['loss'], cls=cls, weight=2))
        elif inspect.isfunction(vars(cls).get('forward')) and inspect.isfunction(vars(cls).get('backward')):
            line, end = _class_span(fc, cls, 'backward')
            units.append(Unit(f'{cname}.backward', 'method', line, end, backward=vars(cls)['backward'],
                              forward=vars(cls)['forward'], cls=cls))
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
                        network=n, convention=n['convention'], weight=4))
    for fwd, bwd in scalars:
        line, end = _span(fc, bwd)
        out.append(Unit(bwd.__name__, 'layer', line, end, backward=bwd, forward=fwd, convention='scalar'))
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
    """Checks each unit on its own: one's verdict, exception or time-out never stops another's."""
    checks = {'layer': bpm_unitcheck.check_layer, 'activation': bpm_unitcheck.check_layer,
              'loss': bpm_unitcheck.check_loss, 'model': bpm_unitcheck.check_model,
              'method': bpm_unitcheck.check_method}
    deadline = started + fc.timeout_s - RESERVE_S
    nets = []
    for i, unit in enumerate(units):
        left = deadline - time.monotonic()
        share = left * unit.weight / sum(u.weight for u in units[i:])
        fc.reports.unit = unit.function
        first = len(fc.reports.items)
        us = NetworkCheck(fc) if unit.kind == 'network' else UnitCheck(fc)
        us.budget_s = share if len(units) > 1 else None
        try:
            if left <= 0.05:
                raise NotChecked('the time limit was used up by the units before it')
            with _time_limit(share):
                if unit.kind == 'network':
                    nets.append((unit, us))
                    _check_network(us, unit, tree)
                elif unit.convention == 'scalar':
                    bpm_unitcheck.check_scalar(us, unit)
                else:
                    checks[unit.kind](us, unit)
            if unit.kind != 'network':
                unit.status = 'ok' if all(g['status'] == 'ok' for g in unit.gradients) else 'wrong'
                if unit.status == 'wrong' and all(g['status'] in ('ok', 'missing') for g in unit.gradients) and \
                        not any(r['severity'] == 'error' for r in fc.reports.items[first:]):
                    unit.status = 'not-written'
        except NotWritten as e:
            unit.status, unit.reason = 'not-written', str(e)
            then = 'it is checked once it is written' if str(e).startswith(f'`{unit.function}`') else \
                f'`{unit.function}` is checked once that is written'
            fc.reports.add(unit.line, 'info', 'not-written', f'{e}: {then}')
        except NotChecked as e:
            unit.status, unit.reason = 'not-checked', e.reason
            said = {r['line'] for r in fc.reports.items if r['severity'] != 'info'}
            if not any(line in said for line, _ in e.related):  # its cause (a missing module) is reported already
                fc.reports.add(e.line or unit.line, 'info', 'not-checked',
                               f'`{unit.function}` is not checked, because {e.reason}', e.related)
        except Failed:
            unit.status, unit.reason = 'error', 'it raised an exception'
        except bpm_load.CheckTimeout:
            unit.status, unit.reason = 'error', 'it did not finish within its share of the time limit'
            if not any(r['severity'] == 'error' for r in fc.reports.items[first:]):
                fc.reports.add(unit.line, 'error', 'timeout',
                               f'checking `{unit.function}` did not finish within its share ({share:.1f} s) of the time '
                               f'limit of {fc.timeout_s:g} s')
        except BaseException as e:  # noqa: BLE001 — one unit's fault stops that unit only
            if bpm_unitcheck._in_user_code(us, e):  # the user's code, called outside a traced call
                unit.status, unit.reason = 'error', 'it raised an exception'
                try:
                    bpm_unitcheck.user_error(us, e, unit.forward or unit.backward, 'forward', us.dims)
                except (Failed, bpm_load.CheckTimeout):
                    pass
            else:
                unit.status, unit.reason = 'not-checked', f'the checker failed on it ({type(e).__name__}: {e})'
                fc.reports.add(unit.line, 'info', 'not-checked', f'`{unit.function}` is not checked: {unit.reason}')
        finally:
            fc.reports.unit = None
        if unit.kind != 'network':
            unit.called.update(us.called)
            unit.traces = us.trace_bindings
    _attribute(fc, units)
    return nets


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
                                     any(r['code'] == 'not-written' for r in own)):
        unit.status = 'not-written'
    elif any(g['status'] != 'ok' for g in grads) or any(r['severity'] == 'error' for r in own):
        unit.status = 'wrong'
    else:
        unit.status = 'ok'


def _attribute(fc, units):
    """A unit wrong only because it calls another unit that is wrong on its own (linear_activation_backward
    calling a wrong relu_backward) points there, and its own reports go; a component's report at a line
    where a whole network already reports is that one report."""
    wrong = {(u.backward.__code__.co_name, u.backward.__code__.co_firstlineno): u for u in units
             if u.kind != 'network' and u.status in ('wrong', 'error') and u.backward is not None}
    drop = set()
    for u in units:
        if u.kind == 'network' or u.status not in ('wrong', 'error'):
            continue
        callees = [v for key, v in wrong.items() if v is not u and key in u.called]
        if not callees:
            continue
        v = callees[0]
        at = next((r['line'] for r in fc.reports.items if r.get('unit') == v.function and r['severity'] == 'error'), v.line)
        u.reason = f'it calls `{v.function}`, which is wrong on its own (line {at})'
        for g in u.gradients:
            if g['status'] != 'ok':
                g['hint'] = f'spoiled by `{v.function}`, which it calls and which is wrong (line {at})'
        drop.update(id(r) for r in fc.reports.items if r.get('unit') == u.function and r['severity'] == 'error')
    network_lines = {r['line'] for r in fc.reports.items
                     if r['severity'] in ('error', 'warning') and any(r.get('unit') == u.function for u in units
                                                                    if u.kind == 'network')}
    for r in fc.reports.items:
        unit = next((u for u in units if u.function == r.get('unit')), None)
        if unit is not None and unit.kind != 'network' and r['severity'] in ('error', 'warning') and \
                r['line'] in network_lines:
            drop.add(id(r))
    fc.reports.items[:] = [r for r in fc.reports.items if id(r) not in drop]
