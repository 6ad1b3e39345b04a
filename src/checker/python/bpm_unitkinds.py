"""Checking the units that are not a layer's backward: a loss with its gradient, a model object's
`loss(X, y)` → (loss, grads), a layer class's `forward`/`backward` methods, and the one-dimensional
warm-up J = forward(x, θ), dJ/dθ = backward(x, θ)."""
import ast
import inspect

import numpy as np

import bpm_layouts
from bpm_layouts import Layout
import bpm_load
from bpm_report import NotChecked, NotWritten, _describe
from bpm_source import SizeNames, fmt_shape, shape_of
import bpm_trace
from bpm_unitcompare import ABSENT, compare_gradients
from bpm_usercall import ATTEMPTS, call_user, float_arrays, fresh_copies, is_stub, numerical_gradients, traced_call


# -- a loss with its gradient
def check_loss(us, unit):
    """`softmax_loss(x, y)` → (loss, dx), `softmax_loss_naive(W, X, y, reg)` → (loss, dW): the gradient
    of the loss in the input it has the shape of."""
    fn = unit.backward
    if is_stub(us.file, fn):
        raise NotWritten(f'`{unit.function}` is not written yet')
    for attempt in range(ATTEMPTS):
        rng = np.random.RandomState(21 + attempt)
        layouts = bpm_layouts.loss_layouts(fn, rng)
        if not layouts:
            raise NotChecked(f'the checker cannot tell what `{fn.__name__}` takes '
                             f'({", ".join(bpm_layouts.param_names(fn))}); it knows (x, y) and (W, X, y, reg)')
        lay = layouts[0]
        us.dims = SizeNames(lay.sizes)
        res, tracer = traced_call(us, fn, [], lay.fresh(), 'loss', again=lambda: ([], lay.fresh()))
        if res is None or (isinstance(res, (tuple, list)) and all(r is None for r in res)):
            raise NotWritten(f'`{unit.function}` is not written yet (it returns {_describe(res)})')
        if not (isinstance(res, (tuple, list)) and len(res) == 2 and np.size(res[0]) == 1):
            raise NotChecked(f'`{fn.__name__}` returns {_describe(res)}, not `(loss, gradient)`')
        grad = res[1]
        order = bpm_layouts.param_names(fn)
        diff = [n for n in float_arrays(lay.args, order) if shape_of(grad) == lay.args[n].shape] or \
            float_arrays(lay.args, order)[:1]

        def f(args):
            return float(np.asarray(call_user(fn, fresh_copies(args))[0], dtype=np.float64))

        numerical, which, kink = numerical_gradients(f, lay.fresh(), diff)
        if not kink:
            break
    else:
        raise NotChecked('every draw of inputs put a kink (a margin of the hinge at 0) within the step of a '
                         'central difference')
    unit.convention = 'rows'
    unit.called.update(tracer.called)
    unit.gradients = compare_gradients(us, unit, [grad], [(diff[0], lay.args[diff[0]])], numerical, which, tracer, lay, None)


# -- a model object: `loss(X, y)` returning (loss, grads) keyed like `self.params`
_CTOR = {'input_dim': lambda s: s['D'], 'input_size': lambda s: s['D'], 'hidden_dim': lambda s: s['H'],
         'hidden_size': lambda s: s['H'], 'hidden_dims': lambda s: [s['H'], s['H2']], 'num_classes': lambda s: s['C'],
         'output_size': lambda s: s['C'], 'weight_scale': lambda s: 0.5, 'std': lambda s: 0.5,
         'weight_init_std': lambda s: 0.5,
         'reg': lambda s: bpm_layouts.REG, 'dtype': lambda s: np.float64, 'seed': lambda s: 0}


def check_model(us, unit):
    """A model object: the gradient of `loss(X, y)` (its first value, where it returns `(loss, grads)`)
    in each entry of `params`, against the `grads` that `loss` returns, or that a `gradient(X, y)` method
    returns (the book's style)."""
    cls = unit.cls
    if is_stub(us.file, unit.backward):
        raise NotWritten(f'`{unit.function}` is not written yet')
    s = bpm_layouts.MODEL
    us.dims = SizeNames(s)
    try:
        ctor = [p for p in inspect.signature(cls).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    except (TypeError, ValueError):
        ctor = []
    kwargs = {}
    for p in ctor:
        if p.name in _CTOR and not (p.name == 'input_dim' and isinstance(p.default, tuple)):
            kwargs[p.name] = _CTOR[p.name](s)
        elif p.default is p.empty:
            raise NotChecked(f'`{cls.__name__}` takes `{p.name}`, which the checker cannot provide (it gives '
                             f'input_dim, hidden_dim(s), num_classes, weight_scale, reg, dtype)')
        elif p.name == 'input_dim':
            raise NotChecked(f'`{cls.__name__}` takes images (input_dim {p.default!r}); the checker builds models of '
                             f'vectors only')
    lparams = bpm_layouts.param_names(vars(cls)['loss'])[1:]
    extra = {'reg': bpm_layouts.REG} if 'reg' in lparams else {}
    for attempt in range(ATTEMPTS):
        rng = np.random.RandomState(31 + attempt)
        if 'seed' in kwargs:
            kwargs['seed'] = attempt
        try:
            model = call_user(cls, dict(kwargs))
        except bpm_load.CheckTimeout:
            raise
        except BaseException as e:  # noqa: BLE001
            info = bpm_trace.explain_exception(us, e, cls.__init__, 'init', us.dims)
            raise NotChecked(f'`{cls.__name__}(…)` raised {type(e).__name__}', related=[(info['line'], info['message'])])
        params = getattr(model, 'params', None)
        if not isinstance(params, dict) or not params:
            raise NotChecked(f'`{cls.__name__}` keeps no `params` dict of arrays')
        # A parameter left a number (`self.params["b1"] = 0`) is differentiated as one.
        numbers = {k for k, v in params.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        base = {k: np.asarray(v, dtype=np.float64).copy() for k, v in params.items()
                if isinstance(v, np.ndarray) or k in numbers}
        X, y = rng.randn(s['N'], s['D']), rng.randint(0, s['C'], size=s['N'])

        def loss_of(values):
            _put(model.params, values, numbers)
            value = _call_positional(model.loss, X.copy(), y.copy(), extra)
            return float(np.asarray(value[0] if isinstance(value, (tuple, list)) else value, dtype=np.float64))

        numerical, which, kink = numerical_gradients(loss_of, {k: v.copy() for k, v in base.items()}, list(base))
        if not kink:
            break
    else:
        raise NotChecked('every draw of inputs put a ReLU pre-activation within the step of a central difference')
    _put(model.params, base, numbers)
    method = getattr(model, unit.backward.__name__)
    res, tracer = traced_call(us, method, [X.copy(), y.copy()], extra if method.__name__ == 'loss' else {}, 'loss')
    unit.called.update(tracer.called)
    grads = res[1] if method.__name__ == 'loss' and isinstance(res, (tuple, list)) and len(res) == 2 else res
    if not isinstance(grads, dict):
        if res is None or (isinstance(res, (tuple, list)) and all(r is None for r in res)):
            raise NotWritten(f'`{unit.function}` is not written yet (it returns {_describe(res)})')
        raise NotChecked(f'`{unit.function}` returns {_describe(res)}, not '
                         f'{"`(loss, grads)`" if method.__name__ == "loss" else "a dict of gradients"}')
    if not grads:
        raise NotWritten(f'`{unit.function}` is not written yet (its grads are empty)')
    unit.convention = 'rows'
    lay = Layout('rows', base, s, 'rows')
    order = list(base)
    got = [grads.get(k, ABSENT) for k in order]
    # Where `loss` stores each gradient (`grads["W2"] += self.reg * W2`), the last time; for a parameter
    # left a number, where the constructor sets it.
    init = us.src.function_node('__init__', cls.__init__.__code__.co_firstlineno) \
        if inspect.isfunction(vars(cls).get('__init__')) else None
    lines = {k: max((l for l in us.src.key_lines(k) if unit.line <= l <= unit.end_line), default=None) for k in order}
    for k in numbers:
        if init is not None:
            lines[k] = min((l for l in us.src.key_lines(k) if init.lineno <= l <= init.end_lineno), default=lines[k])
    unit.gradients = compare_gradients(us, unit, got, [(k, base[k]) for k in order], numerical, which, tracer, lay, None, lines)
    for e in unit.gradients:  # a model's gradients are named by their keys, as `grads` has them
        e['name'] = e['param']


def _put(params, values, numbers):
    """The values into a model's `params`: into its arrays, in place (layers built in the constructor keep
    references to them, as the book's do), a number as a number."""
    for k, v in values.items():
        cur = params.get(k)
        if k in numbers:
            params[k] = float(v)
        elif isinstance(cur, np.ndarray) and cur.shape == v.shape and cur.dtype == np.float64:
            cur[...] = v
        else:
            params[k] = v.copy()


def _call_positional(fn, X, y, extra):
    return call_user(lambda: fn(X, y, **extra), {})


# -- a layer class: `forward(x)` and `backward(dout)`, its parameters' gradients as attributes
def check_method(us, unit):
    """A layer class: `forward(x)` and `backward(dout)`, its parameters' gradients as attributes (`self.dW`);
    a loss class's `forward(x, t)` returns the loss and `backward()` its gradient in x."""
    cls = unit.cls
    if is_stub(us.file, unit.backward):
        raise NotWritten(f'`{unit.function}` is not written yet')
    try:
        ctor = [p for p in inspect.signature(cls).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    except (TypeError, ValueError):
        ctor = []
    fparams = bpm_layouts.param_names(unit.forward)[1:]
    for attempt in range(ATTEMPTS):
        rng = np.random.RandomState(41 + attempt)
        init, fixed, x, extra, sizes = _method_inputs(cls, ctor, unit.forward, fparams, rng)
        us.dims = SizeNames(sizes)
        try:
            y = call_user(lambda: cls(**fresh_copies(init), **fixed).forward(x.copy(), **extra), {})
        except bpm_load.CheckTimeout:
            raise
        except BaseException as e:  # noqa: BLE001
            info = bpm_trace.explain_exception(us, e, unit.forward, 'forward', us.dims)
            raise NotChecked(f'`{cls.__name__}.forward` raised {type(e).__name__} with x {fmt_shape(x.shape)}',
                             related=[(info['line'], info['message'])])
        loss = extra and np.size(y) == 1
        if not loss and (not isinstance(y, np.ndarray) or y.dtype.kind != 'f'):
            if y is None:
                raise NotWritten(f'`{cls.__name__}.forward` is not written yet (it returns None)')
            raise NotChecked(f'`{cls.__name__}.forward` returns {_describe(y)}, not an array')
        dout = np.ones(()) if loss else rng.randn(*y.shape)

        def f(args):
            obj = cls(**{k: args[k].copy() for k in init}, **fixed)
            out = call_user(obj.forward, {fparams[0]: args['x'].copy(), **extra})
            return float(np.sum(np.asarray(out, dtype=np.float64) * dout))

        base = dict(init, x=x.copy())
        numerical, which, kink = numerical_gradients(f, base, ['x'] + list(init))
        if not kink:
            break
    else:
        raise NotChecked('every draw of inputs put a kink within the step of a central difference')
    obj = cls(**fresh_copies(init), **fixed)
    call_user(obj.forward, {fparams[0]: x.copy(), **extra})
    # A loss's backward takes dout = 1 by default.
    given = [] if loss and bpm_layouts.defaults(unit.backward) else [dout.copy()]
    res, tracer = traced_call(us, obj.backward, given, {}, 'backward')
    unit.called.update(tracer.called)
    if res is None:
        raise NotWritten(f'`{unit.function}` is not written yet (it returns None)')
    got = [res] + [getattr(obj, 'd' + k, ABSENT) for k in init]
    convention = 'images' if x.ndim == 4 else 'rows'
    lay = Layout(convention, base, sizes, convention)
    unit.convention = convention
    lines = {k: _attribute_line(us, unit, 'd' + k) for k in init}
    unit.gradients = compare_gradients(us, unit, got, [('x', x)] + [(k, init[k]) for k in init], numerical, which, tracer, lay,
                              None, lines)


_POOL_SIZE = ('pool_h', 'pool_w', 'pool_height', 'pool_width')


def _method_inputs(cls, ctor, forward, fparams, rng):
    """A layer class's inputs from its constructor's and forward's parameter names: (the arrays it is
    built with, its other constructor arguments, x, forward's other arguments, the sizes' names). A
    convolution or pooling class (by its name) takes images; a loss class's forward `(x, t)` labels."""
    name = cls.__name__.lower()
    conv, pool = 'conv' in name, 'pool' in name
    fdefaults = bpm_layouts.defaults(forward)
    labels = [p for p in fparams[1:] if p.lower() in ('t', 'y', 'labels', 'target', 'targets')]
    if not fparams or any(p != fparams[0] and p not in fdefaults and p not in labels for p in fparams):
        raise NotChecked(f'`{cls.__name__}.forward` takes {", ".join(fparams) or "nothing"}; the checker gives it one '
                         f'array (and labels)')
    roles = {p.name: bpm_layouts._role(p.name) for p in ctor}
    if conv or pool:
        s = bpm_layouts.CONV if conv else bpm_layouts.POOL
        sizes = dict(s)
        x = rng.randn(s['N'], s['C'], s['H'], s['W'])
    elif labels:
        s = bpm_layouts.LOSS
        sizes = {'N': s['N'], 'C': s['C']}
        x = rng.randn(s['N'], s['C'])
    elif 'weight' in roles.values():
        s = bpm_layouts.ROWS
        sizes = {'N': s['N'], 'D': s['D'], 'M': s['M']}
        x = rng.randn(s['N'], s['D'])
    else:
        s = bpm_layouts.FLAT
        sizes = dict(s)
        x = rng.randn(s['N'], s['D'])
    init, fixed = {}, {}
    for p in ctor:
        role, low = roles[p.name], p.name.lower()
        if role == 'weight':
            init[p.name] = rng.randn(s['F'], s['C'], s['HH'], s['WW']) if conv else rng.randn(s['D'], s['M']) / 2
        elif role == 'bias':
            init[p.name] = rng.randn(s['F'] if conv else s['M'])
        elif role in ('gamma', 'beta'):
            init[p.name] = (1 if role == 'gamma' else 0) + rng.randn(x.shape[1]) / 4
        elif pool and low in _POOL_SIZE:
            fixed[p.name] = bpm_layouts.POOL_PARAM['pool_height']
        elif p.default is p.empty:
            raise NotChecked(f'`{cls.__name__}` takes `{p.name}`, which the checker cannot provide')
    extra = {labels[0]: rng.randint(0, x.shape[1], size=x.shape[0])} if labels else {}
    return init, fixed, x, extra, sizes


def _attribute_line(us, unit, attr):
    """The last line of the unit's method that assigns `self.<attr>`."""
    found = [n.lineno for n in ast.walk(us.src.tree) if isinstance(n, ast.Attribute) and n.attr == attr and
             isinstance(n.ctx, ast.Store) and unit.line <= n.lineno <= unit.end_line]
    return max(found, default=None)


# -- the one-dimensional warm-up: J = forward(x, θ), dJ/dθ = backward(x, θ)
def check_scalar(us, unit):
    fwd, bwd = unit.forward, unit.backward
    if is_stub(us.file, bwd):
        raise NotWritten(f'`{unit.function}` is not written yet')
    names = bpm_layouts.param_names(fwd)
    if not names:
        raise NotChecked(f'`{fwd.__name__}` takes no arguments')
    theta = next((n for n in names if n.lower() in ('theta', 'w', 'parameters', 'params', 'param')), names[-1])
    rng = np.random.RandomState(51)
    base = {n: np.array(rng.uniform(1.0, 3.0)) for n in names}
    us.dims = SizeNames({})

    def f(args):
        return float(np.asarray(call_user(fwd, {k: float(v) for k, v in args.items()}), dtype=np.float64))

    numerical, which, _ = numerical_gradients(f, {k: v.copy() for k, v in base.items()}, [theta])
    res, tracer = traced_call(us, bwd, [], {k: float(v) for k, v in base.items()}, 'backward',
                               again=lambda: ([], {k: float(v) for k, v in base.items()}))
    unit.called.update(tracer.called)
    if res is None:
        raise NotWritten(f'`{unit.function}` is not written yet (it returns None)')
    unit.convention = 'scalar'
    lay = Layout('scalar', base, {}, 'scalar')
    unit.gradients = compare_gradients(us, unit, [res], [(theta, base[theta])], numerical, which, tracer, lay, None)
