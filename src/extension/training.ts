// "Train DNN" and everything around a run: the worker thread that trains, the progress
// notification, the status bar item, the panel fed with the run's events, and the files a run
// produces (model, history, PNG).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { DEFAULT_HYPER, randomSeed } from '../core/hyper';
import { sniffTable } from '../data/csv';
import { type DataErrorInfo, DataError } from '../data/errors';
import { historyCsv, historyJson } from '../data/history';
import { parseModelFile } from '../core/model';
import { type ScriptKind, pythonScript } from '../export/pythonScript';
import type { Hyper, RunInfo, RunResult } from '../core/types';
import type { DataSource } from '../data/source';
import type { FromPanel, FromWorker, ToPanel, ToWorker } from '../protocol';
import { parseSavedRun, savedRunJson, unfinishedRunMessage, type RunOrigin, type RunState, type SavedModel, type SavedRun } from './lastRun';
import { historyFileName, modelFileName, scriptFileName } from './fileNames';
import { COMMANDS, CONTEXT_KEYS, STATUS_BAR_ITEM } from './ids';
import { BackpropMapPanel, type PanelOwner } from './panel';
import { type Locale, localeOf } from '../shared/locale';
import { fieldOffset, inert, pngFromDataUrl, summary } from './runFiles';
import { hyperFromSettings } from './settings';
import { chooseData, chooseLabel, dataSource, editHyper, tableText, type DataChoice } from './trainingInputs';

/** Arguments of `backpropMap.train` when called from code (tests, other extensions): no questions asked. */
export interface TrainArgs {
  /** A CSV/TSV file, or `sample:NAME`. */
  data: vscode.Uri | string;
  /** Column name or 0-based index; default: the likely label column. */
  label?: string | number;
  /** Overrides of the settings' hyper-parameters. */
  hyper?: Partial<Hyper>;
}

/** What `backpropMap.train` resolves to. */
export type TrainOutcome =
  | { kind: 'finished'; info: RunInfo; result: RunResult }
  | { kind: 'dataError'; error: DataErrorInfo }
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled' };

/** When the worker does not confirm a stop, it is terminated after this long. */
const STOP_GRACE_MS = 3000;

export class Training implements vscode.Disposable {
  private worker: Worker | undefined;
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
  private readonly status: vscode.StatusBarItem;
  private readonly lastRunFile: string;
  private restoring: Promise<void> | undefined;
  /** Writes of the last run's file, one after the other. */
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.status = vscode.window.createStatusBarItem(STATUS_BAR_ITEM, vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Backprop Map training';
    this.status.command = COMMANDS.showPanel;
    // In the workspace's storage: each workspace restores its own last run.
    this.lastRunFile = path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'last-run.json');
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
        if (e instanceof DataError) return this.dataError({ ...e.toInfo(), file: choice.uri.fsPath }, choice.uri);
        const message = `Cannot read ${dataName}: ${e instanceof Error ? e.message : String(e)}`;
        void vscode.window.showErrorMessage(inert(message));
        return { kind: 'failed', message };
      }
      if (typeof args?.label === 'string') {
        label = sniff.columns.indexOf(args.label);
        if (label < 0) {
          return this.dataError({ message: `${dataName} has no column named "${args.label}".`, file: choice.uri.fsPath, line: 1, column: null }, choice.uri);
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

    if (this.worker) {
      if (interactive && this.state?.mode !== 'finished') {
        const stop = await vscode.window.showWarningMessage('A training run is in progress. Stop it and start the new one?', 'Stop and Start');
        if (stop !== 'Stop and Start') return { kind: 'cancelled' };
      }
      await this.stopWorker();
    }
    return this.run(dataSource(choice, label), hyper, dataName, choice.kind === 'file' ? choice.uri : undefined);
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
  async stop(): Promise<void> {
    if (!this.worker || this.state?.mode === 'finished') {
      void vscode.window.showInformationMessage('No training run is in progress.');
      return;
    }
    this.post({ type: 'stop' });
  }

  /** Save Trained Model…: `target` skips the save dialog (for code that calls the command). */
  async saveModel(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    await this.restore();
    if (!this.model) {
      void vscode.window.showInformationMessage('There is no trained model yet: run "Backprop Map: Train DNN" first.');
      return undefined;
    }
    const uri = target ?? (await vscode.window.showSaveDialog({
      title: 'Save Trained Model',
      defaultUri: this.defaultUri(modelFileName(this.model.datasetName)),
      filters: { 'Backprop Map model': ['json'] },
      saveLabel: 'Save Model',
    }));
    if (!uri) return undefined;
    await this.write(uri, new TextEncoder().encode(JSON.stringify(this.model.json, null, 2) + '\n'), 'the model');
    return uri;
  }

  /**
   * Export as numpy… / Export as PyTorch…: the model as a Python script that predicts like
   * `backprop-map predict`. The save dialog asks before it replaces a file; a `target` given by code
   * that already exists is refused, never replaced.
   */
  async exportScript(kind: ScriptKind, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    await this.restore();
    if (!this.model) {
      void vscode.window.showInformationMessage('There is no trained model yet: run "Backprop Map: Train DNN" first.');
      return undefined;
    }
    const title = kind === 'numpy' ? 'Export as numpy' : 'Export as PyTorch';
    const uri = target ?? (await vscode.window.showSaveDialog({
      title,
      defaultUri: this.defaultUri(scriptFileName(this.model.datasetName, kind)),
      filters: { Python: ['py'] },
      saveLabel: 'Export',
    }));
    if (!uri) return undefined;
    if (target && (await vscode.workspace.fs.stat(target).then(() => true, () => false))) {
      void vscode.window.showErrorMessage(`${target.fsPath} already exists; it was not replaced. Choose a new file name.`);
      return undefined;
    }
    let script: string;
    try {
      script = pythonScript(kind, parseModelFile(JSON.stringify(this.model.json), this.model.datasetName).model);
    } catch (e) {
      void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
      return undefined;
    }
    await this.write(uri, new TextEncoder().encode(script), 'the script');
    return uri;
  }

  /** Registered with the WebviewPanelSerializer: a panel restored after a window reload. */
  async revive(webviewPanel: vscode.WebviewPanel): Promise<void> {
    const panel = BackpropMapPanel.revive(webviewPanel, this.context.extensionUri, this.panelOwner);
    await this.restore();
    // The webview may have said 'ready' before the last run was read.
    panel.refresh();
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.status.dispose();
  }

  // ------------------------------------------------------------------ the run

  private run(source: DataSource, hyper: Hyper, dataName: string, fileUri: vscode.Uri | undefined): Promise<TrainOutcome> {
    const started = Date.now();
    this.log.info(`training on ${source.kind === 'sample' ? `sample:${source.name}` : source.path}: ${JSON.stringify(hyper)}`);
    const worker = new Worker(path.join(this.context.extensionPath, 'dist', 'trainWorker.js'));
    this.worker = worker;
    this.state = undefined;
    this.unfinished = undefined;
    this.failure = undefined;
    this.origin = { source, dataName, fileUri: fileUri?.toString() ?? null };

    return new Promise<TrainOutcome>((resolveOutcome) => {
      let settled = false;
      let endProgress: () => void = () => {};
      let progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
      let shownPercent = 0;
      const settle = (o: TrainOutcome) => {
        if (settled) return;
        settled = true;
        endProgress();
        resolveOutcome(o);
      };

      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Backprop Map: training on ${dataName}`, cancellable: true },
        (p, token) => {
          progress = p;
          p.report({ message: 'loading the data…' });
          token.onCancellationRequested(() => {
            if (this.worker === worker) this.post({ type: 'stop' });
          });
          return new Promise<void>((resolve) => {
            endProgress = resolve;
            if (settled) resolve();
          });
        },
      );

      worker.on('message', (m: FromWorker) => {
        if (this.worker !== worker) return; // a stopped run's late messages
        switch (m.type) {
          case 'loaded': {
            this.state = { info: m.info, points: [], snapshot: null, boundary: null, mode: 'running', result: null, gradcheck: null };
            this.failure = undefined;
            this.saveLastRun({ kind: 'running', datasetName: m.info.datasetName });
            this.openPanel();
            this.panel()?.post({ type: 'run', info: m.info, locale: this.locale() });
            this.updateStatus();
            void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.training, true);
            break;
          }
          case 'dataError':
            this.endWorker(worker);
            settle(this.dataError({ ...m.error, file: fileUri ? fileUri.fsPath : m.error.file }, fileUri));
            break;
          case 'epochs': {
            const s = this.state;
            if (!s) break;
            s.points.push(...m.points);
            this.panel()?.post(m);
            const last = m.points[m.points.length - 1];
            if (last && progress) {
              const pct = Math.min(100, (100 * last.epoch) / s.info.hyper.epochs);
              progress.report({ message: `epoch ${last.epoch} of ${s.info.hyper.epochs} · cost ${last.cost.toPrecision(4)}`, increment: pct - shownPercent });
              shownPercent = pct;
            }
            this.updateStatus();
            break;
          }
          case 'snapshot':
            if (this.state) this.state.snapshot = m.snapshot;
            this.panel()?.post(m);
            break;
          case 'boundary':
            if (this.state) this.state.boundary = m.boundary;
            this.panel()?.post(m);
            break;
          case 'mode':
            if (this.state) {
              this.state.mode = m.mode;
              if (m.mode !== 'finished') this.state.result = null;
            }
            this.panel()?.post(m);
            if (m.mode === 'paused') progress?.report({ message: `paused at epoch ${this.state?.points.at(-1)?.epoch ?? 0}` });
            this.updateStatus();
            break;
          case 'gradcheck':
            if (this.state) this.state.gradcheck = m.result;
            this.panel()?.post(m);
            if (this.state?.mode === 'finished') this.saveFinishedRun(this.state);
            break;
          case 'finished': {
            const s = this.state;
            if (s) {
              s.result = m.result;
              s.mode = 'finished';
            }
            this.model = { json: m.model, datasetName: dataName };
            if (s) this.saveFinishedRun(s);
            void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasModel, true);
            void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.training, false);
            this.panel()?.post({ type: 'finished', result: m.result });
            this.updateStatus();
            this.log.info(`training on ${dataName} ended (${m.result.reason}) after ${m.result.epochs} epochs in ${Date.now() - started} ms: ` +
              `accuracy ${m.result.train.accuracy}${m.result.validation ? `, validation ${m.result.validation.accuracy}` : ''}`);
            if (!settled && s) {
              this.announce(dataName, m.result);
              settle({ kind: 'finished', info: s.info, result: m.result });
            }
            break;
          }
          case 'error':
            this.log.error(`training on ${dataName}: ${m.message}`);
            this.failure = m.message;
            this.panel()?.post(m);
            if (!settled) {
              void vscode.window.showErrorMessage(inert(`Training on ${dataName} failed: ${m.message}`));
              this.endWorker(worker);
              settle({ kind: 'failed', message: m.message });
            }
            break;
        }
      });
      worker.on('error', (e) => {
        this.log.error(`training worker: ${e.stack ?? e.message}`);
        if (!settled) void vscode.window.showErrorMessage(inert(`Training on ${dataName} failed: ${e.message}`));
        this.endWorker(worker);
        settle({ kind: 'failed', message: e.message });
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.endWorker(worker);
        if (!settled) {
          const message = `the training worker stopped unexpectedly (exit code ${code}).`;
          this.log.error(message);
          settle(this.state?.result ? { kind: 'finished', info: this.state.info, result: this.state.result } : { kind: 'cancelled' });
        }
      });

      worker.postMessage({ type: 'start', source, hyper } satisfies ToWorker);
    });
  }

  private announce(dataName: string, result: RunResult): void {
    const text = inert(summary(dataName, result));
    const show = result.reason === 'diverged' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(text, 'Save Model…', 'Show Backprop Map').then((action) => {
      if (action === 'Save Model…') void this.saveModel();
      else if (action === 'Show Backprop Map') this.openPanel();
    });
  }

  /** Shows a data error naming file, line and column; "Open File" goes to that place. */
  private dataError(error: DataErrorInfo, uri: vscode.Uri | undefined): TrainOutcome {
    this.log.warn(`data error: ${error.message}`);
    const actions = uri ? ['Open File'] : [];
    void vscode.window.showErrorMessage(inert(error.message), ...actions).then(async (action) => {
      if (action === 'Open File' && uri) await revealDataError(uri, error);
    });
    return { kind: 'dataError', error };
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.post({ type: 'stop' });
    this.endWorker(worker);
    await exited;
  }

  /** Ends a worker: it is asked to stop first so a run in progress can report its last epoch. */
  private endWorker(worker: Worker): void {
    if (this.worker === worker) {
      this.worker = undefined;
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.training, false);
      this.updateStatus();
    }
    setTimeout(() => void worker.terminate(), STOP_GRACE_MS).unref();
  }

  private post(m: ToWorker): void {
    this.worker?.postMessage(m);
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
    const s = this.state;
    const messages: ToPanel[] = [];
    if (s) {
      messages.push({ type: 'run', info: s.info, locale: this.locale() });
      if (s.points.length) messages.push({ type: 'epochs', points: s.points });
      if (s.snapshot) messages.push({ type: 'snapshot', snapshot: s.snapshot });
      if (s.boundary) messages.push({ type: 'boundary', boundary: s.boundary });
      messages.push({ type: 'mode', mode: s.mode });
      if (s.result) messages.push({ type: 'finished', result: s.result });
      if (s.gradcheck) messages.push({ type: 'gradcheck', result: s.gradcheck });
    } else if (this.unfinished) {
      messages.push({ type: 'notice', message: unfinishedRunMessage(this.unfinished) });
    }
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
        if (this.worker) this.post(m);
        else if (m.type === 'control' && (m.action === 'reset' || m.action === 'newSeed') && this.origin && this.state) void this.trainAgain(m.action);
        else void vscode.window.showInformationMessage('This run has ended; start a new one with "Backprop Map: Train DNN".');
        break;
      case 'export':
        void this.exportHistory(m.format);
        break;
      case 'exportPng':
        void this.exportPng(m.dataUrl);
        break;
      case 'writeExercise':
        void vscode.commands.executeCommand(COMMANDS.writeExercise);
        break;
      case 'exportScript':
        void this.exportScript(m.kind);
        break;
    }
  }

  private async exportHistory(format: 'csv' | 'json'): Promise<void> {
    const s = this.state;
    if (!s) return;
    const uri = await vscode.window.showSaveDialog({
      title: 'Export Training History',
      defaultUri: this.defaultUri(historyFileName(s.info.datasetName, format)),
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!uri) return;
    const text = format === 'csv' ? historyCsv(s.points, s.info.layerDims.length - 1) : historyJson(s.info, s.points, s.result);
    await this.write(uri, new TextEncoder().encode(text), 'the history');
  }

  private async exportPng(dataUrl: string): Promise<void> {
    const bytes = pngFromDataUrl(dataUrl);
    if (!bytes) {
      this.log.error('the panel sent an image that is not a PNG; nothing was written');
      return;
    }
    const uri = await vscode.window.showSaveDialog({ title: 'Export Backprop Map as PNG', defaultUri: this.defaultUri('backprop-map.png'), filters: { PNG: ['png'] } });
    if (uri) await this.write(uri, bytes, 'the image');
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
    return this.run(source, { ...hyper, seed }, dataName, fileUri ? vscode.Uri.parse(fileUri) : undefined);
  }

  private saveFinishedRun(state: RunState): void {
    this.saveLastRun({ kind: 'finished', state, model: this.model ?? null, origin: this.origin ?? null });
  }

  /**
   * Written beside and renamed over, so a reload in the middle leaves the old file whole. With
   * node's fs (the extension host is node, as the worker and the checker need): workspace.fs's
   * rename goes through the window and took seconds while it was busy, long enough for a reload to
   * come first.
   */
  private saveLastRun(run: SavedRun): void {
    const text = savedRunJson(run);
    const file = this.lastRunFile;
    this.saving = this.saving
      .then(async () => {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(`${file}.partial`, text);
        await rename(`${file}.partial`, file);
      })
      .catch((e: unknown) => this.log.warn(`could not keep the last run for a window reload: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Once per extension host: the last run of a previous one, unless a run has started since. */
  private restore(): Promise<void> {
    this.restoring ??= (async () => {
      let text: string;
      try {
        text = await readFile(this.lastRunFile, 'utf8');
      } catch {
        return; // nothing kept yet
      }
      const saved = parseSavedRun(text, this.lastRunFile);
      if (!saved) {
        this.log.warn(`ignoring ${this.lastRunFile}: not a run this version can show`);
        return;
      }
      if (this.state || this.worker) return;
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

  // ------------------------------------------------------------------ helpers

  /** A file of this name in the first workspace folder, as a save dialog's suggestion. */
  defaultUri(fileName: string): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? vscode.Uri.joinPath(folder.uri, fileName) : undefined;
  }

  private async write(uri: vscode.Uri, bytes: Uint8Array, what: string): Promise<void> {
    try {
      await vscode.workspace.fs.writeFile(uri, bytes);
      this.log.info(`wrote ${what} to ${uri.fsPath}`);
    } catch (e) {
      void vscode.window.showErrorMessage(`Could not write ${what} to ${uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private updateStatus(): void {
    const s = this.state;
    if (!this.worker || !s || s.mode === 'finished') {
      this.status.hide();
      return;
    }
    const last = s.points.at(-1);
    const where = last ? `epoch ${last.epoch}/${s.info.hyper.epochs} · cost ${last.cost.toPrecision(3)}` : 'starting';
    this.status.text = `${s.mode === 'paused' ? '$(debug-pause)' : '$(sync~spin)'} ${where}`;
    this.status.tooltip = `Backprop Map: training on ${s.info.datasetName}${s.mode === 'paused' ? ' (paused)' : ''}. Click to show the backprop map.`;
    this.status.show();
  }
}

/** Opens a table at a data error: its line, and the start of its field when the column is known. */
async function revealDataError(uri: vscode.Uri, error: DataErrorInfo): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const line = Math.min(Math.max((error.line ?? 1) - 1, 0), doc.lineCount - 1);
  let character = 0;
  if (error.column) {
    let delimiter = ',';
    try {
      delimiter = sniffTable(doc.getText(), path.basename(uri.fsPath)).delimiter;
    } catch {
      // the file is unreadable as a table: the line alone has to do
    }
    character = fieldOffset(doc.lineAt(line).text, delimiter, error.column);
  }
  const pos = new vscode.Position(line, character);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
}
