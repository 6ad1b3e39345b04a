// The extension's entry point: wires the training commands and the Python language feature.
// Everything created here is disposable and lives in context.subscriptions.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckResult } from '../checker/types';
import { CheckerService } from './checkerService';
import { ExerciseFiles } from './exercise';
import { COMMANDS } from './ids';
import { MarkdownMath } from './markdownMath';
import { BackpropMapPanel } from './panel';
import { registerPythonFeatures } from './pythonFeatures';
import { inert } from './runFiles';
import { Training, type TrainArgs } from './training';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Backprop Map', { log: true });
  const training = new Training(context, log);
  const checker = new CheckerService(log);
  const exercises = new ExerciseFiles(training, checker);
  context.subscriptions.push(log, training, checker, exercises, registerPythonFeatures(checker));
  // The math in Markdown: no Python, no trust needed.
  context.subscriptions.push(new MarkdownMath(() => training.locale(), log));

  const commands: Record<string, (...args: never[]) => unknown> = {
    [COMMANDS.train]: (args?: TrainArgs | vscode.Uri) => training.train(args),
    [COMMANDS.showPanel]: () => training.showPanel(),
    [COMMANDS.checkCurrentFile]: (uri?: vscode.Uri) => checkCurrentFile(checker, uri),
    [COMMANDS.saveModel]: (target?: vscode.Uri) => training.saveModel(target),
    [COMMANDS.exportNumpy]: (target?: vscode.Uri) => training.exportScript('numpy', target),
    [COMMANDS.exportTorch]: (target?: vscode.Uri) => training.exportScript('torch', target),
    [COMMANDS.stopTraining]: () => training.stop(),
    [COMMANDS.writeExercise]: (target?: vscode.Uri) => exercises.write(target),
    // Behind the code lenses:
    [COMMANDS.recheck]: async (uri: vscode.Uri) => checker.checkNow(await vscode.workspace.openTextDocument(uri)),
    [COMMANDS.revealLine]: async (uri: vscode.Uri, line: number) => {
      const pos = new vscode.Position(Math.max(line - 1, 0), 0);
      await vscode.window.showTextDocument(uri, { selection: new vscode.Range(pos, pos) });
    },
  };
  for (const [id, run] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, run));

  context.subscriptions.push(
    // VS Code waits for the returned promise before it shows the restored panel.
    vscode.window.registerWebviewPanelSerializer(BackpropMapPanel.viewType, { deserializeWebviewPanel: (panel) => training.revive(panel) }),
  );
}

export function deactivate(): void {}

/** Check Gradients in Current File: a check now, whatever the on-type setting, and a summary. */
async function checkCurrentFile(checker: CheckerService, uri?: vscode.Uri): Promise<CheckResult | undefined> {
  // A notebook: the one named, else the active notebook editor's (whether or not a cell has focus).
  const notebook = uri
    ? vscode.workspace.notebookDocuments.find((nb) => nb.uri.toString() === uri.toString())
    : vscode.window.activeNotebookEditor?.notebook;
  const doc = notebook ? undefined : uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!notebook && (!doc || doc.languageId !== 'python')) {
    void vscode.window.showInformationMessage('Open a Python file or a notebook with a numpy backward pass to check its gradients.');
    return undefined;
  }
  const name = path.basename((notebook?.uri ?? doc!.uri).path);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Checking gradients in ${name}` },
    () => checker.checkNow(notebook ?? doc!),
  );
  if (!result) return undefined;
  const wrong = [...result.gradients.filter((g) => g.status !== 'ok').map((g) => g.name),
    ...result.units.filter((u) => u.kind !== 'network' && (u.status === 'wrong' || u.status === 'error')).map((u) => u.function)];
  const errors = result.reports.filter((r) => r.severity === 'error');
  if (result.functions.length === 0 && !result.units.some((u) => u.status === 'ok')) {
    void vscode.window.showInformationMessage(inert(`No backward pass to check in ${name}. ${result.reports[0]?.message ?? ''}`.trim()));
  } else if (wrong.length > 0 || errors.length > 0) {
    const what = wrong.length > 0 ? `${wrong.join(', ')} wrong` : `${errors.length} problem(s)`;
    void vscode.window.showWarningMessage(inert(`✗ ${name}: ${what}. The Problems panel shows where and why.`), 'Show Problems').then((a) => {
      if (a) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
  } else {
    void vscode.window.showInformationMessage(inert(`✓ ${name}: all gradients match the numerical gradients.`));
  }
  return result;
}
