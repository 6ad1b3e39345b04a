// The live training view: the cost, accuracy and gradient-norm curves over the epochs, and for
// 2-feature data the decision boundary. The curves are redrawn at most once a frame, and when the
// panel is resized (one observer, ended when the view is built for the next run).
import { boundaryView, lineChart, type BoundaryView, type LineChart } from '../charts';
import { clear, el } from '../dom';
import { translator } from '../i18n';
import { historyOf, type PanelState } from '../state';
import type { View } from './view';

export function trainingView(region: HTMLElement): View {
  let builtFor = -1;
  let charts: { cost: LineChart; acc: LineChart; grad: LineChart; boundary: BoundaryView | null } | null = null;
  let resize: ResizeObserver | null = null;
  let shown: { history: unknown; boundary: unknown; palette: unknown } = { history: null, boundary: null, palette: null };
  let latest: PanelState | null = null;
  let queued = false;

  function drawCharts(): void {
    const s = latest;
    if (!charts || !s?.info || !s.palette) return;
    const t0 = performance.now();
    const t = translator(s.locale);
    const h = historyOf(s.history);
    const c = s.palette.series;
    const hasVal = s.info.mValidation > 0;
    charts.cost.draw(h.epochs, [{ label: t('train'), color: c[0]!, values: h.cost }, ...(hasVal ? [{ label: t('val'), color: c[1]!, values: h.valCost }] : [])], s.palette);
    charts.acc.draw(h.epochs, [{ label: t('train'), color: c[0]!, values: h.acc }, ...(hasVal ? [{ label: t('val'), color: c[1]!, values: h.valAcc }] : [])], s.palette);
    charts.grad.draw(h.epochs, h.grad.map((values, l) => ({ label: `‖dW[${l + 1}]‖`, color: c[(l + 2) % c.length]!, values })), s.palette);
    // The cost of one redraw, for the test of long histories.
    document.body.dataset.chartsMs = (performance.now() - t0).toFixed(1);
  }

  /** At most one redraw per frame, however many epochs messages come in it. */
  function queueCharts(): void {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      drawCharts();
    });
  }

  function build(s: PanelState): void {
    resize?.disconnect();
    resize = null;
    clear(region);
    charts = null;
    builtFor = s.run;
    const info = s.info;
    if (!info) return;
    const t = translator(s.locale);
    region.appendChild(el('h2', { text: t('trainingTitle') }));
    charts = {
      cost: lineChart(t('costChart'), { epochWord: t('epoch') }),
      acc: lineChart(t('accuracyChart'), { fixed: [0, 1], epochWord: t('epoch') }),
      grad: lineChart(t('gradChart'), { log: true, epochWord: t('epoch') }),
      boundary: info.featureNames.length === 2 ? boundaryView(t('boundaryTitle'), info.featureNames, [info.labels['0'], info.labels['1']]) : null,
    };
    const grid = el('div', { class: 'charts' }, charts.cost.root, charts.acc.root, charts.grad.root);
    if (charts.boundary) grid.appendChild(charts.boundary.root);
    region.appendChild(grid);
    region.appendChild(el('p', { class: 'hint', text: t('hoverHint') }));
    // The charts draw at their laid-out width: redraw when the panel is resized.
    resize = new ResizeObserver(() => queueCharts());
    resize.observe(grid);
    shown = { history: null, boundary: null, palette: null };
  }

  return {
    deps: (s) => [s.run, s.history, s.boundary, s.palette],
    render(s) {
      latest = s;
      if (builtFor !== s.run) build(s);
      if (!charts || !s.palette) return;
      const themed = shown.palette !== s.palette;
      // New epochs wait for the next frame; a new theme (or a new run) is drawn at once.
      if (themed || shown.history === null) drawCharts();
      else if (shown.history !== s.history) queueCharts();
      if (s.boundary && (themed || shown.boundary !== s.boundary)) charts.boundary?.draw(s.boundary, s.palette);
      shown = { history: s.history, boundary: s.boundary, palette: s.palette };
    },
  };
}
