"""Step 7 of a check, explaining: the first run turned into gradient results and reports, one per
root line or per gradient line, and the bugs a second run with n_y = 2 reveals that n_y = 1 hides."""
import ast

import numpy as np

from bpm_compare import TOLERANCE, _grad_order
from bpm_report import Abort, _join
from bpm_source import fmt_shape


class ExplainStep:
    """The Checker's step that writes the reports of the gradients."""

    def _report(self, run):
        dims, evals = run['dims'], run['evals']
        order = _grad_order(run['expected'])
        grouped = self._groups(run)
        by_line = {}
        for key in order:
            ev = evals[key]
            group = grouped.get(key)
            hint = ev['hint']
            if group is not None:
                hint = f'spoiled by {group["name"]} at line {group["line"]}' + (f' ({group["hint"]})' if group['hint'] else '')
            self.result['gradients'].append(self._grad_entry(key, ev['status'], ev['shape'], dims, ev['rel'], ev['line'], hint))
            if ev['status'] == 'ok' or group is not None or ev['code'] == 'not-written':
                continue
            by_line.setdefault((ev['line'], ev['code']), []).append(ev)
        for group in {id(g): g for g in grouped.values()}.values():
            self._report_group(group, evals)
        for (line, code), evs in by_line.items():
            self._report_gradients(line, code, evs, dims, run)

    def _report_group(self, group, evals):
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
        self.reports.add(group['line'], 'error', 'extra-1-over-m' if group.get('extra') else 'wrong-intermediate', msg, related)

    def _describe_gradient(self, ev, dims, numerical):
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

    def _report_gradients(self, line, code, evs, dims, run):
        bwd = self.fn['backward']
        if code == 'missing-gradient':
            have = ', '.join(f'"{k}"' for k in run['grads'] if isinstance(k, str)) or 'nothing'
            absent = _join(['"' + e['key'] + '"' for e in evs])
            msg = f'the gradients returned by `{bwd.__name__}` have no {absent} (they have {have})'
            self.reports.add(line, 'error', code, msg)
            return
        msg = self._describe_gradient(evs[0], dims, run['numerical'])
        if len(evs) > 1:
            msg += f' (the same line also computes {_join([e["key"] for e in evs[1:]])}, wrong too)'
        related = list(evs[0].get('related', []))
        for ev in evs:
            for kl in self.src.key_lines(ev['key']):
                if kl != line:
                    related.append((kl, f'{ev["key"]} is stored here'))
        self.reports.add(line, 'error', code, msg, related, fix=evs[0]['fix'])

    # -- n_y = 2: bugs that only n_y = 1 hides
    def _latent(self, run1):
        self.progress('second run with n_y = 2')
        dims2 = list(run1['layer_dims'][:-1]) + [2]
        try:
            run2 = self._run(dims2, primary=False)
        except Abort:
            run2 = None
        ok1 = [g['name'] for g in self.result['gradients'] if g['status'] == 'ok']
        squeezed = [k for k in ok1 if run1['evals'][k]['squeezed']]
        if run2 is None:
            for k in squeezed:
                ev = run1['evals'][k]
                self.reports.add(ev['line'], 'warning', 'latent-n_y-1',
                                 f'{k} has shape {fmt_shape(ev["shape"])} where {ev["pkey"]} is '
                                 f'{run1["dims"].both(run1["expected"][ev["pkey"]], ev["pkey"])}: right only because n_y = 1; '
                                 f'use np.sum(…, axis=1, keepdims=True)')
            return
        if run2['failed'] is not None:
            info = run2['failed'].info
            if info is None or info['code'] != 'exception' or any(
                    r['line'] == info['line'] and r['severity'] == 'error' for r in self.reports.items):
                return
            suggestion = ''
            node = info['node']
            sa, sb = info.get('shapes') or (None, None)
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and sa and sb and sa[-1] == sb[0]:
                suggestion = ' (while n_y = 1, the elementwise product happens to equal it)'
            self.reports.add(info['line'], 'warning', 'latent-n_y-1',
                             f'right only because n_y = 1: with n_y = 2, {info["message"]}{suggestion}',
                             info['related'], node=node)
            return
        grouped = self._groups(run2)
        group = next(iter(grouped.values()), None)
        if group is not None and all(k in ok1 for k in grouped):
            names = _join(list(grouped))
            self.reports.add(group['line'], 'warning', 'latent-n_y-1',
                             f'{names} are right only because n_y = 1: with n_y = 2, {group["name"]} is wrong and spoils '
                             f'them all (the fault is in it or what it is computed from)',
                             [(w[0], f'{group["name"]} is first computed here') for w in group['writes'][:-1]] + group['inputs'])
        by_line = {}
        for k in ok1:
            ev = run2['evals'][k]
            if ev['status'] != 'ok' and k not in grouped:
                by_line.setdefault(ev['line'], []).append(ev)
        for line, evs in by_line.items():
            if any(r['line'] == line and r['severity'] == 'error' for r in self.reports.items):
                continue
            msg = self._describe_gradient(evs[0], run2['dims'], run2['numerical'])
            names = _join([e['key'] for e in evs])
            self.reports.add(line, 'warning', 'latent-n_y-1',
                             f'{names} {"is" if len(evs) == 1 else "are"} right only because n_y = 1: with n_y = 2, {msg}')
