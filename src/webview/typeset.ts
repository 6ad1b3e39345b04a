/**
 * Typesetting the notes' formulas with KaTeX: a cache by source, the map's deferred typesetting
 * (the formulas in view first, the rest right after the first frame is painted), and the warm-up
 * while the panel waits for its run.
 */
import katex from 'katex';
import { el } from './dom';

/**
 * Typeset TeX by its source. The same formulas come back all the time (the detail and the ReLU example
 * on every snapshot, the whole map on reset or a new seed), so each is typeset once and then cloned:
 * a deep clone is many times faster than KaTeX, and cloning keeps the inline styles KaTeX set through
 * the CSSOM without needing 'unsafe-inline'.
 */
const typeset = new Map<string, Node>();
const TYPESET_LIMIT = 4000;

export function katexInto(target: HTMLElement, tex: string, display = false): HTMLElement {
  const key = `${display ? 'D' : 'I'}${tex}`;
  let node = typeset.get(key);
  if (!node) {
    // HTML output only (no MathML copy): half the DOM, noticeably faster to build; screen readers get
    // the TeX source as the element's label instead.
    const holder = document.createElement('span');
    katex.render(tex, holder, { throwOnError: false, displayMode: display, output: 'html' });
    node = holder.firstChild!;
    if (typeset.size >= TYPESET_LIMIT) typeset.clear();
    typeset.set(key, node);
  }
  target.replaceChildren(node.cloneNode(true));
  target.setAttribute('aria-label', tex);
  return target;
}

/** A new element holding the typeset formula. */
export function tex(texSource: string, cls = 'tex', display = false): HTMLElement {
  return katexInto(el('div', { class: cls }), texSource, display);
}

/**
 * Formulas of the map not typeset yet, each box holding the place with an estimated height, a little
 * below the typeset one (so typesetting only pushes later boxes down, never pulls an empty one into
 * view). The first frame typesets those in view; the rest follows right after that frame is painted
 * (typesetRest), before anything else of the panel.
 */
export class DeferredTypesetting {
  private pending: { box: HTMLElement; fill: () => void }[] = [];

  later(box: HTMLElement, heightEm: number, fill: () => void): void {
    box.style.minHeight = `${heightEm}em`;
    this.pending.push({
      box,
      fill: () => {
        fill();
        box.style.minHeight = '';
      },
    });
  }

  clear(): void {
    this.pending = [];
  }

  typesetInView(): void {
    // Every box's place first (one layout of the light placeholders), then the typesetting.
    const places = this.pending.map((u) => u.box.getBoundingClientRect());
    const rest: typeof this.pending = [];
    this.pending.forEach((u, i) => {
      const r = places[i]!;
      if (r.bottom > 0 && r.top < window.innerHeight) u.fill();
      else rest.push(u);
    });
    this.pending = rest;
  }

  /** How many formulas wait, and how many of them are in view (read by the render-time test and the benchmark). */
  count(): { all: number; inView: number } {
    const inView = this.pending.filter((u) => {
      const r = u.box.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    }).length;
    return { all: this.pending.length, inView };
  }

  typesetRest(): void {
    for (const u of this.pending) u.fill();
    this.pending = [];
  }
}

/**
 * KaTeX's first formulas are several times slower than later ones (its code is not compiled and
 * optimised yet). While the panel waits for its run, the given formulas are typeset off screen, one
 * per idle slice, so the run's own map is typeset at full speed; it stops when `done` says so.
 */
export function warmUp(sources: string[], done: () => boolean): void {
  const scratch = document.createElement('div');
  const next = (deadline: IdleDeadline): void => {
    while (sources.length && !done() && deadline.timeRemaining() > 0) katexInto(scratch, sources.pop()!);
    if (sources.length && !done()) requestIdleCallback(next);
  };
  requestIdleCallback(next);
}
