// The selected term in detail: its quantity, shape, formula, what it is computed from (each a link),
// the notes' explanation, and its matrix as a heatmap; while stepping, its values before and after.
import { quantityTex } from '../../shared/tex';
import { append, clear, el } from '../dom';
import { renderHeatmap } from '../heatmap';
import { explainKey, translator } from '../i18n';
import { quantity, termById, termIdFor } from '../quantities';
import type { PanelState } from '../state';
import { katexInto, tex } from '../typeset';
import type { QuantityRef } from '../../shared/tex';
import type { PanelContext, View } from './view';

function rowLabelsFor(s: PanelState, ref: QuantityRef): string[] | undefined {
  const info = s.info;
  if (!info) return undefined;
  if (ref.key === 'X' || (ref.key === 'A' && ref.layer === 0)) return info.featureNames;
  if (ref.key === 'Y') return [info.labelName];
  return undefined;
}

export function detailView(region: HTMLElement, ctx: PanelContext): View {
  return {
    deps: (s) => [s.run, s.selected, s.snapshot, s.previous, s.mode, s.palette],
    render(s) {
      const t = translator(s.locale);
      clear(region);
      const term = termById(s.terms, s.selected, s.info);
      if (!term || !s.info || !s.palette) {
        region.appendChild(el('p', { class: 'hint', text: t('clickHint') }));
        return;
      }
      const L = s.info.layerDims.length - 1;
      region.setAttribute('data-term', term.id);
      region.appendChild(tex(quantityTex(term.ref, L), 'detail-title', true));
      const dl = el('dl', { class: 'facts' });
      append(dl, el('dt', { text: t('notation') }), tex(term.shapeTex, 'tex detail-shape'));
      if (term.productTex) dl.appendChild(tex(term.productTex, 'tex'));
      if (term.broadcastTex) dl.appendChild(tex(term.broadcastTex, 'tex'));
      append(dl, el('dt', { text: t('formula') }), tex(term.tex, 'tex detail-formula'));
      append(dl, el('dt', { text: t('computedFrom') }));
      const chips = el('dd', { class: 'chips' });
      if (term.inputs.length === 0) chips.appendChild(el('span', { text: '—' }));
      for (const ref of term.inputs) {
        const id = ref.key === 'mask' ? `mask${ref.layer}` : termIdFor(ref);
        const chip = el('button', { type: 'button', class: 'chip', 'data-goto': id });
        katexInto(chip, quantityTex(ref, L).replace(/ = \\hat\{y\}$/, ''));
        chip.addEventListener('click', () => ctx.dispatch({ type: 'select', id }));
        chips.appendChild(chip);
      }
      dl.appendChild(chips);
      region.appendChild(dl);
      region.appendChild(el('p', { class: 'explain', text: t(explainKey(term.explain)) }));

      const current = quantity(s.snapshot, term.ref);
      if (!current) {
        region.appendChild(el('p', { class: 'note', text: t('notComputed') }));
        return;
      }
      // Stepping: say when a term still shows an earlier step's values.
      const phase = s.mode === 'paused' ? s.snapshot?.phase : undefined;
      if (phase === 'forward' && term.phase === 'backward') region.appendChild(el('p', { class: 'note stale', text: t('fromLastEpoch') }));
      if ((phase === 'forward' || phase === 'backward') && term.phase === 'update') region.appendChild(el('p', { class: 'note stale', text: t('notUpdatedYet') }));
      const label = quantityTex(term.ref, L);
      const before = s.mode === 'paused' && s.snapshot && term.phase === s.snapshot.phase ? quantity(s.previous, term.ref) : null;
      const rowLabels = rowLabelsFor(s, term.ref);
      const opts = { palette: s.palette, t, label, ...(rowLabels ? { rowLabels } : {}) };
      if (before) {
        const scale = Math.max(...[...before.data, ...current.data].map(Math.abs), 0);
        const pair = el('div', { class: 'before-after' });
        pair.appendChild(el('div', {}, el('h4', { text: t('before') }), renderHeatmap(before, { ...opts, scale })));
        pair.appendChild(el('div', {}, el('h4', { text: t('after') }), renderHeatmap(current, { ...opts, scale, compare: before })));
        region.appendChild(pair);
      } else {
        region.appendChild(renderHeatmap(current, opts));
      }
    },
  };
}
