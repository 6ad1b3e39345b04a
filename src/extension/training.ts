// "Train DNN" and the commands around a run: the questions before it, the run itself in the
// training worker (a WorkerRun), and what it shows while it runs: the panel, a progress
// notification, the status bar. Its files are written through their save dialogs by runExports.ts;
// the last run is kept across window reloads by a LastRunStore.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_HYPER, randomSeed } from '../core/hyper';
import type { Hyper, RunResult } from '../core/types';
import { sniffTable } from '../data/sniff';
import { DataError } from '../data/errors';
import type { DataSource } from '../data/types';
import type { ScriptKind } from '../export/pythonScript';
import type { FromPanel, FromWorker, ToPanel } from '../protocol';
import { type Locale, localeOf } from '../shared/locale';
import { showDataError } from './dataErrors';
import { COMMANDS, CONTEXT_KEYS } from './ids';
import { type RunOrigin, type RunState, type SavedModel, runMessages, unfinishedRunMessage } from './lastRun';
import { LastRunStore } from './lastRunStore';
import { BackpropMapPanel, type PanelOwner } from './panel';
import { exportHistory, exportPng, exportScript, saveModel } from './runExports';
import { inert, summary } from './runFiles';
import { hyperFromSettings } from './settings';
import { RunStatusItem } from './statusItem';
import { chooseData, chooseLabel, dataSource, editHyper, tableText, type DataChoice } from './trainingInputs';
import { type TrainOutcome, WorkerRun } from './workerRun';

/** Arguments of `backpropMap.train` when called from code (tests, other extensions): no questions asked. */
export interface TrainArgs {
  /** A CSV/TSV file, or `sample:NAME`. */
  data: vscode.Uri | string;
  /** Column name or 0-based index; default: the likely label column. */
  label?: string | number;
  /** Overrides of the settings' hyper-parameters. */
  hyper?: Partial<Hyper>;
}

/** The progress notification of a run: set once VS Code shows it; how much of the bar is filled. */
interface RunProgress {
  report: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  percent: number;
}

export class Training implements vscode.Disposable {
  /** The run in the worker, until its worker ends (a finished run keeps it for Reset and the gradient check). */
  private run: WorkerRun | undefined;
  /** The run the panel shows: the worker's, or the one restored after a reload. */
  private state: RunState | undefined;
  private model: SavedModel | undefined;
  /** The data of the current (or restored) run, to train it again. */
  private origin: RunOrigin | undefined;
  /** The dataset of a run that a previous extension host started and never finished. */
  private unfinished: string | undefined;
  /** Why the current run failed, shown under it. */
  private failure: string | undefined;
  /** The latest check of the exercise file, marked on the map. */
  private exercise: Extract<ToPanel, { type: 'exercise' }> | undefined;
  /** The panel's view of this object: its messages, and the run to replay. */
  private readonly panelOwner: PanelOwner = { onMessage: (m) => this.onPanelMessage(m), replay: () => this.replay() };
  private readonly status: RunStatusItem;
  private readonly lastRun: LastRunStore;
  private restoring: Promise<void> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.status = new RunStatusItem();
    // In the workspace's storage: each workspace restores its own last run.
    this.lastRun = new LastRunStore(path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'last-run.json'), log);
    void this.restore();
  }

  // ------------------------------------------------------------------ commands

  /**
   * Train DNN: asks for data, label and hyper-parameters unless `args` gives the data. From the
   * editor title's run menu it gets the table's Uri and asks the rest.
   */
  async train(arg?: TrainArgs | vscode.Uri): Promise<TrainOutcome> {
    const args = arg instanceof vscode.Uri ? undefined : arg;
    const interactive = !args;
    let choice: DataChoice | undefined;
    if (arg instanceof vscode.Uri) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === arg.toString());
      choice = { kind: 'file', uri: arg, ...(open ? { text: open.getText() } : {}) };
    } else if (args) {
      choice = typeof args.data === 'string' && args.data.startsWith('sample:')
        ? { kind: 'sample', name: args.data.slice('sample:'.length) }
        : { kind: 'file', uri: typeof args.data === 'string' ? vscode.Uri.file(args.data) : args.data };
    } else {
      choice = await chooseData();
    }
    if (!choice) return { kind: 'cancelled' };

    let label: number | null = null;
    let dataName: string;
    if (choice.kind === 'file') {
      dataName = path.basename(choice.uri.fsPath);
      let sniff;
      try {
        sniff = sniffTable(await tableText(choice), dataName);
      } catch (e) {
        if (e instanceof DataError) return showDataError({ ...e.toInfo(), file: choice.uri.fsPath }, choice.uri, this.log);
        const message = `Cannot read ${dataName}: ${e instanceof Error ? e.message : String(e)}`;
        void vscode.window.showErrorMessage(inert(message));
        return { kind: 'failed', message };
      }
      if (typeof args?.label === 'string') {
        label = sniff.columns.indexOf(args.label);
        if (label < 0) {
          return showDataError({ message: `${dataName} has no column named "${args.label}".`, file: choice.uri.fsPath, line: 1, column: null }, choice.uri, this.log);
        }
      } else if (typeof args?.label === 'number') {
        label = args.label;
      } else if (interactive) {
        const picked = await chooseLabel(sniff, dataName);
        if (picked === undefined) return { kind: 'cancelled' };
        label = picked;
      } else {
        label = sniff.suggestedLabel;
      }
    } else {
      dataName = choice.name;
    }

    let hyper: Hyper = { ...hyperFromSettings(DEFAULT_HYPER), ...args?.hyper };
    if (interactive) {
      const edited = await editHyper(hyper, dataName);
      if (!edited) return { kind: 'cancelled' };
      hyper = edited;
    }

    if (this.run) {
      if (interactive && this.state?.mode !== 'finished') {
        const stop = await vscode.window.showWarningMessage('A training run is in progress. Stop it and start the new one?', 'Stop and Start');
        if (stop !== 'Stop and Start') return { kind: 'cancelled' };
      }
      await this.run.close();
    }
    return this.start(dataSource(choice, label), hyper, dataName, choice.kind === 'file' ? choice.uri : undefined);
  }

  /** Show Backprop Map (also the status bar item): the current run, or the last one kept. */
  async showPanel(): Promise<void> {
    await this.restore();
    this.openPanel();
  }

  /** The layer sizes and m of the current (or restored) run, if there is one. */
  async currentRun(): Promise<{ layerDims: number[]; m: number } | undefined> {
    await this.restore();
    return this.state && { layerDims: this.state.info.layerDims, m: this.state.info.m };
  }

  /** Marks the terms of the map as the latest check of the exercise file found them. */
  showExercise(m: Extract<ToPanel, { type: 'exercise' }>): void {
    this.exercise = m;
    this.panel()?.post(m);
  }

  private openPanel(): void {
    BackpropMapPanel.createOrShow(this.context.extensionUri, this.panelOwner);
  }

  /** Stop Training: ends the run; the model trained so far is kept. */
  stop(): void {
    if (!this.run || this.state?.mode === 'finished') {
      void vscode.window.showInformationMessage('No training run is in progress.');
      return;
    }
    this.run.post({ type: 'stop' });
  }

  /** Save Trained Model…: `target` skips the save dialog (for code that calls the command). */
  async saveModel(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    await this.restore();
    return this.model ? saveModel(this.model, target, this.log) : noModelYet();
  }

  /** Export as numpy… / Export as PyTorch… (`target`, given by code, skips the save dialog). */
  async exportScript(kind: ScriptKind, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    await this.restore();
    return this.model ? exportScript(kind, this.model, target, this.log) : noModelYet();
  }

  /** Registered with the WebviewPanelSerializer (which waits for it): a panel restored after a window reload. */
  async revive(webviewPanel: vscode.WebviewPanel): Promise<void> {
    const panel = BackpropMapPanel.revive(webviewPanel, this.context.extensionUri, this.panelOwner);
    await this.restore();
    // The webview may have said 'ready' before the last run was read.
    panel.refresh();
  }

  /** Ends a run in progress at once: its progress notification closes, and `train` resolves as cancelled. */
  dispose(): void {
    this.run?.dispose();
    this.run = undefined;
    this.status.dispose();
  }

  // ------------------------------------------------------------------ the run

  private async start(source: DataSource, hyper: Hyper, dataName: string, fileUri: vscode.Uri | undefined): Promise<TrainOutcome> {
    const started = Date.now();
    this.log.info(`training on ${source.kind === 'sample' ? `sample:${source.name}` : source.path}: ${JSON.stringify(hyper)}`);
    this.state = undefined;
    this.unfinished = undefined;
    this.failure = undefined;
    this.origin = { source, dataName, fileUri: fileUri?.toString() ?? null };
    const progress: RunProgress = { report: undefined, percent: 0 };
    const run: WorkerRun = new WorkerRun({
      workerPath: path.join(this.context.extensionPath, 'dist', 'trainWorker.js'),
      source,
      hyper,
      log: this.log,
      onMessage: (m) => this.onWorkerMessage(run, m, dataName, progress, started),
      onEnd: () => {
        if (this.run !== run) return;
        this.run = undefined;
        void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.training, false);
        this.status.show(this.state, this.run !== undefined);
      },
    });
    this.run = run;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Backprop Map: training on ${dataName}`, cancellable: true },
      (p, token) => {
        progress.report = p;
        p.report({ message: 'loading the data…' });
        token.onCancellationRequested(() => run.post({ type: 'stop' }));
        return run.outcome.then(() => undefined);
      },
    );
    const outcome = await run.outcome;
    switch (outcome.kind) {
      case 'finished':
        this.announce(dataName, outcome.result);
        break;
      case 'dataError':
        return showDataError({ ...outcome.error, file: fileUri ? fileUri.fsPath : outcome.error.file }, fileUri, this.log);
      case 'failed':
        void vscode.window.showErrorMessage(inert(`Training on ${dataName} failed: ${outcome.message}`));
        break;
      case 'cancelled':
        break;
    }
    return outcome;
  }

  /** What a worker's message shows: the panel, the progress notification, the status bar, the files kept. */
  private onWorkerMessage(run: WorkerRun, m: FromWorker, dataName: string, progress: RunProgress, started: number): void {
    const s = run.state;
    switch (m.type) {
      case 'loaded':
        this.state = s;
        this.failure = undefined;
        this.lastRun.save({ kind: 'running', datasetName: m.info.datasetName });
        this.openPanel();
        this.panel()?.post({ type: 'run', info: m.info, locale: this.locale() });
        this.status.show(this.state, this.run !== undefined);
        void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.training, true);
        break;
      case 'epochs': {
        this.panel()?.post(m);
        const last = m.points[m.points.length - 1];
        if (last && s && progress.report) {
          const pct = Math.min(100, (100 * last.epoch) / s.info.hyper.epochs);
          progress.report.report({ message: `epoch ${last.epoch} of ${s.info.hyper.epochs} · cost ${last.cost.toPrecision(4)}`, increment: pct - progress.percent });
          progress.percent = pct;
        }
        this.status.show(this.state, this.run !== undefined);
        break;
      }
      case 'snapshot':
      case 'boundary':
        this.panel()?.post(m);
        break;
      case 'mode':
        this.panel()?.post(m);
        if (m.mode === 'paused') progress.report?.report({ message: `paused at epoch ${s?.points.at(-1)?.epoch ?? 0}` });
        this.status.show(this.state, this.run !== undefined);
        break;
      case 'gradcheck':
        this.panel()?.post(m);
        if (s?.mode === 'finished') this.saveFinishedRun(s);
        break;
      case 'finished':
        this.model = { json: m.model, datasetName: dataName };
        if (s) this.saveFinishedRun(s);
        void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasModel, true);
        void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.training, false);
        this.panel()?.post({ type: 'finished', result: m.result });
        this.status.show(this.state, this.run !== undefined);
        this.log.info(`training on ${dataName} ended (${m.result.reason}) after ${m.result.epochs} epochs in ${Date.now() - started} ms: ` +
          `accuracy ${m.result.train.accuracy}${m.result.validation ? `, validation ${m.result.validation.accuracy}` : ''}`);
        break;
      case 'error':
        this.log.error(`training on ${dataName}: ${m.message}`);
        this.failure = m.message;
        this.panel()?.post(m);
        break;
      case 'dataError':
        break; // the outcome: shown with the place in the file
    }
  }

  private announce(dataName: string, result: RunResult): void {
    const text = inert(summary(dataName, result));
    const show = result.reason === 'diverged' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(text, 'Save Model…', 'Show Backprop Map').then((action) => {
      if (action === 'Save Model…') void this.saveModel();
      else if (action === 'Show Backprop Map') this.openPanel();
    });
  }

  // ------------------------------------------------------------------ panel

  private panel(): BackpropMapPanel | undefined {
    return BackpropMapPanel.currentPanel;
  }

  /** The panel's language, and the exercise's: German when VS Code's display language is. */
  locale(): Locale {
    return localeOf(vscode.env.language);
  }

  /** The whole run so far as the panel's messages, for a webview that has just (re)loaded. */
  private replay(): ToPanel[] {
    const messages: ToPanel[] = this.state ? runMessages(this.state, this.locale()) : [];
    if (!this.state && this.unfinished) messages.push({ type: 'notice', message: unfinishedRunMessage(this.unfinished) });
    if (this.failure) messages.push({ type: 'error', message: this.failure });
    if (this.exercise) messages.push(this.exercise);
    return messages;
  }

  private onPanelMessage(m: FromPanel): void {
    switch (m.type) {
      case 'ready':
        break; // the panel replays its own state
      case 'control':
      case 'gradcheck':
        if (this.run) this.run.post(m);
        else if (m.type === 'control' && (m.action === 'reset' || m.action === 'newSeed') && this.origin && this.state) void this.trainAgain(m.action);
        else void vscode.window.showInformationMessage('This run has ended; start a new one with "Backprop Map: Train DNN".');
        break;
      case 'export':
        if (this.state) void exportHistory(this.state, m.format, this.log);
        break;
      case 'exportPng':
        void exportPng(m.dataUrl, this.log);
        break;
      case 'writeExercise':
        void vscode.commands.executeCommand(COMMANDS.writeExercise);
        break;
      case 'exportScript':
        void this.exportScript(m.kind);
        break;
    }
  }

  // ------------------------------------------------------------------ the last run, across reloads

  /**
   * Reset or New seed on a run without its worker (restored after a window reload): the same data,
   * read again, and the same settings, with the same seed or a new one.
   */
  private trainAgain(action: 'reset' | 'newSeed'): Promise<TrainOutcome> {
    const { source, dataName, fileUri } = this.origin!;
    const hyper = this.state!.info.hyper;
    const seed = action === 'reset' ? hyper.seed : randomSeed();
    return this.start(source, { ...hyper, seed }, dataName, fileUri ? vscode.Uri.parse(fileUri) : undefined);
  }

  private saveFinishedRun(state: RunState): void {
    this.lastRun.save({ kind: 'finished', state, model: this.model ?? null, origin: this.origin ?? null });
  }

  /** Once per extension host: the last run of a previous one, unless a run has started since. */
  private restore(): Promise<void> {
    this.restoring ??= (async () => {
      const saved = await this.lastRun.read();
      if (!saved || this.state || this.run) return;
      if (saved.kind === 'running') {
        this.unfinished = saved.datasetName;
        return;
      }
      this.state = saved.state;
      if (saved.modelProblem !== undefined) {
        this.log.warn(saved.modelProblem);
        void vscode.window.showWarningMessage(`The last run is shown again, but its model cannot be saved: ${saved.modelProblem}`);
      }
      this.model = saved.model ?? undefined;
      this.origin = saved.origin ?? undefined;
      if (this.model) void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasModel, true);
      this.log.info(`restored the last run on ${saved.state.info.datasetName} (${saved.state.result?.epochs ?? 0} epochs)`);
    })();
    return this.restoring;
  }
}

function noModelYet(): undefined {
  void vscode.window.showInformationMessage('There is no trained model yet: run "Backprop Map: Train DNN" first.');
  return undefined;
}
