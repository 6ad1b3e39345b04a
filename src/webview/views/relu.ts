// The notes' ReLU example on the run's own values: Z → relu → A forward, dA → * [Z > 0] → dZ
// backward, for one hidden layer (a choice when there are several); each cell a link to its term.
import { activate, clear, el } from '../dom';
import { renderHeatmap } from '../heatmap';
import { translator } from '../i18n';
import { corner, quantity } from '../quantities';
import type { MatrixData } from '../../core/types';
import type { PanelState } from '../state';
import { tex } from '../typeset';
import type { PanelContext, View } from './view';

const R = 4;
const C = 6;

export function reluView(region: HTMLElement, ctx: PanelContext): View {
  return {
    deps: (s) => [s.run, s.snapshot, s.reluLayer, s.palette],
    render(s: PanelState) {
      clear(region);
      const info = s.info;
      if (!info || !s.palette) return;
      const palette = s.palette;
      const t = translator(s.locale);
      const L = info.layerDims.length - 1;
      if (L < 2) return;
      const l = Math.min(Math.max(1, s.reluLayer), L - 1);
      region.appendChild(el('h2', { text: t('reluTitle', { l }) }));
      if (L > 2) {
        const sel = el('select', { 'aria-label': t('reluLayer') });
        for (let k = 1; k < L; k++) sel.appendChild(el('option', { value: k, text: `${t('layer')} ${k}`, selected: k === l }));
        sel.addEventListener('change', () => ctx.dispatch({ type: 'reluLayer', layer: Number(sel.value) }));
        region.appendChild(sel);
      }
      region.appendChild(el('p', { class: 'note', text: t('reluNote') }));
      const snap = s.snapshot;
      const layer = snap?.layers[l - 1];
      if (!layer) return;
      const maskFull = quantity(snap, { key: 'mask', layer: l })!;
      const cell = (label: string, md: MatrixData, id: string): HTMLElement => {
        const box = el('div', { class: 'relu-cell', role: 'button', tabindex: 0, 'data-goto': id });
        box.appendChild(tex(label));
        box.appendChild(renderHeatmap(md, { palette, t, label }));
        activate(box, () => ctx.dispatch({ type: 'select', id }));
        return box;
      };
      const arrow = (texSource: string): HTMLElement => tex(texSource, 'relu-arrow');
      // As in the notes' example: forward on the left (Z ↓ relu ↓ A), backward on the right (dA ↑ * [Z > 0] ↑ dZ).
      const fwd = el('div', { class: 'relu-col' }, el('div', { class: 'relu-h', text: t('forward') }),
        cell(`Z^{[${l}]}`, corner(layer.Z, R, C), `Z${l}`),
        arrow('\\downarrow\\;(\\text{relu})'),
        cell(`A^{[${l}]} = \\text{relu}(Z^{[${l}]})`, corner(layer.A, R, C), `A${l}`));
      const bwd = el('div', { class: 'relu-col' }, el('div', { class: 'relu-h', text: t('backward') }),
        cell(`dZ^{[${l}]} = dA^{[${l}]} * [Z^{[${l}]} > 0]`, corner(layer.dZ, R, C), `dZ${l}`),
        arrow('\\uparrow\\; * [Z > 0]'),
        cell(`[Z^{[${l}]} > 0]`, corner(maskFull, R, C), `mask${l}`),
        arrow('\\uparrow'),
        cell(`dA^{[${l}]}`, corner(layer.dA, R, C), `dA${l}`));
      region.appendChild(el('div', { class: 'relu-grid' }, fwd, bwd));
      region.appendChild(el('p', { class: 'note', text: t('firstCols', { rows: Math.min(R, layer.Z.rows), cols: Math.min(C, layer.Z.cols) }) }));
    },
  };
}
