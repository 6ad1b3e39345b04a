// The result of a finished run: why it ended, and the confusion matrix and scores on the training
// and the validation data.
import type { Metrics } from '../../core/types';
import { append, clear, el, fmt } from '../dom';
import { translator, type Translate } from '../i18n';
import type { View } from './view';

function metricsTable(t: Translate, title: string, m: Metrics, labels: { '0': string; '1': string }): HTMLElement {
  const box = el('div', { class: 'metrics' });
  box.appendChild(el('h3', { text: title }));
  const c = m.confusion;
  const table = el('table', { class: 'confusion', 'aria-label': `${t('confusion')} ${title}` });
  table.appendChild(el('caption', { text: t('confusion') }));
  const head = el('tr', {}, el('th', { text: `${t('actual')} \\ ${t('predicted')}` }), el('th', { scope: 'col', text: `0: ${labels['0']}` }), el('th', { scope: 'col', text: `1: ${labels['1']}` }));
  const row = (k: '0' | '1', a: number, b: number): HTMLElement =>
    el('tr', {}, el('th', { scope: 'row', text: `${k}: ${labels[k]}` }), el('td', { text: String(a) }), el('td', { text: String(b) }));
  append(table, el('thead', {}, head), el('tbody', {}, row('0', c.tn, c.fp), row('1', c.fn, c.tp)));
  box.appendChild(table);
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of [
    ['accuracy', m.accuracy],
    ['precision', m.precision],
    ['recall', m.recall],
    ['f1', m.f1],
    ['cost', m.cost],
  ] as const) {
    append(dl, el('dt', { text: t(k) }), el('dd', { 'data-metric': k, text: fmt(v, 4) }));
  }
  box.appendChild(dl);
  return box;
}

export function resultsView(region: HTMLElement): View {
  return {
    deps: (s) => [s.run, s.result],
    render(s) {
      clear(region);
      const r = s.result;
      if (!r || !s.info) return;
      const t = translator(s.locale);
      region.appendChild(el('h2', { text: t('resultsTitle') }));
      region.appendChild(el('p', { class: `reason reason-${r.reason}`, text: t(`reason_${r.reason}`, { epochs: r.epochs }) }));
      if (r.message) region.appendChild(el('p', { class: 'note', text: r.message }));
      const grid = el('div', { class: 'metrics-grid' });
      grid.appendChild(metricsTable(t, t('train'), r.train, s.info.labels));
      if (r.validation) grid.appendChild(metricsTable(t, t('val'), r.validation, s.info.labels));
      region.appendChild(grid);
    },
  };
}
