// What a view of the panel is: a region drawn from the state, again whenever a value it depends
// on has changed (main.ts compares them), and what a view may do besides drawing.
import type { FromPanel } from '../../protocol';
import type { PanelAction, PanelState } from '../state';

export interface View {
  /** The values of the state this view shows: it is drawn again when one of them is not the same. */
  deps(s: PanelState): readonly unknown[];
  render(s: PanelState): void;
}

export interface PanelContext {
  /** The offline report: no host to talk to, no controls. */
  isReport: boolean;
  dispatch(a: PanelAction): void;
  post(m: FromPanel): void;
  exportPng(): void;
  exportHistory(format: 'csv' | 'json'): void;
}
