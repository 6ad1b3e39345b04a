// "Backprop Map: Write the Backward Pass Yourself": writes a new exercise file for the current run's
// layer sizes (never replacing one), opens it beside the panel, and marks the map's terms as the
// checker finds them in that file, after every check.
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { exerciseMarks } from '../exercise/marks';
import { exerciseNotebook, exercisePython } from '../exercise/exercise';
import type { CheckerService } from './checkerService';
import { defaultUri } from './runExports';
import type { Training } from './training';

export class ExerciseFiles implements vscode.Disposable {
  /** The exercise file written last: the one whose checks the panel shows. */
  private file: vscode.Uri | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly training: Training,
    private readonly checker: CheckerService,
  ) {
    this.subscription = checker.onDidChangeResult((uri) => {
      if (uri.toString() === this.file?.toString()) this.showMarks(uri);
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }

  /** The command; resolves to the file written, undefined when nothing was. */
  async write(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const run = await this.training.currentRun();
    if (!run) {
      void vscode.window.showInformationMessage('Train a network first ("Backprop Map: Train DNN"): the exercise is written for the layer sizes of the current run.');
      return undefined;
    }
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        title: 'Write the Backward Pass Yourself',
        defaultUri: defaultUri(run.layerDims.length === 3 ? 'backward_propagation.py' : 'L_model_backward.py'),
        filters: { Python: ['py'], 'Jupyter notebook': ['ipynb'] },
        saveLabel: 'Write Exercise',
      }));
    if (!uri) return undefined;
    const notebook = /\.ipynb$/i.test(uri.fsPath);
    if (!notebook && !/\.py$/i.test(uri.fsPath)) {
      void vscode.window.showErrorMessage(`${path.basename(uri.fsPath)}: an exercise is a Python file (.py) or a notebook (.ipynb).`);
      return undefined;
    }
    const opts = { layerDims: run.layerDims, m: run.m, lang: this.training.locale() };
    const name = path.basename(uri.fsPath);
    try {
      // 'wx' fails when the file exists: the save dialog's "replace?" is not a licence to overwrite work.
      await writeFile(uri.fsPath, notebook ? exerciseNotebook(opts, name) : exercisePython(opts, name), { encoding: 'utf8', flag: 'wx' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EEXIST' ? 'it exists already, and an exercise never replaces a file; choose another name' : (e as Error).message;
      void vscode.window.showErrorMessage(`Could not write the exercise ${name}: ${why}.`);
      return undefined;
    }
    this.file = uri;
    await this.training.showPanel();
    if (notebook) await vscode.commands.executeCommand('vscode.open', uri, vscode.ViewColumn.Beside);
    else await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    this.showMarks(uri);
    return uri;
  }

  private showMarks(uri: vscode.Uri): void {
    const result = this.checker.result(uri);
    if (result) this.training.showExercise({ type: 'exercise', file: path.basename(uri.fsPath), marks: exerciseMarks(result) });
  }
}
