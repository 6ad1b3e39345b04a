"""Step 7 of a check, explaining: a run turned into gradient results and reports, one per root line
or per gradient line."""
import numpy as np

import bpm_attribute
import bpm_compare
from bpm_compare import _grad_order
from bpm_measure import TOLERANCE
from bpm_report import _join


def report_run(st, run):
    dims, evals = run['dims'], run['evals']
    order = _grad_order(run['expected'])
    grouped = bpm_attribute.spoiled_groups(st, run)
    by_line = {}
    for key in order:
        ev = evals[key]
        group = grouped.get(key)
        hint = ev['hint']
        if group is not None:
            hint = f'spoiled by {group["name"]} at line {group["line"]}' + (f' ({group["hint"]})' if group['hint'] else '')
        st.result['gradients'].append(bpm_compare.grad_entry(st, key, ev['status'], ev['shape'], dims, ev['rel'], ev['line'], hint))
        if ev['status'] == 'ok' or group is not None or ev['code'] == 'not-written':
            continue
        by_line.setdefault((ev['line'], ev['code']), []).append(ev)
    for group in {id(g): g for g in grouped.values()}.values():
        report_group(st, group, evals)
    for (line, code), evs in by_line.items():
        report_gradients(st, line, code, evs, dims, run)


def report_group(st, group, evals):
    spoiled = group['keys']
    rels = ', '.join(f'{k} {evals[k]["rel"]:.2g}' for k in spoiled if evals[k]['rel'] is not None)
    above = [k for k in evals if int(k[2:]) == group['layer'] + 1]
    above_right = above and all(evals[k]['status'] == 'ok' for k in above)
    if group.get('extra'):
        msg = (f'{group["hint"]} (rel. differences {rels}; tolerance {TOLERANCE:g}); keep one 1/m — the notes '
               f'apply it in dW and db only')
    elif group.get('evidence'):
        msg = (f'{group["evidence"]}; it spoils {_join(spoiled)} (rel. differences {rels}; '
               f'tolerance {TOLERANCE:g})' + (f'; the layer above ({", ".join(above)}) is right' if above_right else ''))
    else:
        above = (f'; the layer above ({", ".join(above)}) is right, so the fault is in {group["name"]} or what it '
                 f'is computed from') if above_right else '; the fault is in it or what it is computed from'
        msg = (f'{group["name"]} is wrong: it spoils {_join(spoiled)} (rel. differences {rels}; tolerance {TOLERANCE:g})'
               + above + (f' — {group["hint"]}' if group['hint'] else ''))
    related = [(w[0], f'{group["name"]} is first computed here') for w in group['writes'][:-1]] + group['inputs']
    users = {}
    for k in spoiled:
        if evals[k]['line']:
            users.setdefault(evals[k]['line'], []).append(k)
    for line, keys in users.items():
        verb = ('applies 1/m again' if len(keys) == 1 else 'apply 1/m again') if group.get('extra') else \
            ('is computed from it' if len(keys) == 1 else 'are computed from it')
        related.append((line, f'{_join(keys)} {verb} here'))
    st.reports.add(group['line'], 'error', 'extra-1-over-m' if group.get('extra') else 'wrong-intermediate', msg, related)


def describe_gradient(st, ev, dims, numerical):
    key, pkey = ev['key'], ev['pkey']
    exp = dims.param_shape(pkey)
    if ev['code'] == 'gradient-none':
        return f'{key} is None: it is not computed yet'
    if ev['status'] == 'missing':
        return f'the returned gradients have no "{key}"'
    if ev['code'] == 'gradient-type':
        return ev['hint']
    if ev['code'] == 'gradient-not-finite':
        return f'{key} is wrong: {ev["hint"]}'
    if ev['status'] == 'shape':
        has = ('is a single number (shape ())' if tuple(ev['shape']) == () else
               f'has shape {dims.both(ev["shape"], key if tuple(ev["shape"]) == exp else None)}')
        msg = f'{key} {has} but {pkey} is {dims.both(exp, pkey)}'
        return msg + (f' — {ev["hint"]}' if ev['hint'] else '')
    g = ev['value'].reshape(exp)
    num = numerical[pkey]
    idx = np.unravel_index(int(np.argmax(np.abs(g - num))), exp)
    where = ', '.join(str(int(i)) for i in idx)
    msg = (f'{key} is wrong: relative difference {ev["rel"]:.2g} > tolerance {TOLERANCE:g}; worst entry '
           f'{key}[{where}]: analytic {g[idx]:.6g}, numerical {num[idx]:.6g}')
    return msg + (f' — {ev["hint"]}' if ev['hint'] else '')


def report_gradients(st, line, code, evs, dims, run):
    bwd = st.fn['backward']
    if code == 'missing-gradient':
        have = ', '.join(f'"{k}"' for k in run['grads'] if isinstance(k, str)) or 'nothing'
        absent = _join(['"' + e['key'] + '"' for e in evs])
        msg = f'the gradients returned by `{bwd.__name__}` have no {absent} (they have {have})'
        st.reports.add(line, 'error', code, msg)
        return
    msg = describe_gradient(st, evs[0], dims, run['numerical'])
    if len(evs) > 1:
        msg += f' (the same line also computes {_join([e["key"] for e in evs[1:]])}, wrong too)'
    related = list(evs[0].get('related', []))
    for ev in evs:
        for kl in st.src.key_lines(ev['key']):
            if kl != line:
                related.append((kl, f'{ev["key"]} is stored here'))
    st.reports.add(line, 'error', code, msg, related, fix=evs[0]['fix'])
