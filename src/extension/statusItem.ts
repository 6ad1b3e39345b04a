// The status bar item of a run in progress: its epoch and cost, running or paused; a click shows
// the panel. Hidden when no run is in progress.
import * as vscode from 'vscode';
import { COMMANDS, STATUS_BAR_ITEM } from './ids';
import type { RunState } from './lastRun';

export class RunStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(STATUS_BAR_ITEM, vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Backprop Map training';
    this.item.command = COMMANDS.showPanel;
  }

  /** `live`: the run's worker still takes controls. */
  show(s: RunState | undefined, live: boolean): void {
    if (!live || !s || s.mode === 'finished') {
      this.item.hide();
      return;
    }
    const last = s.points.at(-1);
    const where = last ? `epoch ${last.epoch}/${s.info.hyper.epochs} · cost ${last.cost.toPrecision(3)}` : 'starting';
    this.item.text = `${s.mode === 'paused' ? '$(debug-pause)' : '$(sync~spin)'} ${where}`;
    this.item.tooltip = `Backprop Map: training on ${s.info.datasetName}${s.mode === 'paused' ? ' (paused)' : ''}. Click to show the backprop map.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
