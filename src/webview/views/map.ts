// The backprop map: every term of the notes' map for the run's network, typeset (those in view
// first), clickable, marked as the exercise's check found it, and, while stepping, the terms of the
// phase last run highlighted.
import type { ExerciseMark } from '../../exercise/marks';
import { type MapTerm, stackedUpdateTex } from '../../shared/tex';
import type { Phase } from '../../core/types';
import { activate, append, clear, el, fmt } from '../dom';
import { translator } from '../i18n';
import type { PanelState } from '../state';
import { DeferredTypesetting, katexInto } from '../typeset';
import type { PanelContext, View } from './view';

export interface MapView extends View {
  /** Typesets the formulas not typeset yet (after the first frame is painted). */
  typesetRest(): void;
  /** How many formulas wait, and how many of them are in view. */
  pending(): { all: number; inView: number };
}

function sectionHeading(text: string, phase?: Phase): HTMLElement {
  return el('h3', { class: `section-h${phase ? ` phase-${phase}` : ''}`, text });
}

export function mapView(region: HTMLElement, ctx: PanelContext): MapView {
  let builtFor = -1;
  const termEls = new Map<string, HTMLElement>();
  const deferred = new DeferredTypesetting();

  function build(s: PanelState): void {
    const t = translator(s.locale);
    termEls.clear();
    deferred.clear();
    clear(region);
    delete region.dataset.typeset;
    builtFor = s.run;
    const info = s.info;
    if (!info) {
      region.appendChild(el('p', { class: 'empty', text: t('noRun') }));
      return;
    }
    const L = info.layerDims.length - 1;
    region.appendChild(el('h2', { id: 'map-h', text: t('mapTitle') }));
    const phases = el('ol', { class: 'phases' });
    for (const p of ['forward', 'backward', 'update'] as const) {
      // The arrow is text of its own (not CSS content), so that the PNG of the view shows it too.
      if (p !== 'forward') phases.appendChild(el('li', { class: 'then', 'aria-hidden': 'true', text: '→' }));
      phases.appendChild(el('li', { 'data-phase': p, text: t(p) }));
    }
    region.appendChild(phases);

    const termEl = (term: MapTerm): HTMLElement => {
      const box = el('div', {
        class: `term section-${term.section}`,
        role: 'button',
        tabindex: 0,
        'data-term': term.id,
        'aria-pressed': 'false',
        // The TeX source is the closest plain-text reading of the typeset formula.
        'aria-label': `${term.tex}; ${term.shapeTex}`,
      });
      const parts: [HTMLElement, string][] = [[el('div', { class: 'tex' }), term.tex], [el('div', { class: 'shape' }), term.shapeTex]];
      if (term.productTex) parts.push([el('div', { class: 'product' }), term.productTex]);
      if (term.broadcastTex) parts.push([el('div', { class: 'product broadcast' }), term.broadcastTex]);
      append(box, ...parts.map(([e]) => e), el('div', { class: 'value' }));
      deferred.later(box, 1.3 * parts.length, () => {
        for (const [e, source] of parts) katexInto(e, source);
      });
      activate(box, () => ctx.dispatch({ type: 'select', id: term.id }));
      termEls.set(term.id, box);
      return box;
    };
    const group = (title: string | null, list: MapTerm[]): HTMLElement => {
      const g = el('div', { class: 'group' });
      if (title) g.appendChild(el('div', { class: 'group-h', text: title }));
      for (const term of list) g.appendChild(termEl(term));
      return g;
    };
    const of = (section: MapTerm['section'], layer?: number): MapTerm[] =>
      s.terms.filter((x) => x.section === section && (layer === undefined || x.layer === layer));

    const fwd = el('div', { class: 'col col-forward' });
    fwd.appendChild(sectionHeading(`${t('forward')} ↓`, 'forward'));
    fwd.appendChild(group(`${t('layer')} 0 · ${t('input')}`, of('input')));
    for (let l = 1; l <= L; l++) fwd.appendChild(group(`${t('layer')} ${l}`, of('forward', l)));
    fwd.appendChild(sectionHeading(t('costSection'), 'forward'));
    fwd.appendChild(group(null, of('cost')));

    const bwd = el('div', { class: 'col col-backward' });
    bwd.appendChild(sectionHeading(`${t('backward')} ↑`, 'backward'));
    for (let l = L; l >= 1; l--) bwd.appendChild(group(`${t('layer')} ${l}`, of('backward', l)));

    const upd = el('div', { class: 'col col-update' });
    upd.appendChild(sectionHeading(t('update'), 'update'));
    const stacked = upd.appendChild(el('div', { class: 'stacked' }));
    deferred.later(stacked, 2.5 * L + 2, () => katexInto(stacked, stackedUpdateTex(L, t('neu'), t('alt')), true));
    const updGrid = el('div', { class: 'update-grid' });
    for (let l = 1; l <= L; l++) updGrid.appendChild(group(null, of('update', l)));
    upd.appendChild(updGrid);

    region.appendChild(el('div', { class: 'map-grid' }, fwd, bwd, upd));
    region.appendChild(el('p', { class: 'hint', text: t('clickHint') }));
  }

  /** Each term's mark from the latest check of the exercise file, and a line that sums them up. */
  function markExercise(s: PanelState): void {
    const ex = s.exercise;
    const byTerm = new Map((ex?.marks ?? []).map((m) => [m.term, m]));
    for (const [id, box] of termEls) {
      const mark = byTerm.get(id);
      if (mark) box.dataset.exercise = mark.status;
      else delete box.dataset.exercise;
    }
    region.querySelector('.exercise-summary')?.remove();
    if (!ex || !s.info) return;
    const count = (status: ExerciseMark['status']): number => ex.marks.filter((m) => m.status === status && termEls.has(m.term)).length;
    const summary = el('p', {
      class: 'exercise-summary',
      role: 'status',
      text: translator(s.locale)('exerciseSummary', { file: ex.file, right: count('right'), wrong: count('wrong'), missing: count('missing') }),
    });
    region.querySelector('#map-h')?.after(summary);
  }

  /** J in the map and, while stepping, the phase last run and its terms. */
  function markSnapshot(s: PanelState): void {
    const snap = s.snapshot;
    const jBox = termEls.get('J')?.querySelector('.value');
    if (jBox) jBox.textContent = snap ? `J = ${fmt(snap.cost, 6)}` : '';
    const stepping = s.mode === 'paused' && snap !== null;
    for (const [id, e] of termEls) {
      const term = s.terms.find((x) => x.id === id);
      e.classList.toggle('active', stepping && term?.phase === snap!.phase);
    }
    for (const li of region.querySelectorAll<HTMLElement>('.phases li[data-phase]')) {
      const on = stepping && li.dataset.phase === snap!.phase;
      li.classList.toggle('active', on);
      if (on) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    }
    region.dataset.phase = stepping ? snap!.phase : '';
    region.dataset.epoch = snap ? String(snap.epoch) : '';
  }

  return {
    deps: (s) => [s.run, s.exercise, s.selected, s.snapshot, s.mode],
    render(s) {
      const fresh = builtFor !== s.run;
      if (fresh) build(s);
      for (const [id, e] of termEls) e.setAttribute('aria-pressed', String(id === s.selected));
      markExercise(s);
      markSnapshot(s);
      if (fresh) deferred.typesetInView();
    },
    typesetRest() {
      deferred.typesetRest();
      region.dataset.typeset = 'all';
    },
    pending: () => deferred.count(),
  };
}
