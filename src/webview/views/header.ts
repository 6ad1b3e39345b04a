// The panel's top: its title, the run's data and network, the toolbar, and the status line (mode,
// epoch, cost, the phase last stepped), whose buttons are enabled as the mode allows.
import { append, clear, el, fmt } from '../dom';
import { translator } from '../i18n';
import type { PanelState } from '../state';
import type { PanelContext, View } from './view';

type ButtonKey = 'play' | 'pause' | 'step' | 'reset' | 'newSeed' | 'writeExercise' | 'exportPng' | 'exportCsv' | 'exportJson' | 'exportNumpy' | 'exportTorch';

export function headerView(region: HTMLElement, ctx: PanelContext): View {
  let builtFor = -1;
  let status: HTMLElement = el('span');
  let controls: Partial<Record<ButtonKey, HTMLButtonElement>> = {};

  function build(s: PanelState): void {
    const t = translator(s.locale);
    clear(region);
    const info = s.info;
    const title = el('h1', { text: t('title') });
    const meta = el('div', { class: 'meta' });
    if (info) {
      append(
        meta,
        el('span', { text: `${t('dataset')}: ${info.datasetName}` }),
        el('span', { text: `${t('label')}: ${info.labelName} (0 = ${info.labels['0']}, 1 = ${info.labels['1']})` }),
        el('span', { text: `m = ${info.m} ${t('examples')}${info.mValidation ? `, ${info.mValidation} ${t('validation')}` : ''}` }),
        el('span', { text: `[${info.layerDims.join(', ')}]` }),
      );
    }
    status = el('span', { class: 'status' });
    region.appendChild(el('div', { class: 'titlebar' }, title, status));
    region.appendChild(meta);
    if (ctx.isReport) region.appendChild(el('p', { class: 'note', text: t('reportNote') }));
    const bar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': t('title') });
    controls = {};
    const button = (key: ButtonKey, action: () => void, title?: string): HTMLButtonElement => {
      const b = el('button', { type: 'button', 'data-action': key, text: t(key), title: title ?? t(key) });
      b.addEventListener('click', action);
      controls[key] = b;
      return b;
    };
    if (!ctx.isReport && info) {
      append(
        bar,
        button('play', () => ctx.post({ type: 'control', action: 'play' })),
        button('pause', () => ctx.post({ type: 'control', action: 'pause' })),
        button('step', () => ctx.post({ type: 'control', action: 'step' }), t('stepHint')),
        button('reset', () => ctx.post({ type: 'control', action: 'reset' })),
        button('newSeed', () => ctx.post({ type: 'control', action: 'newSeed' })),
        el('span', { class: 'sep' }),
        button('writeExercise', () => ctx.post({ type: 'writeExercise' }), t('writeExerciseHint')),
        el('span', { class: 'sep' }),
      );
    }
    if (info) {
      append(bar, button('exportPng', () => ctx.exportPng()), button('exportCsv', () => ctx.exportHistory('csv')), button('exportJson', () => ctx.exportHistory('json')));
    }
    if (!ctx.isReport && info) {
      // The trained network as code: the extension host holds the model and writes the file.
      append(bar, button('exportNumpy', () => ctx.post({ type: 'exportScript', kind: 'numpy' })), button('exportTorch', () => ctx.post({ type: 'exportScript', kind: 'torch' })));
    }
    region.appendChild(bar);
    builtFor = s.run;
  }

  function updateStatus(s: PanelState): void {
    const t = translator(s.locale);
    const parts: string[] = [];
    if (s.mode) parts.push(t(`mode_${s.mode}`));
    const last = s.history.length ? s.history.points[s.history.length - 1]! : null;
    const current = s.snapshot && (!last || s.snapshot.epoch >= last.epoch);
    const epoch = current ? s.snapshot!.epoch : last?.epoch;
    if (epoch !== undefined) parts.push(`${t('epoch')} ${epoch}`);
    const cost = current ? s.snapshot!.cost : last?.cost;
    if (cost !== undefined) parts.push(`${t('cost')} ${fmt(cost, 5)}`);
    // Stepping: which phase of the epoch was run last.
    if (s.mode === 'paused' && s.snapshot) parts.push(t(s.snapshot.phase));
    status.textContent = parts.join(' · ');
    const m = s.mode;
    const set = (k: ButtonKey, enabled: boolean): void => {
      const b = controls[k];
      if (b) b.disabled = !enabled;
    };
    set('play', m === 'paused');
    set('pause', m === 'running');
    set('step', m === 'paused');
    set('reset', m !== null);
    set('newSeed', m !== null);
  }

  return {
    deps: (s) => [s.run, s.mode, s.history, s.snapshot],
    render(s) {
      if (builtFor !== s.run) build(s);
      updateStatus(s);
    },
  };
}
