"""Step 3 of a check, the reference: the network's sizes, random inputs away from ReLU kinks, the
parameters from the user's initialisation, the forward's output, and central differences of the true
binary cross-entropy of the user's own forward."""
import ast
import re

import numpy as np

import bpm_find
from bpm_find import bind
import bpm_load
from bpm_report import Abort, _describe
from bpm_source import Dims, shape_of
import bpm_trace
from bpm_trace import _Failed


EPS = 1e-6
M = 7
TWO_LAYER_DIMS = [4, 3, 1]
L_LAYER_DIMS = [4, 5, 3, 1]
# Hidden sizes of a deeper L-layer check, all distinct (and not m, nor the n_y = 2 of the second run),
# so that every shape names its layer.
DEEPER_HIDDEN = [5, 3, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
                 32, 33, 34, 35]
KINK_MARGIN = 1e-3


def example_losses(AL, Y):
    """The cross-entropy of each example (one per column), summed over the output units: (m,)."""
    return -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL), axis=0)


def bce(AL, Y):
    return float(np.sum(example_losses(AL, Y)) / Y.shape[1])


def choose_layer_dims(st, backward):
    """The sizes of the checked network: the notes' two-layer or L-layer sizes, or as deep as the
    backward's definition `backward` writes out."""
    is_L = st.convention == 'L-layer'
    layer_dims = L_LAYER_DIMS if is_L else TWO_LAYER_DIMS
    deepest = _deepest_gradient(backward)
    if not is_L and deepest == len(L_LAYER_DIMS) - 1:
        # Course 2's three-layer networks (dW3 … dW1 written out): the sizes of the L-layer check.
        layer_dims = L_LAYER_DIMS
        st.convention = 'three-layer'
    elif is_L and len(L_LAYER_DIMS) - 1 < deepest <= len(DEEPER_HIDDEN) + 1:
        # A backward written out layer by layer (dW4, dW3, …) needs a network of its depth.
        layer_dims = [L_LAYER_DIMS[0]] + DEEPER_HIDDEN[:deepest - 1] + [1]
    st.dims = Dims(layer_dims, M, st.convention)
    st.result['dims'] = st.dims.as_dict()
    st.result['convention'] = st.convention
    return layer_dims


def make_inputs(st, layer_dims, user_params, attempt):
    rng = np.random.RandomState(1000 + attempt)
    L = len(layer_dims) - 1
    for _ in range(200):
        params = {}
        for l in range(1, L + 1):
            params[f'W{l}'] = rng.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1]) * 1.5
            params[f'b{l}'] = rng.randn(layer_dims[l], 1) * 0.5
        X = rng.randn(layer_dims[0], M)
        Y = np.zeros((layer_dims[-1], M))
        Y[:, ::2] = 1.0
        rng.shuffle(Y.T)
        # No ReLU pre-activation within the step of its kink (checked as if the hidden layers were ReLU,
        # the only common kinked activation): no false alarm from a kink.
        A, ok = X, True
        for l in range(1, L):
            Z = params[f'W{l}'] @ A + params[f'b{l}']
            if np.min(np.abs(Z)) < KINK_MARGIN:
                ok = False
                break
            A = np.maximum(Z, 0)
        if ok:
            break
    for k, v in (user_params or {}).items():
        if k not in params:
            params[k] = v
    return params, X, Y


def values_of(st, params, X, Y, layer_dims):
    L = len(layer_dims) - 1
    v = {'X': X, 'Y': Y, 'parameters': dict(params), 'm': M, 'layer_dims': list(layer_dims),
         'nn_architecture': [{'input_dim': layer_dims[l - 1], 'output_dim': layer_dims[l],
                              'activation': 'relu' if l < L else 'sigmoid'} for l in range(1, L + 1)]}
    if st.convention == 'two-layer':
        v.update({'n_x': layer_dims[0], 'n_h': layer_dims[1], 'n_y': layer_dims[2]})
    else:
        v.update({'n_x': layer_dims[0], 'n_y': layer_dims[-1]})
    for k, a in params.items():
        if isinstance(k, str):
            v.setdefault(k, a)
    for k in ('lambd', 'keep_prob'):  # what a Course 2 variant takes besides
        if k in st.fn:
            v[k] = st.fn[k]
    return v


def l2_term(st, params):
    """The L2 term of a regularised cost, λ/(2m) · Σ‖W‖², as the course's
    `compute_cost_with_regularization` adds it; 0 without λ."""
    lambd = st.fn.get('lambd')
    if not lambd:
        return 0.0
    return lambd / (2 * M) * sum(float(np.sum(np.square(w))) for k, w in params.items() if re.fullmatch(r'W\d+', str(k)))


def objective_of(st, fwd, params, X, Y, layer_dims):
    """The cost a run differentiates, on the current values of `params`: the cross-entropy of the
    forward's output (plus the L2 term of a regularised variant), or the cost the forward itself
    returns (Course 2's `forward_propagation_n`)."""
    if st.fn.get('cost_forward'):
        values = values_of(st, params, X, Y, layer_dims)
        args, kwargs, _ = bind(fwd, values)
        whole = [p for p, v in kwargs.items() if v is values['parameters']]

        def J():
            for p in whole:
                kwargs[p] = dict(params)
            np.random.seed(1)
            try:
                return float(np.asarray(fwd(*args, **kwargs)[0], dtype=np.float64))
            finally:
                bpm_load.restore()
        return J
    output = output_of(st, fwd, params, X, Y, layer_dims)
    return lambda: bce(output(), Y) + l2_term(st, params)


def split_forward(st, out, layer_dims):
    n_y = layer_dims[-1]
    AL, cache = None, None
    if isinstance(out, np.ndarray):
        AL = out
    elif isinstance(out, (tuple, list)):
        rest = []
        for item in out:
            if AL is None and isinstance(item, np.ndarray) and item.size == n_y * M:
                AL = item
            else:
                rest.append(item)
        cache = rest[0] if len(rest) == 1 else tuple(rest)
    elif isinstance(out, dict):
        for k in ('AL', f'A{len(layer_dims) - 1}', 'A2', 'Yhat', 'Y_hat', 'output'):
            if isinstance(out.get(k), np.ndarray):
                AL, cache = out[k], out
                break
    return AL, cache


def expected_shapes(st, layer_dims):
    expected = {}
    for l in range(1, len(layer_dims)):
        expected[f'W{l}'] = (layer_dims[l], layer_dims[l - 1])
        expected[f'b{l}'] = (layer_dims[l], 1)
    return expected


def run_init(st, layer_dims, dims, primary):
    fn = st.fn['init']
    values = {'layer_dims': list(layer_dims), 'n_x': layer_dims[0], 'n_y': layer_dims[-1], 'm': M}
    if st.convention == 'two-layer':
        values['n_h'] = layer_dims[1]
    # The initialisation only supplies the parameters' keys: when it cannot run, the check goes on
    # with the keys and shapes the notes imply, and says why.
    out, tracer = bpm_trace.traced(st, fn, values, 'init', dims, False)
    if primary and tracer is not None:
        bpm_trace.record_trace(st, tracer)
    if isinstance(out, _Failed):
        if primary and out.kind == 'raised':
            info = out.info
            st.reports.add(info['line'], 'warning', info['code'],
                           f'{info["message"]} — the check goes on with the parameters the notes imply',
                           info['related'], node=info['node'])
        return None
    if not isinstance(out, dict):
        if primary:
            st.reports.add(bpm_find.func_line(fn), 'warning', 'init-output',
                           f'`{fn.__name__}` should return a dict of parameters (`{{"W1": W1, "b1": b1, …}}`), '
                           f'not {type(out).__name__}; the check goes on with the parameters the notes imply')
        return None
    Ws = [(f'W{l}', (layer_dims[l], layer_dims[l - 1])) for l in range(1, len(layer_dims))]
    if primary and all(shape_of(out.get(k)) == s[::-1] for k, s in Ws):
        # Every W transposed: the other layout (examples in rows), which nothing here can check.
        k, s = Ws[0]
        w = tracer.last_write(out.get(k))
        st.reports.add(w[0] if w else bpm_find.func_line(fn), 'error', 'examples-in-rows',
                       f'`{fn.__name__}` makes {k} {dims.both(s[::-1])} and every W transposed like it: this file '
                       f'puts the examples in rows (Z1 = X · W1 + b1). The checker follows the notes: examples in '
                       f'columns, X is {dims.both((layer_dims[0], M), "X")}, {k} is {dims.both(s, k)}, '
                       f'Z1 = W1 · X + b1; nothing was checked')
        raise Abort()
    if primary:
        for l in range(1, len(layer_dims)):
            for key, shape in ((f'W{l}', (layer_dims[l], layer_dims[l - 1])), (f'b{l}', (layer_dims[l], 1))):
                v = out.get(key)
                w = tracer.last_write(v) if v is not None else None
                line = w[0] if w else bpm_find.func_line(fn)
                if v is None:
                    st.reports.add(line, 'warning', 'init-shape',
                                   f'`{fn.__name__}` returns no "{key}"; the check uses {key} of shape '
                                   f'{dims.both(shape, key)}')
                elif shape_of(v) != shape:
                    st.reports.add(line, 'warning', 'init-shape',
                                   f'{key} from `{fn.__name__}` has shape {dims.both(shape_of(v) or ())} but the '
                                   f'notes\' {key} is {dims.both(shape, key)}; the check uses the notes\' shape')
    return out


def low_precision(st, AL, out, ftrace, primary):
    """A forward in float32 (or float16): its rounding, divided by the step 1e-6, swamps the numerical
    gradient, so the values cannot be checked; say so instead of blaming the backward."""
    dtype = getattr(AL, 'dtype', None)
    if dtype is None or dtype.kind != 'f' or dtype.itemsize >= 8:
        return False
    if primary:
        fwd = st.fn['forward']
        line = ftrace.returns.get(id(out), (bpm_find.func_line(fwd),))[0] if ftrace else bpm_find.func_line(fwd)
        for writes in (ftrace.writes.values() if ftrace else ()):
            v = writes[0][3].get(writes[0][2])
            if isinstance(v, np.ndarray) and v.dtype.kind == 'f' and v.dtype.itemsize < 8:
                line = writes[0][0]
                break
        st.reports.add(line, 'error', 'low-precision',
                       f'`{fwd.__name__}` computes in {dtype.name} from this line on: central differences with the step '
                       f'{EPS:g} need float64, in {dtype.name} they are rounding noise, so no gradient value can be '
                       f'checked; compute in float64 (the default), at least while checking')
    return True


def bad_output(st, AL, out, layer_dims, dims, primary):
    fwd = st.fn['forward']
    n_y = layer_dims[-1]
    problem = None
    if AL is None:
        problem = (f'`{fwd.__name__}` must return the output A{len(layer_dims) - 1} of shape {dims.both((n_y, M), "AL")} '
                   f'(alone or as `(A{len(layer_dims) - 1}, cache)`), but it returned {_describe(out)}')
    elif not np.all(np.isfinite(AL)) or np.any(AL <= 0) or np.any(AL >= 1):
        problem = (f'the output of `{fwd.__name__}` must be probabilities strictly between 0 and 1 (a sigmoid output '
                   f'layer) for the cross-entropy; its values range from {np.nanmin(AL):.3g} to {np.nanmax(AL):.3g}')
    if problem is None:
        return False
    if primary:
        st.reports.add(bpm_find.func_line(fwd), 'error', 'forward-output', problem)
    return True


def output_of(st, fwd, params, X, Y, layer_dims):
    """A function running the forward on the current values of `params` (changed in place by the
    caller), returning its output AL as float64 (n_y, m)."""
    values = values_of(st, params, X, Y, layer_dims)
    args, kwargs, _ = bind(fwd, values)
    individual = [p for p in kwargs if p in params]
    whole = [p for p, v in kwargs.items() if v is values['parameters']]

    def output():
        for p in individual:
            kwargs[p] = params[p]
        for p in whole:  # a fresh dict each time: a forward that stores into it changes nothing
            kwargs[p] = dict(params)
        np.random.seed(1)  # a forward with dropout draws the same masks every time
        try:
            value = fwd(*args, **kwargs)
        finally:
            bpm_load.restore()
        AL, _ = split_forward(st, value, layer_dims)
        return np.asarray(AL, dtype=np.float64).reshape(layer_dims[-1], M)
    return output


def numerical_gradients(st, fwd, params, X, Y, layer_dims, expected, dims, primary):
    st.progress('computing numerical gradients')
    J = objective_of(st, fwd, params, X, Y, layer_dims)
    out, kink = {}, False
    try:
        J0 = J()
        for key, shape in expected.items():
            arr = params[key]
            g = np.zeros(shape)
            flat = arr.reshape(-1)
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + EPS
                jp = J()
                flat[i] = old - EPS
                jm = J()
                flat[i] = old
                g.flat[i] = (jp - jm) / (2 * EPS)
                right, left = (jp - J0) / EPS, (J0 - jm) / EPS
                if abs(right - left) > 1e-4 * max(abs(right), abs(left)) + 1e-5:
                    kink = True
            out[key] = g
    except BaseException as e:  # noqa: BLE001 — as in _traced: a Ctrl-C cannot reach a check child
        if primary:
            info = bpm_trace.explain_exception(st, e, fwd, 'forward', dims)
            st.reports.add(info['line'], 'error', info['code'],
                           info['message'] + ' (while the forward ran with a parameter nudged by 1e-6)',
                           info['related'], node=info['node'])
            raise Abort()
        return None, False
    return out, kink


def _deepest_gradient(fn_node):
    """The highest l of a dW<l> the function names (as a variable or a key), 0 when it names none."""
    deepest = 0
    for node in ast.walk(fn_node) if fn_node is not None else ():
        text = node.id if isinstance(node, ast.Name) else node.value if isinstance(node, ast.Constant) else None
        mt = re.match(r'^dW(\d+)$', text) if isinstance(text, str) else None
        if mt:
            deepest = max(deepest, int(mt.group(1)))
    return deepest
