"""Step 1 of a check, finding the user's functions: the file parsed (a notebook export's magics
skipped) and loaded definitions-only, the forward, backward, initialisation and cost picked by
directive, setting or name, their arguments bound by name, and the terms an exercise leaves as `...`."""
import ast
import inspect
import re

import bpm_load
from bpm_load import CheckTimeout
from bpm_report import Abort


NAMES = {
    'forward2': ['forward_propagation', 'forward_prop', 'forward_pass', 'forwardprop', 'forward_propagate',
                 'propagate_forward', 'feed_forward', 'feedforward', 'forward'],
    'backward2': ['backward_propagation', 'back_propagation', 'backpropagation', 'backward_prop', 'back_prop',
                  'backprop', 'backward_pass', 'backward_propagate', 'propagate_backward', 'backward'],
    'forwardL': ['l_model_forward', 'model_forward', 'deep_forward', 'forward_propagation_deep'],
    'backwardL': ['l_model_backward', 'model_backward', 'deep_backward', 'backward_propagation_deep'],
    'init2': ['initialize_parameters', 'initialise_parameters', 'init_parameters', 'initialize_params', 'init_params'],
    'initL': ['initialize_parameters_deep', 'initialise_parameters_deep', 'init_parameters_deep', 'initialize_deep'],
    'cost': ['compute_cost', 'cost', 'compute_loss', 'cost_function', 'binary_cross_entropy', 'cross_entropy'],
}

# Argument names bound to each value, compared case-insensitively after exact names.
ALIASES = {
    'X': ['x', 'a0', 'x_train', 'inputs', 'input', 'data', 'features'],
    'Y': ['y', 'y_train', 'labels', 'targets', 'y_true'],
    'parameters': ['parameters', 'params', 'parameter', 'param', 'weights', 'theta', 'p', 'model', 'net',
                   'network', 'nn_params'],
    'cache': ['cache', 'caches', 'forward_cache', 'cached', 'memory', 'store', 'cache_list'],
    'AL': ['al', 'a2', 'a_l', 'a_last', 'yhat', 'y_hat', 'y_pred', 'predictions', 'output', 'out', 'a_out',
           'probs', 'a'],
    'm': ['m', 'n_samples', 'num_examples', 'batch_size'],
    'layer_dims': ['layer_dims', 'layers_dims', 'layer_sizes', 'dims', 'layers', 'sizes'],
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


def _parse_skipping_magics(text, file_name, magics):
    """ast.parse, but a line Python rejects that is a notebook export's `%matplotlib inline` or
    `!pip install …` is blanked (spaces, so every position stays) and noted in `magics` as
    (line, text); only lines Python itself stops at, so a continuation line `!= b)` stays."""
    lines = text.splitlines(keepends=True)
    for _ in range(100):
        try:
            return ast.parse(''.join(lines), filename=file_name)
        except SyntaxError as e:
            n = (e.lineno or 0) - 1
            mt = _MAGIC.match(lines[n]) if 0 <= n < len(lines) else None
            if mt is None or any(line == n + 1 for line, _ in magics):
                raise
            magics.append((n + 1, mt.group(1).strip()[:60]))
            body = lines[n].rstrip('\r\n')
            lines[n] = ' ' * len(body) + lines[n][len(body):]
    return ast.parse(''.join(lines), filename=file_name)


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


def load_file(st, tree):
    """The file's imports, definitions and constants, run by bpm_load; its script code is not."""
    st.progress('loading the file')
    try:
        ns, st.skipped, problems = bpm_load.load(tree, st.mark)
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
        st.reports.add(line, 'warning', 'load-failed', msg)


def choose_functions(st):
    """The forward, backward, init and cost functions (by directive, setting or name) and the
    convention they follow; returns the backward's definition, whose depth sizes the network."""
    funcs = _user_functions(st.ns, st.mark)
    named = directives(st.text)
    named.update({k: (v, None) for k, v in st.settings.items() if v and k in ('forward', 'backward', 'init', 'cost')})
    for role, (name, line) in named.items():
        if name not in funcs:
            where = 'the `# backprop-map:` comment names' if line else 'the settings name'
            st.reports.add(line or 1, 'error', 'nothing-to-check',
                           f'{where} `{name}` as the {role} function, but this file has no function `{name}`'
                           + (f' (it has {", ".join("`" + f + "`" for f in sorted(funcs))})' if funcs else ''))
            raise Abort()
    chosen = {k: v for k, (v, _) in named.items()}
    fwdL, bwdL = _find(funcs, NAMES['forwardL']), _find(funcs, NAMES['backwardL'])
    fwd2, bwd2 = _find(funcs, NAMES['forward2']), _find(funcs, NAMES['backward2'])
    fwd = chosen.get('forward') or (fwdL if fwdL and bwdL else fwd2 or fwdL)
    bwd = chosen.get('backward') or (bwdL if fwdL and bwdL else bwd2 or bwdL)
    if not fwd or not bwd:
        found = [n for n in (fwd, bwd) if n]
        st.reports.add(1, 'error', 'nothing-to-check',
                       'nothing to check: looked for a forward function (forward_propagation, L_model_forward, '
                       'forward, …) and a backward function (backward_propagation, back_propagation, backward, '
                       'backprop, L_model_backward, …)' + (f'; found only `{found[0]}`' if found else '') +
                       '. Name other functions in a comment: `# backprop-map: forward=my_forward backward=my_backward`')
        raise Abort()
    bparams = [p.lower() for p in _param_names(funcs[bwd])]
    initL = _find(funcs, NAMES['initL'])
    is_L = (fwd.lower() in NAMES['forwardL'] or bwd.lower() in NAMES['backwardL'] or 'caches' in bparams
            or 'al' in bparams or (chosen.get('init') and 'dims' in ' '.join(_param_names(funcs[chosen['init']])))
            or (initL is not None and not _find(funcs, NAMES['init2'])))
    st.convention = 'L-layer' if is_L else 'two-layer'
    init = chosen.get('init') or (initL if is_L else _find(funcs, NAMES['init2']))
    cost = chosen.get('cost') or _find(funcs, NAMES['cost'])
    st.fn = {'forward': funcs[fwd], 'backward': funcs[bwd], 'init': funcs.get(init) if init else None,
             'cost': funcs.get(cost) if cost else None}
    st.result['convention'] = st.convention
    return st.src.function_node(bwd, func_line(funcs[bwd]))


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
