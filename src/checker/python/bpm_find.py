"""Step 1 of a check, finding the user's functions: the file parsed (a notebook export's magics
skipped) and loaded definitions-only, the forward, backward, initialisation and cost picked by
directive, setting or name, their arguments bound by name, and the terms an exercise leaves as `...`."""
import ast
import inspect
import os
import re
import types

import bpm_load
from bpm_load import CheckTimeout
from bpm_report import Abort


NAMES = {
    'forward2': ['forward_propagation', 'forward_prop', 'forward_pass', 'forwardprop', 'forward_propagate',
                 'propagate_forward', 'feed_forward', 'feedforward', 'forward'],
    'backward2': ['backward_propagation', 'back_propagation', 'backpropagation', 'backward_prop', 'back_prop',
                  'backprop', 'backward_pass', 'backward_propagate', 'propagate_backward', 'backward'],
    'forwardL': ['l_model_forward', 'model_forward', 'deep_forward', 'forward_propagation_deep',
                 'full_forward_propagation'],
    'backwardL': ['l_model_backward', 'model_backward', 'deep_backward', 'backward_propagation_deep',
                  'full_backward_propagation'],
    'init2': ['initialize_parameters', 'initialise_parameters', 'init_parameters', 'initialize_params', 'init_params'],
    'initL': ['initialize_parameters_deep', 'initialise_parameters_deep', 'init_parameters_deep', 'initialize_deep'],
    'cost': ['compute_cost', 'cost', 'compute_loss', 'cost_function', 'binary_cross_entropy', 'cross_entropy'],
}

# Argument names bound to each value, compared case-insensitively after exact names.
ALIASES = {
    'X': ['x', 'a0', 'x_train', 'inputs', 'input', 'data', 'features'],
    'Y': ['y', 'y_train', 'labels', 'targets', 'y_true'],
    'parameters': ['parameters', 'params', 'parameter', 'param', 'para', 'weights', 'theta', 'p', 'model', 'net',
                   'network', 'nn_params', 'params_values'],
    'cache': ['cache', 'caches', 'forward_cache', 'cached', 'memory', 'store', 'cache_list'],
    'AL': ['al', 'a2', 'a_l', 'a_last', 'yhat', 'y_hat', 'y_pred', 'predictions', 'output', 'out', 'a_out',
           'probs', 'a'],
    'm': ['m', 'n_samples', 'num_examples', 'batch_size'],
    'layer_dims': ['layer_dims', 'layers_dims', 'layer_sizes', 'dims', 'layers', 'sizes'],
    # The plain tutorials' list of layers: [{"input_dim": 4, "output_dim": 5, "activation": "relu"}, …].
    'nn_architecture': ['nn_architecture', 'architecture', 'nn_arch', 'arch'],
    'n_x': ['n_x', 'nx', 'input_size', 'n_in', 'n_input'],
    'n_h': ['n_h', 'nh', 'hidden_size', 'n_hidden'],
    'n_y': ['n_y', 'ny', 'output_size', 'n_out', 'n_output'],
}
_ALIAS_OF = {a: k for k, names in ALIASES.items() for a in names}


def _user_functions(ns, mark):
    out = {}
    for name, v in ns.items():
        code = getattr(v, '__code__', None)
        if code is not None and code.co_filename == mark:
            out[name] = v
    return out


def _find(funcs, candidates):
    lower = {n.lower(): n for n in funcs}
    for c in candidates:
        if c in lower:
            return lower[c]
    return None


_DIRECTIVE = re.compile(r'#\s*backprop-map\s*:\s*(.*)$', re.I)


def directives(text):
    """`# backprop-map: forward=my_forward backward=my_backward init=… cost=…` anywhere in the file."""
    out = {}
    for number, line in enumerate(text.splitlines(), 1):
        mt = _DIRECTIVE.search(line)
        if mt:
            for k, v in re.findall(r'(forward|backward|init|cost)\s*[=:]\s*([A-Za-z_]\w*)', mt.group(1)):
                out[k] = (v, number)
    return out


def _param_names(fn):
    try:
        return [p.name for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return []


def bind(fn, values):
    """Arguments for a user function by their names: exact, then case-insensitive, then by the
    aliases people use (`params`, `caches`, `A2`, …). Returns (args, kwargs, names without a value)."""
    kwargs, args, missing = {}, [], []
    lower = {k.lower(): k for k in values}
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        key = p.name if p.name in values else lower.get(p.name.lower())
        if key is None:
            canon = _ALIAS_OF.get(p.name.lower())
            key = canon if canon in values else None
        if key is None:
            if p.default is p.empty:
                missing.append(p.name)
            continue
        if p.kind == p.POSITIONAL_ONLY:
            args.append(values[key])
        else:
            kwargs[p.name] = values[key]
    return args, kwargs, missing


_MAGIC = re.compile(r'[ \t]*([%!][^\r\n]*)')
# `%run helper.py` (options before the file; the file beside the notebook, by its bare name).
_RUN = re.compile(r'(?P<indent>[ \t]*)%run\s+(?:-\w+\s+)*(?P<q>["\']?)(?:\./)?(?P<file>[^\s"\']+)(?P=q)\s*$')


def _parse_skipping_magics(text, file_name, magics, runs=None):
    """ast.parse, but a line Python rejects that is a notebook export's `%matplotlib inline` or
    `!pip install …` is blanked (spaces, so every position stays) and noted in `magics` as
    (line, text); only lines Python itself stops at, so a continuation line `!= b)` stays. In a
    notebook, `%run helper.py` becomes `from helper import *`, as its definitions are what it brings
    in (a path is resolved by its file name, beside the notebook); `runs` maps its line to the file it
    names, or to None where it cannot be resolved so. A cell that does not parse is left out; `runs`
    maps the negative of its line to why."""
    lines = text.splitlines(keepends=True)
    notebook = file_name.lower().endswith('.ipynb') and runs is not None
    for _ in range(100):
        try:
            return ast.parse(''.join(lines), filename=file_name)
        except SyntaxError as e:
            n = (e.lineno or 0) - 1
            if not 0 <= n < len(lines) or any(line == n + 1 for line, _ in magics) or (n + 1) in (runs or {}):
                raise
            body = lines[n].rstrip('\r\n')
            run = _RUN.match(body) if notebook else None
            mt = _MAGIC.match(lines[n])
            if run is not None:
                # By its name beside the notebook, wherever the path pointed on the machine that wrote it.
                module = re.fullmatch(r'([A-Za-z_]\w*)(?:\.py)?', os.path.basename(run.group('file')))
                runs[n + 1] = os.path.basename(run.group('file'))
                if module is not None:
                    lines[n] = f'{run.group("indent")}from {module.group(1)} import *' + lines[n][len(body):]
                    continue
                runs[n + 1] = None
            elif notebook:
                # A cell that does not parse (the notebook reader blanked every other magic) stops only
                # itself, as in Jupyter: its top-level statement is left out and noted.
                a, b = _top_level_block(lines, n)
                if -(a + 1) in runs:
                    raise
                runs[-(a + 1)] = f'{e.msg} (lines {a + 1}–{b})'
                for k in range(a, b):
                    blank = lines[k].rstrip('\r\n')
                    lines[k] = ' ' * len(blank) + lines[k][len(blank):]
                continue
            elif mt is not None:
                magics.append((n + 1, mt.group(1).strip()[:60]))
            else:
                raise
            lines[n] = ' ' * len(body) + lines[n][len(body):]
    return ast.parse(''.join(lines), filename=file_name)


def _top_level_block(lines, n):
    """[a, b): the top-level statement around line index n, from the last line at or above it that starts
    at column 0 to the next one below it."""
    starts = lambda k: lines[k][:1] not in ('', ' ', '\t', '\r', '\n', '#', ')', ']', '}')  # noqa: E731
    a = next((k for k in range(n, -1, -1) if starts(k)), n)
    b = next((k for k in range(n + 1, len(lines)) if starts(k)), len(lines))
    return a, b


def _unwritten(tree):
    """The terms an exercise leaves to write: `name = ...` inside a function, in the order of the file."""
    found = {}
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):  # a nested function is walked twice: keyed by node, it counts once
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                        and isinstance(node.value, ast.Constant) and node.value.value is Ellipsis:
                    found[id(node)] = (node.targets[0].id, node)
    return sorted(found.values(), key=lambda x: (x[1].lineno, x[1].col_offset))


def load_file(st, tree, runs):
    """The file's imports, definitions and constants, run by bpm_load; its script code is not.
    `runs`: the notebook's `%run` lines (see _parse_skipping_magics)."""
    st.progress('loading the file')
    bpm_load.resolve_package(tree)
    try:
        ns, st.skipped, problems = bpm_load.load(tree, st.mark, bpm_load.checked_package())
    except CheckTimeout as e:  # e.g. an import that takes longer than the whole limit
        tb, line = e.__traceback__, 1
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == st.mark:
                line = tb.tb_lineno
            tb = tb.tb_next
        st.reports.add(line, 'error', 'timeout',
                       f'loading the file (its imports, definitions and constants) did not finish within the time '
                       f'limit of {st.timeout_s:g} s; it stopped here')
        raise Abort()
    st.ns = ns
    for line, msg in problems:
        if line > 0 and runs.get(line):
            why = (f'there is no file `{runs[line]}` beside the notebook' if 'is not installed' in msg
                   else f'loading it failed ({msg.split(": ", 1)[-1]})')
            msg = f'`%run {runs[line]}`: {why}; the functions it defines are missing from the check'
        elif line in runs:
            continue
        st.reports.add(line, 'warning', 'load-failed', msg)
    for line, file in runs.items():
        if line < 0:
            st.reports.add(-line, 'info', 'syntax-error', f'this cell does not parse: {file}; the check leaves it out, as '
                                                          f'running the notebook stops at it')
        elif file is None:
            st.reports.add(line, 'warning', 'load-failed',
                           f'`{st.src.line_text(line).strip()}` is not resolved: the check loads `%run NAME.py` of a file '
                           f'beside the notebook only; the functions it defines are missing from the check')


def unasserted(fc, fn):
    """The file's function `fn` loaded again with its file's `assert` statements left out (and every
    function it calls by name with it), for a run that the learner's own assert would stop before the
    gradients are known; `fn` itself where it is not the file's own."""
    code = getattr(fn, '__code__', None)
    if code is None or code.co_filename != fc.mark or fc.src is None:
        return fn
    if fc.ns_unasserted is None:
        fc.ns_unasserted = bpm_load.load(fc.src.tree, fc.mark, bpm_load.checked_package(), asserts=False)[0]
    twin = fc.ns_unasserted.get(code.co_name)
    same = getattr(twin, '__code__', None)
    return twin if same is not None and same.co_firstlineno == code.co_firstlineno else fn


def failed_assert(st, e):
    """Whether e is the failure of an `assert` statement of the file's own code."""
    if not isinstance(e, AssertionError):
        return False
    line, tb = None, e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == st.mark:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line is not None and isinstance(st.src.stmt_at(line), ast.Assert)


NOTHING_TO_CHECK = ('nothing to check: looked for a forward function (forward_propagation, L_model_forward, forward, '
                    '…) and a backward function (backward_propagation, back_propagation, backward, backprop, '
                    'L_model_backward, …), for pairs of layer functions (affine_forward / affine_backward, '
                    'linear_forward / linear_backward, relu / relu_backward, …), for losses with their gradient '
                    '(softmax_loss, svm_loss_naive, …) and for classes with a `loss` method or `forward` and '
                    '`backward` methods')
# Course 2's variants of the whole network: the backward's suffix, its forward's, and its cost's name.
VARIANTS = (('_n', '_n', None), ('_with_dropout', '_with_dropout', 'compute_cost'),
            ('_with_regularization', '', 'compute_cost_with_regularization'))
LAMBD = 0.7       # the L2 strength given to a regularised backward and its cost (the course's value)
KEEP_PROB = 0.8   # the probability of keeping a unit, for a dropout forward without a default


def visible_functions(fc):
    """name -> function for the file's own functions and those of the modules loaded from beside it,
    imported by name or used as the module's attribute (`import reg_utils`, then
    `reg_utils.forward_propagation(X, parameters)`)."""
    folders = [f + os.sep for f in bpm_load.module_folders()]
    beside = lambda code: any(os.path.abspath(code.co_filename).startswith(f) for f in folders)  # noqa: E731
    out = {}
    for name, v in fc.ns.items():
        code = getattr(v, '__code__', None)
        if code is None or not inspect.isfunction(v):
            continue
        if code.co_filename == fc.mark or beside(code):
            out[name] = v
    for node in ast.walk(fc.src.tree) if fc.src is not None else ():
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                isinstance(fc.ns.get(node.value.id), types.ModuleType):
            v = getattr(fc.ns[node.value.id], node.attr, None)
            if inspect.isfunction(v) and beside(v.__code__):
                out.setdefault(node.attr, v)
    return out


def network_pairs(fc):
    """The whole networks of the file: the notes' forward and backward (by directive, setting or name)
    with their init and cost, then Course 2's variants whose backward the file has. Returns (networks,
    scalars, found): each network a dict of its functions ('forward', 'backward', 'init', 'cost', and
    'lambd', 'keep_prob', 'cost_forward' where the variant takes them) with its 'convention'; `scalars`
    the pairs of a one-dimensional warm-up (J(x, θ) and dJ/dθ); `found` the one function of a pair
    without its partner."""
    funcs = _user_functions(fc.ns, fc.mark)
    named = directives(fc.text)
    named.update({k: (v, None) for k, v in fc.settings.items() if v and k in ('forward', 'backward', 'init', 'cost')})
    for role, (name, line) in named.items():
        if name not in funcs:
            where = 'the `# backprop-map:` comment names' if line else 'the settings name'
            fc.reports.add(line or 1, 'error', 'nothing-to-check',
                           f'{where} `{name}` as the {role} function, but this file has no function `{name}`'
                           + (f' (it has {", ".join("`" + f + "`" for f in sorted(funcs))})' if funcs else ''))
            raise Abort()
    chosen = {k: v for k, (v, _) in named.items()}
    fwdL, bwdL = _find(funcs, NAMES['forwardL']), _find(funcs, NAMES['backwardL'])
    fwd2, bwd2 = _find(funcs, NAMES['forward2']), _find(funcs, NAMES['backward2'])
    fwd = chosen.get('forward') or (fwdL if fwdL and bwdL else fwd2 or fwdL)
    bwd = chosen.get('backward') or (bwdL if fwdL and bwdL else bwd2 or bwdL)
    networks, scalars = [], []
    if fwd and bwd and not chosen and _param_names(funcs[fwd]) == _param_names(funcs[bwd]):
        scalars.append((funcs[fwd], funcs[bwd]))
    elif fwd and bwd:
        bparams = [p.lower() for p in _param_names(funcs[bwd])]
        initL = _find(funcs, NAMES['initL'])
        is_L = (fwd.lower() in NAMES['forwardL'] or bwd.lower() in NAMES['backwardL'] or 'caches' in bparams
                or 'al' in bparams or (chosen.get('init') and 'dims' in ' '.join(_param_names(funcs[chosen['init']])))
                or (initL is not None and not _find(funcs, NAMES['init2'])))
        init = chosen.get('init') or (initL if is_L else _find(funcs, NAMES['init2']))
        cost = chosen.get('cost') or _find(funcs, NAMES['cost'])
        networks.append({'forward': funcs[fwd], 'backward': funcs[bwd], 'init': funcs.get(init) if init else None,
                         'cost': funcs.get(cost) if cost else None, 'convention': 'L-layer' if is_L else 'two-layer'})
    if not chosen:
        networks += _variants(fc, funcs, {id(n['backward']) for n in networks})
    found = None if networks or scalars else next((n for n in (fwd, bwd) if n), None)
    return networks, scalars, found


def _variants(fc, funcs, taken):
    """Course 2's whole networks whose backward the file has: `backward_propagation_n` with
    `forward_propagation_n` (which returns the cost), `_with_dropout`, and `_with_regularization` with the
    plain forward (from a helper module too) and, where there is one, `compute_cost_with_regularization`."""
    visible = visible_functions(fc)
    out = []
    for suffix, fsuffix, cost_name in VARIANTS:
        bname = _find(funcs, ['backward_propagation' + suffix])
        fname = _find(visible, ['forward_propagation' + fsuffix])
        if bname is None or fname is None or id(funcs[bname]) in taken:
            continue
        fn = {'forward': visible[fname], 'backward': funcs[bname], 'convention': 'two-layer',
              'init': visible.get(_find(visible, NAMES['init2']) or ''), 'cost': None}
        cost = _find(visible, [cost_name]) if cost_name else None
        if suffix == '_n':
            fn['cost_forward'] = True
        elif suffix == '_with_dropout':
            fn['keep_prob'] = _default(fn['forward'], 'keep_prob', KEEP_PROB)
            fn['cost'] = visible.get(cost) if cost else None
        elif cost is not None:
            fn['lambd'] = _default(fn['backward'], 'lambd', LAMBD)
            fn['cost'] = visible[cost]
        out.append(fn)
    return out


def _default(fn, name, fallback):
    try:
        p = inspect.signature(fn).parameters.get(name)
    except (TypeError, ValueError):
        p = None
    return p.default if p is not None and isinstance(p.default, (int, float)) and p.default > 0 else fallback


def find_unwritten(st, tree):
    st.unwritten = _unwritten(tree)
    st.waits_for_unwritten = False
    for name, node in st.unwritten:
        report_unwritten(st, name, node)


# -- exercises: terms left as `...`
def report_unwritten(st, name, node):
    named = st.dims._named(name)
    shape = f' ({name} is {st.dims.both(named[0], name)} in this check)' if named else ''
    r = st.reports.add(node.lineno, 'warning', 'not-written',
                       f'{name} is not written yet: replace the `...` with its formula{shape}; what is computed '
                       f'from it is checked once it is written', node=node)
    r['term'] = name


# -- reporting helpers
def func_line(fn):
    return fn.__code__.co_firstlineno


def list_functions(st):
    seen = set()
    out = []
    for role in ('init', 'forward', 'backward', 'cost'):
        fn = st.fn.get(role)
        if fn is None:
            continue
        key = (fn.__code__.co_name, fn.__code__.co_firstlineno)
        seen.add(key)
        out.append((role, key))
    for key in st.called:
        if key not in seen and key[0] != '<lambda>':
            seen.add(key)
            out.append(('helper', key))
    for role, (name, first) in out:
        node = st.src.function_node(name, first)
        st.result['functions'].append({'name': name, 'role': role, 'line': node.lineno if node else first,
                                       'endLine': node.end_lineno if node else first})
    st.result['traces'] = [
        {'name': n, 'line': l, 'function': f, 'shape': list(s) if s is not None else None,
         'symbolicShape': st.dims.sym(s, n) if s is not None else None}
        for n, l, f, s in st.trace_bindings]
