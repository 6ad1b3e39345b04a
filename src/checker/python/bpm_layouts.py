"""The inputs of a unit: from the parameter names of the user's forward (or loss, or constructor), the
layouts the courses use — examples in columns (A is n_prev × m, W is n × n_prev, b is n × 1), in rows
(x is N × d1 × d2, w is D × M, b is M), images N × C × H × W for conv and pool — with small sizes,
pairwise different within a layout so that a transposed or wrongly summed gradient cannot pass by its
shape; random values in float64, kept away from kinks by the caller's retries."""
import inspect
import re

import numpy as np


# The sizes of each layout, by their names in messages.
COLUMNS = {'n_prev': 4, 'n': 3, 'm': 7}
ROWS = {'N': 4, 'd1': 2, 'd2': 3, 'D': 6, 'M': 5}
FLAT = {'N': 4, 'D': 5}                      # one data array (N, D): activations, norms, dropout
# Square images, as the course's own checks use: learners' conv and pool code may take H for W.
CONV = {'N': 2, 'C': 3, 'H': 5, 'W': 5, 'F': 4, 'HH': 3, 'WW': 3}
CONV_PARAM = {'stride': 2, 'pad': 1}
POOL = {'N': 2, 'C': 3, 'H': 4, 'W': 4}
POOL_PARAM = {'pool_height': 2, 'pool_width': 2, 'stride': 2}
GROUPS = {'N': 2, 'C': 6, 'H': 4, 'W': 4, 'G': 2}   # group normalisation: C channels in G groups of 3
CONV_POOL = {'N': 2, 'C': 3, 'H': 4, 'W': 4, 'F': 5, 'HH': 3, 'WW': 3}   # conv keeping H × W, then a 2 × 2 pool
CONV_POOL_PARAM = {'stride': 1, 'pad': 1}
LOSS = {'N': 4, 'C': 3, 'D': 5}             # scores (N, C), labels (N,), weights (D, C), data (N, D)
MODEL = {'N': 3, 'D': 5, 'H': 4, 'H2': 7, 'C': 6}
KEEP = 0.7                                   # the probability of keeping a unit in dropout
REG = 0.1                                    # L2 strength given to losses and models that take one
SEED = 123

# Parameter names of each role, lower case.
DATA_NAMES = ('x', 'a', 'a_prev', 'z', 'inputs', 'input', 'x_in', 'a_in', 'a_curr', 'z_curr', 'h', 'prev_a')
WEIGHT_NAMES = ('w', 'w_curr', 'weights', 'weight', 'theta')
BIAS_NAMES = ('b', 'b_curr', 'bias', 'biases')
PARAM_DICTS = ('conv_param', 'pool_param', 'bn_param', 'ln_param', 'gn_param', 'dropout_param')


class Layout:
    """One way to call a function: its arguments by name, the names of their sizes, and what the
    numerical reference differentiates (the float arrays among them)."""

    def __init__(self, name, args, sizes, convention, keeps=None):
        self.name = name              # 'rows (x of shape (N, d1, d2))'
        self.args = args              # parameter name -> value (arrays, dicts, strings, numbers)
        self.sizes = sizes            # size name -> value, for messages
        self.convention = convention  # 'columns' | 'rows' | 'images'
        self.keeps = keeps            # the argument whose shape the output keeps (a normalisation's x), if told

    def fresh(self):
        """A copy of every argument, for one call: learners change arrays and dicts in place."""
        return {k: _copy(v) for k, v in self.args.items()}


def _copy(v):
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_copy(x) for x in v]
    return v


def param_names(fn):
    try:
        return [p.name for p in inspect.signature(fn).parameters.values()
                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    except (TypeError, ValueError):
        return []


def defaults(fn):
    try:
        return {p.name: p.default for p in inspect.signature(fn).parameters.values() if p.default is not p.empty}
    except (TypeError, ValueError):
        return {}


def _role(name):
    low = name.lower()
    if low in PARAM_DICTS or low.endswith('_param'):
        return 'param-dict'
    if low in ('gamma', 'beta'):
        return low
    if low in BIAS_NAMES:
        return 'bias'
    if low in WEIGHT_NAMES:
        return 'weight'
    if low in DATA_NAMES:
        return 'data'
    if low == 'activation':
        return 'activation'
    return None


def is_columns(fn_name, names):
    """The examples-in-columns course (and plain tutorials in its style): capital A, W, Z or its
    helpers' names."""
    if re.match(r'(linear|single_layer|l_model|sigmoid|relu|tanh|leaky_relu)\b', fn_name.lower()) and \
            not fn_name.lower().endswith('_forward'):
        return True
    return any(n in ('A', 'A_prev', 'W', 'Z', 'A_curr', 'Z_curr', 'W_curr', 'dA') for n in names)


def forward_layouts(fn, rng):
    """Candidate argument sets for a layer's forward, most telling first; [] when its parameters name
    nothing the checker knows. A parameter it cannot provide gets its default, else makes no layout."""
    names = param_names(fn)
    roles = {n: _role(n) for n in names}
    low = [n.lower() for n in names]
    given = defaults(fn)
    fname = fn.__name__.lower()
    data = [n for n in names if roles[n] == 'data']
    weight = [n for n in names if roles[n] == 'weight']
    bias = [n for n in names if roles[n] == 'bias']
    out = []

    def finish(args, sizes, convention, label, keeps=None):
        for n in names:
            if n in args:
                continue
            low_n = n.lower()
            if low_n == 'activation':
                continue  # filled per case by the caller
            if low_n in ('keep_prob', 'p'):
                args[n] = KEEP
            elif n in given:
                continue
            else:
                return  # a parameter this layout cannot give
        out.append(Layout(label, args, sizes, convention, keeps))

    if not data:
        return out
    x = data[0]
    if 'conv_param' in low:
        s = CONV_POOL if 'pool_param' in low else CONV
        args = {x: rng.randn(s['N'], s['C'], s['H'], s['W'])}
        if weight:
            args[weight[0]] = rng.randn(s['F'], s['C'], s['HH'], s['WW'])
        if bias:
            args[bias[0]] = rng.randn(s['F'])
        args[names[low.index('conv_param')]] = dict(CONV_POOL_PARAM if 'pool_param' in low else CONV_PARAM)
        if 'pool_param' in low:
            args[names[low.index('pool_param')]] = dict(POOL_PARAM)
        _norm_args(args, names, roles, s['F'], rng, spatial=True)
        finish(args, s, 'images', 'images N × C × H × W')
        return out
    if 'pool_param' in low:
        s = POOL
        args = {x: rng.randn(s['N'], s['C'], s['H'], s['W']), names[low.index('pool_param')]: dict(POOL_PARAM)}
        finish(args, s, 'images', 'images N × C × H × W')
        return out
    columns = is_columns(fn.__name__, names)
    if columns:
        s = COLUMNS
        if weight:
            args = {x: rng.randn(s['n_prev'], s['m']), weight[0]: rng.randn(s['n'], s['n_prev']) / 2}
            if bias:
                args[bias[0]] = rng.randn(s['n'], 1)
            finish(args, s, 'columns', 'examples in columns')
        else:
            finish({x: rng.randn(s['n'], s['m'])}, {'n': s['n'], 'm': s['m']}, 'columns', 'examples in columns')
        return out
    if weight:
        s = ROWS
        for shape, label in (((s['N'], s['d1'], s['d2']), 'rows, x of shape (N, d1, d2)'), ((s['N'], s['D']), 'rows')):
            args = {x: rng.randn(*shape), weight[0]: rng.randn(s['D'], s['M']) / 2}
            if bias:
                args[bias[0]] = rng.randn(s['M'])
            _norm_args(args, names, roles, s['M'], rng)
            sizes = dict(s) if len(shape) == 3 else {'N': s['N'], 'D': s['D'], 'M': s['M']}
            finish(args, sizes, 'rows', label)
        return out
    s = FLAT
    if 'spatial' in fname:
        s = POOL
        args = {x: rng.randn(s['N'], s['C'], s['H'], s['W'])}
        if 'g' in low:
            # Group normalisation: G groups of the channels, gamma and beta of shape (1, C, 1, 1) as the
            # course's, or (C,) as some learners' take them; a forward whose output is not x's shape did
            # not take that one.
            s = GROUPS
            for width, label in (((1, s['C'], 1, 1), 'gamma (1, C, 1, 1)'), (s['C'], 'gamma (C,)')):
                args = {x: rng.randn(s['N'], s['C'], s['H'], s['W']), names[low.index('g')]: s['G']}
                _norm_args(args, names, roles, width, rng, spatial=True)
                finish(args, s, 'images', f'images N × C × H × W, {label}', keeps=x)
            return out
        _norm_args(args, names, roles, s['C'], rng, spatial=True)
        finish(args, s, 'images', 'images N × C × H × W')
        return out
    args = {x: rng.randn(s['N'], s['D'])}
    _norm_args(args, names, roles, s['D'], rng)
    finish(args, dict(s), 'rows', 'rows')
    return out


def _norm_args(args, names, roles, width, rng, spatial=False):
    """gamma, beta and the param dicts of batch, layer, group normalisation and dropout."""
    for n in names:
        low = n.lower()
        if roles[n] == 'gamma':
            args[n] = 1 + rng.randn(*np.atleast_1d(width)) / 4
        elif roles[n] == 'beta':
            args[n] = rng.randn(*np.atleast_1d(width)) / 4
        elif low in ('bn_param', 'ln_param', 'gn_param'):
            args[n] = {'mode': 'train', 'eps': 1e-5}
        elif low == 'dropout_param':
            args[n] = {'p': KEEP, 'mode': 'train', 'seed': SEED}


def loss_layouts(fn, rng):
    """Arguments of a loss with gradient: `softmax_loss(x, y)` (scores N × C) or
    `softmax_loss_naive(W, X, y, reg)` (W is D × C, X is N × D)."""
    names = param_names(fn)
    low = [n.lower() for n in names]
    given = defaults(fn)
    s = LOSS
    y = rng.randint(0, s['C'], size=s['N'])
    args = {}
    if any(n in ('w', 'weights') for n in low) and 'x' in low:
        w_name = names[[i for i, n in enumerate(low) if n in ('w', 'weights')][0]]
        X_name = names[low.index('x')]
        args = {w_name: rng.randn(s['D'], s['C']) / 2, X_name: rng.randn(s['N'], s['D'])}
        sizes = dict(s)
    elif 'x' in low:
        args = {names[low.index('x')]: rng.randn(s['N'], s['C'])}
        sizes = {'N': s['N'], 'C': s['C']}
    else:
        return []
    for n in names:
        if n in args:
            continue
        if n.lower() in ('y', 'labels', 'y_train', 't'):
            args[n] = y
        elif n.lower() in ('reg', 'lambda', 'lambd', 'l2', 'reg_strength'):
            args[n] = REG
        elif n not in given:
            return []
    return [Layout('rows', args, sizes, 'rows')]


# The course's own forwards, for a backward whose forward the file does not have (or names otherwise, or
# has one that fails on arrays): the cache each returns is the one its backward takes, Z as the course's,
# or for an activation the output A, the other convention learners use.
def _reference(cache):
    def mark(fn):
        fn.cache = cache
        return fn
    return mark


@_reference('(A_prev, W, b)')
def linear_forward(A, W, b):
    return W @ A + b, (A, W, b)


@_reference('Z')
def relu(Z):
    return np.maximum(0, Z), Z


@_reference('A')
def relu_a(Z):
    A = np.maximum(0, Z)
    return A, A


@_reference('Z')
def sigmoid(Z):
    return 1 / (1 + np.exp(-Z)), Z


@_reference('A')
def sigmoid_a(Z):
    A = 1 / (1 + np.exp(-Z))
    return A, A


relu_a.__name__ = relu.__name__
sigmoid_a.__name__ = sigmoid.__name__
# backward -> the forwards to try, the course's first.
REFERENCE_FORWARDS = {'linear_backward': (linear_forward,), 'relu_backward': (relu, relu_a),
                      'sigmoid_backward': (sigmoid, sigmoid_a)}
