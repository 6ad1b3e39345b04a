// The notes' gradient check ("Der Gradient"): the button that asks the host for it, the verdict by
// the shared thresholds, the relative difference per parameter, and θ, dθ and the numerical dθ.
import { GRADCHECK_THRESHOLDS, gradcheckVerdict, relativeDifference } from '../../core/tolerance';
import { append, clear, el, fmt } from '../dom';
import { translator } from '../i18n';
import { parameterNames } from '../quantities';
import type { PanelContext, View } from './view';

const GRADCHECK_ROWS = 60;
const VERDICT = { ok: 'gradcheckOk', rounding: 'gradcheckRounding', wrong: 'gradcheckBad' } as const;

export function gradcheckView(region: HTMLElement, ctx: PanelContext): View {
  return {
    deps: (s) => [s.run, s.gradcheck, s.gradcheckPending],
    render(s) {
      clear(region);
      if (!s.info) return;
      const t = translator(s.locale);
      region.appendChild(el('h2', { text: t('gradcheckTitle') }));
      if (!ctx.isReport) {
        const b = el('button', { type: 'button', 'data-action': 'gradcheck', text: s.gradcheckPending ? t('gradcheckRunning') : t('gradcheckRun') });
        b.disabled = s.gradcheckPending;
        b.addEventListener('click', () => {
          ctx.dispatch({ type: 'gradcheckRequested' });
          ctx.post({ type: 'gradcheck' });
        });
        region.appendChild(b);
      }
      const g = s.gradcheck;
      if (!g) return;
      const verdict = VERDICT[gradcheckVerdict(g.relDifference)];
      const ok = verdict !== 'gradcheckBad';
      region.appendChild(el('p', { class: 'gc-summary', text: t('gradcheckSummary', { d: g.relDifference.toExponential(2), eps: g.epsilon.toExponential() }) }));
      region.appendChild(el('p', { class: ok ? 'ok' : 'bad', text: `${ok ? '✓' : '✗'} ${t(verdict, { limit: GRADCHECK_THRESHOLDS.rounding.toExponential() })}` }));
      if (g.perParameter.length) {
        const per = el('table', { class: 'grid' });
        append(per, el('tr', {}, el('th', { text: t('parameter') }), el('th', { text: t('relDiff') })));
        for (const p of g.perParameter) per.appendChild(el('tr', {}, el('td', { text: p.name }), el('td', { text: p.relDifference.toExponential(2) })));
        region.appendChild(per);
      }
      const names = parameterNames(s.info.layerDims);
      const table = el('table', { class: 'grid gc-table' });
      append(table, el('tr', {}, ...[t('parameter'), t('theta'), t('dtheta'), t('dthetaApprox'), t('relDiff')].map((h) => el('th', { scope: 'col', text: h }))));
      const n = g.theta.length;
      for (let i = 0; i < Math.min(n, GRADCHECK_ROWS); i++) {
        const d = g.dtheta[i]!;
        const a = g.dthetaApprox[i]!;
        const rel = relativeDifference([d], [a]);
        table.appendChild(
          el('tr', {}, el('td', { text: names[i] ?? String(i + 1) }), el('td', { text: fmt(g.theta[i]!, 5) }), el('td', { text: fmt(d, 6) }), el('td', { text: fmt(a, 6) }), el('td', { text: rel.toExponential(1) })),
        );
      }
      region.appendChild(el('div', { class: 'scroll' }, table));
      if (n > GRADCHECK_ROWS) region.appendChild(el('p', { class: 'note', text: t('moreRows', { n: n - GRADCHECK_ROWS }) }));
    },
  };
}
