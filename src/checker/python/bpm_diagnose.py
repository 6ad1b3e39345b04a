"""Step 5 of a check, diagnosing one wrong gradient: what its values and its line say (a missing or
doubled 1/m, a flipped sign, a wrong axis, a transposed or elementwise product, another layer's
gradient, an L2 term), and a quick fix where it is certain."""
import ast
import re

import numpy as np

from bpm_measure import TOLERANCE, rel_difference as _rel
from bpm_load import _dotted as _dotted_name
from bpm_numerical import M
from bpm_report import _join
from bpm_source import safe_eval


def stmt_of(st, ev):
    w = ev['write']
    if not w:
        return None
    stmt = st.src.stmt_at(w[0])
    return stmt if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return)) else None


def diagnose_regularisation(st, ev, g, num, params):
    """dW = numerical + λ/m · W: an L2 term, which the plain cross-entropy of the notes has not."""
    W = params.get(ev['pkey']) if params else None
    if not isinstance(W, np.ndarray) or W.shape != g.shape or not ev['pkey'].startswith('W'):
        return
    diff = g - num
    ww = float(np.sum(W * W))
    if ww == 0:
        return
    k = float(np.sum(diff * W) / ww)
    lambd = st.fn.get('lambd')
    if lambd and np.linalg.norm(diff - k * W) <= 1e-6 * np.linalg.norm(diff):
        # The reference has the cost's L2 term: the learner's term is (λ + k·m)/m · W.
        ev['code'] = 'l2-term'
        own = lambd + k * M
        ev['hint'] = (f'the L2 term λ/m · {ev["pkey"]} (λ = {lambd:g}) is missing from {ev["key"]}' if abs(own) < 1e-6 * lambd
                      else f'the L2 term of {ev["key"]} is {own:.3g}/m · {ev["pkey"]}, where the cost\'s λ/(2m) · Σ‖W‖² '
                           f'gives λ/m · {ev["pkey"]} = {lambd:g}/m · {ev["pkey"]}')
        return
    if k > 0 and np.linalg.norm(diff - k * W) <= 1e-6 * np.linalg.norm(diff):
        ev['code'] = 'l2-term'
        ev['hint'] = (f'{ev["key"]} is the numerical gradient plus {k * M:.3g}/m · {ev["pkey"]}: an L2 regularisation '
                      f'term (λ = {k * M:.3g}); the reference is the notes\' cross-entropy without regularisation, so '
                      f'check with λ = 0')


def diagnose_value(st, ev, g, num, params=None, dims=None):
    nn = float(np.sum(num * num))
    ev['code'] = 'gradient-value'
    if nn == 0:
        return
    c = float(np.sum(g * num) / nn)
    resid = np.linalg.norm(g - c * num) / max(np.linalg.norm(g), 1e-300)
    if resid > 1e-5:
        diagnose_regularisation(st, ev, g, num, params)
        return
    ev['c'] = c
    for target, code, text in ((M, 'missing-1-over-m', f'{ev["key"]} is m = {M} times the numerical gradient: the 1/m is missing'),
                               (1 / M, 'extra-1-over-m', f'{ev["key"]} is 1/m = 1/{M} of the numerical gradient: 1/m is applied twice'),
                               (-1, 'sign-flipped', f'{ev["key"]} is −1 times the numerical gradient: the sign is flipped'),
                               (2, 'factor-2', f'{ev["key"]} is 2 times the numerical gradient'),
                               (0.5, 'factor-2', f'{ev["key"]} is half the numerical gradient'),
                               (4, 'factor-4', f'{ev["key"]} is 4 times the numerical gradient'),
                               (0.25, 'factor-4', f'{ev["key"]} is a quarter of the numerical gradient')):
        if abs(c / target - 1) < 1e-4:
            ev['code'], ev['hint'] = code, text
            if code == 'missing-1-over-m':
                ev['fix'] = fix_one_over_m(st, ev)
            return
    # Divided by a layer size instead of m: `m = X.shape[0]` (every size is distinct, so the ratio tells which).
    for name, v in (zip(dims.names, dims.layer_dims) if dims else ()):
        if v not in (1, M) and abs(c / (M / v) - 1) < 1e-4:
            ev['code'] = 'wrong-m'
            ev['hint'] = (f'{ev["key"]} is m/{name} = {M}/{v} times the numerical gradient: it is divided by {name} = {v} '
                          f'where m = {M} was meant (m is the number of columns, e.g. X.shape[1], not shape[0])')
            ev['related'] = divisor_lines(st, ev, v)
            return


def divisor_lines(st, ev, v):
    """Where a variable of the gradient's line that holds the wrong divisor v (`m = X.shape[0]`)
    is assigned, in the same function."""
    stmt = stmt_of(st, ev)
    if stmt is None or not ev['write']:
        return []
    snap = ev['write'][3]
    func = next((f for f in st.src.functions.values()
                 if f.lineno <= stmt.lineno <= (f.end_lineno or f.lineno)), None)
    out = []
    for n in sorted({x.id for x in ast.walk(stmt) if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Load)}):
        if isinstance(snap.get(n), (int, np.integer)) and not isinstance(snap.get(n), bool) and snap.get(n) == v and func:
            lines = [a.lineno for a in ast.walk(func) if isinstance(a, (ast.Assign, ast.AnnAssign)) and a.lineno < stmt.lineno
                     and any(isinstance(t, ast.Name) and t.id == n for t in (a.targets if isinstance(a, ast.Assign) else [a.target]))]
            if lines:
                out.append((max(lines), f'{n} = {v} is set here; m is the number of examples, {M}'))
    return out


def diagnose_shape(st, ev, g, num, exp, dims):
    key, pkey = ev['key'], ev['pkey']
    ev['code'] = 'gradient-shape'
    stmt = stmt_of(st, ev)
    snap, glb = (ev['write'][3], ev['write'][4]) if ev['write'] else ({}, {})
    value = stmt.value if stmt is not None else None
    sums = [n for n in ast.walk(value) if isinstance(n, ast.Call) and (_dotted_name(n.func) or '').split('.')[-1] in ('sum', 'mean')] if value is not None else []
    if len(exp) == 2 and g.ndim == 1 and g.shape[0] == exp[0] and exp[1] == 1:
        ev['code'] = 'missing-keepdims'
        ev['hint'] = 'the sum drops the summed axis: add keepdims=True'
        if _rel(g.reshape(exp), num) <= TOLERANCE:
            plain = [n for n in sums if not any(k.arg == 'keepdims' for k in n.keywords) and n.lineno == n.end_lineno]
            if len(plain) == 1:
                ev['fix'] = {'title': 'Add keepdims=True', 'edits': [insert_before_close(st, plain[0], ', keepdims=True')]}
        return
    if len(exp) == 2 and g.shape == exp[::-1] and exp[0] != exp[1]:
        ev['code'] = 'transposed-product'
        if _rel(g.T, num) <= TOLERANCE:
            ev['hint'] = f'{key} is the transpose of the right gradient: swap the operands of the product'
            ev['fix'] = fix_transpose(st, stmt, snap, glb)
        else:
            ev['hint'] = f'{key} has the transposed shape of {pkey}'
        return
    axis0 = [n for n in sums if _axis_arg(n) == 0]
    if M in g.shape and len(axis0) == 1:
        call = axis0[0]
        ev['code'] = 'wrong-axis'
        ev['hint'] = f'{key} sums over axis=0 (the units) where axis=1 (the m examples) was meant'
        operand = safe_eval(call.args[0], glb, snap) if call.args else None
        if isinstance(operand, np.ndarray) and operand.ndim == 2:
            now = np.sum(operand, axis=0, keepdims=True).reshape(-1)
            flat = g.reshape(-1)
            if now.size == flat.size and np.dot(now, now) > 0:
                s = float(np.dot(flat, now) / np.dot(now, now))
                predicted = s * np.sum(operand, axis=1, keepdims=True)
                if predicted.shape == exp and _rel(predicted, num) <= TOLERANCE and np.allclose(flat, s * now):
                    ev['fix'] = fix_axis(st, call, len(exp) == 2)
        return
    if len(exp) == 2 and exp[1] == 1 and g.shape == (exp[0], M):
        if _rel(np.sum(g, axis=1, keepdims=True), num) <= TOLERANCE:
            ev['code'] = 'missing-sum'
            ev['hint'] = f'{key} keeps one column per example: the sum over the m examples is missing (np.sum(…, axis=1, keepdims=True))'
            return
    no_axis = [n for n in sums if _axis_arg(n) is None and not any(k.arg == 'axis' for k in n.keywords)]
    if g.ndim == 0 and len(no_axis) == 1:
        ev['code'] = 'missing-axis'
        ev['hint'] = (f'`{st.src.segment(no_axis[0])}` has no axis, so it adds over the units as well as the '
                      f'examples and gives one number: sum over axis=1 (the m examples) with keepdims=True')
        return
    if other_layer_hint(st, ev, g, dims):
        return
    if product_hint(st, ev, value, g, exp, snap, glb, dims):
        return
    for node in (ast.walk(value) if value is not None else ()):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            a, b = safe_eval(node.left, glb, snap), safe_eval(node.right, glb, snap)
            if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.ndim == 2 and b.ndim == 2):
                continue
            try:
                out = np.broadcast_shapes(a.shape, b.shape)
            except ValueError:
                continue
            if out != g.shape:
                continue
            # `1 / m * dZ2 * A1` parses as `(1 / m * dZ2) * A1`: keep the scalar out of the product.
            scale, left = '', node.left
            if isinstance(left, ast.BinOp) and isinstance(left.op, ast.Mult) and np.ndim(safe_eval(left.left, glb, snap)) == 0 \
                    and safe_eval(left.left, glb, snap) is not None:
                scale, left = st.src.segment(left.left) + ' * ', left.right
            la, lb = st.src.segment(left), st.src.segment(node.right)
            suggestion = None
            if a.shape[1] == b.shape[0] and (a.shape[0], b.shape[1]) == exp:
                suggestion = f'{scale}np.dot({la}, {lb})'
            elif a.shape[1] == b.shape[1] and (a.shape[0], b.shape[0]) == exp:
                suggestion = f'{scale}np.dot({la}, {_toggle_t(node.right, st.src)})'
            if suggestion:
                ev['code'] = 'broadcast-instead-of-matmul'
                ev['hint'] = (f'`{st.src.segment(node)}` is an elementwise product, broadcast to {dims.sym(out)}; '
                              f'a matrix product was meant: {suggestion}')
                return


def other_layer_hint(st, ev, g, dims):
    """A gradient with exactly the shape of another layer's parameter (every dim is distinct, so
    this is no coincidence): the layer number of its key or of its cache is off."""
    kind = ev['pkey'][0]
    l = int(ev['pkey'][1:])
    other = [k for k in range(1, dims.L + 1) if k != l and dims.param_shape(f'{kind}{k}') == tuple(g.shape)]
    if len(other) != 1:
        return False
    k = other[0]
    expected = {f'd{p}{n}' for p in 'Wb' for n in range(1, dims.L + 1)}
    stray = [x for x in st.grad_keys if re.fullmatch(r'd[Wb]\d+', x) and x not in expected]
    ev['code'] = 'wrong-layer'
    ev['hint'] = (f'{ev["key"]} has the shape of {kind}{k}, {dims.both(g.shape, f"{kind}{k}")}: it holds the gradient '
                  f'of layer {k}, so the layer number of its key (or of the cache it was computed from) is off'
                  + (f'; the gradients also have {_join(chr(34) + x + chr(34) for x in stray)}, which no parameter has'
                     if stray else ''))
    return True


def product_hint(st, ev, value, g, exp, snap, glb, dims):
    """dW_l of a wrong shape made by a matrix product: which factor has the wrong shape, in the
    notes' terms (dW_l = 1/m · dZ_l · A_(l-1)ᵀ is (n_l, m) · (m, n_(l-1)))."""
    if value is None or len(exp) != 2 or not ev['pkey'].startswith('W'):
        return False
    for node in ast.walk(value):
        pair = None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            pair = (node.left, node.right)
        elif isinstance(node, ast.Call) and len(node.args) == 2 and \
                (_dotted_name(node.func) or '').split('.')[-1] in ('dot', 'matmul'):
            pair = tuple(node.args)
        if pair is None:
            continue
        a, b = (safe_eval(x, glb, snap) for x in pair)
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.ndim == b.ndim == 2):
            continue
        if (a.shape[0], b.shape[1]) != g.shape:
            continue
        l = int(ev['pkey'][1:])
        want_a, want_b = (exp[0], M), (M, exp[1])
        ta, tb = st.src.segment(pair[0]), st.src.segment(pair[1])
        bad = [(t, v, w) for t, v, w in ((ta, a, want_a), (tb, b, want_b)) if v.shape != w]
        if not bad:
            return False
        prev = 'X' if l == 1 else f'A{l - 1}'
        wrong = '; '.join(f'`{t}` is {dims.both(v.shape, t)} where {dims.both(w)} was needed' for t, v, w in bad)
        ev['code'] = 'wrong-factor'
        ev['hint'] = (f'{ev["key"]} = 1/m · dZ{l} · {prev}ᵀ multiplies {dims.both(want_a)} by {dims.both(want_b)}; '
                      f'here {wrong}')
        return True
    return False


# -- quick fixes (only where certain)
def pos(st, line, byte_col):
    return line, st.src.col(line, byte_col)


def insert_before_close(st, call, text):
    line, col = pos(st, call.end_lineno, call.end_col_offset - 1)
    return {'line': line, 'column': col, 'endLine': line, 'endColumn': col, 'newText': text}


def fix_axis(st, call, add_keepdims):
    node = _axis_node(call)
    if node is None or node.lineno != node.end_lineno:
        return None
    l, c = pos(st, node.lineno, node.col_offset)
    _, e = pos(st, node.lineno, node.end_col_offset)
    edits = [{'line': l, 'column': c, 'endLine': l, 'endColumn': e, 'newText': '1'}]
    if add_keepdims and not any(k.arg == 'keepdims' for k in call.keywords):
        if call.lineno != call.end_lineno:
            return None
        edits.append(insert_before_close(st, call, ', keepdims=True'))
    return {'title': 'Sum over axis=1 (the examples)', 'edits': edits}


def fix_transpose(st, stmt, snap, glb):
    if stmt is None or not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        return None
    products = []
    for n in ast.walk(stmt.value):
        if isinstance(n, ast.Call) and (_dotted_name(n.func) or '').split('.')[-1] in ('dot', 'matmul') and len(n.args) == 2 and not n.keywords:
            products.append((n, n.args[0], n.args[1]))
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult):
            products.append((n, n.left, n.right))
    if len(products) != 1:
        return None
    node, a, b = products[0]
    if node.lineno != node.end_lineno:
        return None
    # Everything around the product must be scalar factors, so transposing it transposes the gradient.
    scalars_only = _scalar_context(stmt.value, node, snap, glb)
    if not scalars_only:
        return None
    na, nb = _toggle_t(b, st.src), _toggle_t(a, st.src)
    if isinstance(node, ast.Call):
        text = f'{st.src.segment(node.func)}({na}, {nb})'
    else:
        text = f'{na} @ {nb}'
    l, c = pos(st, node.lineno, node.col_offset)
    _, e = pos(st, node.lineno, node.end_col_offset)
    return {'title': 'Swap the operands of the product', 'edits': [{'line': l, 'column': c, 'endLine': l, 'endColumn': e, 'newText': text}]}


def fix_one_over_m(st, ev):
    w = ev['write']
    stmt = stmt_of(st, ev)
    # Certain only when one assignment made the whole gradient and `m` is in scope there.
    if not w or not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1 or len(ev['writes']) != 1:
        return None
    if w[3].get('m') != M or stmt.value.lineno != stmt.value.end_lineno:
        return None
    value = stmt.value
    style = one_over_m_style(st, stmt.lineno)
    l, c = pos(st, value.lineno, value.col_offset)
    _, e = pos(st, value.lineno, value.end_col_offset)
    src = st.src.segment(value)
    wrap = isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub))
    if style == 'suffix':
        text = f'({src}) / m' if isinstance(value, (ast.BinOp, ast.UnaryOp)) else f'{src} / m'
    else:
        text = f'{style} * ({src})' if wrap else f'{style} * {src}'
    return {'title': 'Multiply by 1/m', 'edits': [{'line': l, 'column': c, 'endLine': l, 'endColumn': e, 'newText': text}]}


def one_over_m_style(st, near):
    """How this file writes 1/m (`1 / m`, `1./m`, `(1/m)`, `… / m`), nearest to line `near` first,
    so the fix matches it."""
    prefix = re.compile(r'\(\s*1(?:\.0*)?\s*/\s*m\s*\)(?=\s*\*)|(?<![\w.\-])1(?:\.0*)?\s*/\s*m(?=\s*\*)')
    order = sorted(range(1, len(st.src.lines) + 1), key=lambda l: abs(l - near))
    for l in order:
        mt = prefix.search(st.src.lines[l - 1])
        if mt:
            return mt.group(0).strip()
    for l in order:
        if re.search(r'\)\s*/\s*m\b', st.src.lines[l - 1]):
            return 'suffix'
    return '1 / m'


def _axis_node(call):
    """The expression given as `axis` of a np.sum-like call: by keyword, else the second argument."""
    node = None
    for k in call.keywords:
        if k.arg == 'axis':
            node = k.value
    if node is None and len(call.args) >= 2:
        node = call.args[1]
    return node


def _axis_arg(call):
    node = _axis_node(call)
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, int) else None


def _toggle_t(node, src):
    if isinstance(node, ast.Attribute) and node.attr == 'T':
        return src.segment(node.value)
    if isinstance(node, (ast.Name, ast.Subscript, ast.Attribute, ast.Call)):
        return src.segment(node) + '.T'
    return f'({src.segment(node)}).T'


def _scalar_context(value, product, snap, glb):
    if value is product:
        return True
    if isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Mult, ast.Div)):
        for inner, other in ((value.left, value.right), (value.right, value.left)):
            if any(n is product for n in ast.walk(inner)):
                v = safe_eval(other, glb, snap)
                return (v is not None and np.ndim(v) == 0) and _scalar_context(inner, product, snap, glb) \
                    and not (other is value.left and isinstance(value.op, ast.Div))
    return False
