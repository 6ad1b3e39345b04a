import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { activate, panelTab, until, workspaceFile } from './util';

/** What `backpropMap.train` resolves to (see src/extension/training.ts). */
type Outcome =
  | { kind: 'finished'; info: { datasetName: string; labelName: string; featureNames: string[]; layerDims: number[]; hyper: { epochs: number } }; result: { reason: string; epochs: number; train: { accuracy: number }; validation: { accuracy: number } | null } }
  | { kind: 'dataError'; error: { message: string; file: string | null; line: number | null; column: number | null } }
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled' };

function train(args: object): Thenable<Outcome> {
  return vscode.commands.executeCommand<Outcome>('backpropMap.train', args);
}

function finished(o: Outcome): Extract<Outcome, { kind: 'finished' }> {
  assert.equal(o.kind, 'finished', `the run finished: ${JSON.stringify(o)}`);
  return o as Extract<Outcome, { kind: 'finished' }>;
}

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

suite('Train DNN', () => {
  suiteSetup(async () => {
    await activate();
  });

  test('bad data opens nothing: the error names the file, line and column', async () => {
    await closeAll();
    assert.equal(panelTab(), undefined);
    const o = await train({ data: workspaceFile('data', 'broken.csv') });
    assert.equal(o.kind, 'dataError', JSON.stringify(o));
    const { error } = o as Extract<Outcome, { kind: 'dataError' }>;
    // broken.csv: "abc" is the second field of its fourth line.
    assert.equal(error.line, 4);
    assert.equal(error.column, 2);
    assert.match(error.file ?? '', /broken\.csv$/);
    assert.match(error.message, /broken\.csv/);
    assert.equal(panelTab(), undefined, 'no panel was opened for bad data');
  });

  test('on a workspace CSV: the likely label column, the panel, and a good accuracy', async () => {
    await closeAll();
    const o = finished(await train({ data: workspaceFile('data', 'tumours.csv'), hyper: { epochs: 400, hidden: [4], learningRate: 0.5, validationSplit: 0.25 } }));
    // "diagnosis" is not the last column but named like a label.
    assert.equal(o.info.labelName, 'diagnosis');
    assert.deepEqual(o.info.featureNames, ['radius', 'texture', 'smoothness']);
    assert.deepEqual(o.info.layerDims, [3, 4, 1]);
    assert.equal(o.result.reason, 'completed');
    assert.equal(o.result.epochs, 400);
    // The two classes are split by a straight line with a margin (see the fixture): a
    // network that trains at all separates them.
    assert.ok(o.result.train.accuracy >= 0.95, `training accuracy ${o.result.train.accuracy}`);
    assert.ok(o.result.validation && o.result.validation.accuracy >= 0.85, `validation accuracy ${o.result.validation?.accuracy}`);
    // The editor tells the extension host about the new tab a moment after the panel is created.
    await until(vscode.window.tabGroups.onDidChangeTabs, () => panelTab(), 'the backprop-map panel to be open', 15_000);
  });

  test('Save Trained Model… writes the model of the last run', async () => {
    const target = workspaceFile('tumours.model.json');
    const saved = await vscode.commands.executeCommand<vscode.Uri>('backpropMap.saveModel', target);
    assert.equal(saved?.toString(), target.toString());
    const model = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)));
    assert.equal(model.format, 'backprop-map-model');
    assert.deepEqual(model.layerDims, [3, 4, 1]);
    assert.equal(model.parameters.W1.length, 4);
    assert.equal(model.parameters.W1[0].length, 3);
    assert.equal(model.labelName, 'diagnosis');
  });

  test('Export as numpy… / as PyTorch… write scripts of the last run that predict on its data; an existing file is not replaced', async () => {
    for (const kind of ['numpy', 'torch'] as const) {
      const target = workspaceFile(`tumours_${kind}.py`);
      const written = await vscode.commands.executeCommand<vscode.Uri>(kind === 'numpy' ? 'backpropMap.exportNumpy' : 'backpropMap.exportTorch', target);
      assert.equal(written?.toString(), target.toString());
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
      assert.match(text, /^LAYER_DIMS = \[3, 4, 1\]/m);
      assert.match(text, /^FEATURE_NAMES = \["radius", "texture", "smoothness"\]/m);
      assert.match(text, kind === 'numpy' ? /^def L_model_forward\(X, parameters\):$/m : /^class BackpropMapNet\(nn\.Module\):$/m);
      const again = await vscode.commands.executeCommand<vscode.Uri | undefined>(kind === 'numpy' ? 'backpropMap.exportNumpy' : 'backpropMap.exportTorch', target);
      assert.equal(again, undefined, 'an existing file is refused');
      assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)), text);
    }
    const run = spawnSync('python3', [workspaceFile('tumours_numpy.py').fsPath, workspaceFile('data', 'tumours.csv').fsPath], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const rows = run.stdout.trim().split('\n');
    assert.equal(rows[0], 'probability,class,label');
    assert.ok(rows.length > 10 && rows.slice(1).every((r) => /^[\d.e-]+,[01],\S+$/.test(r)), run.stdout.slice(0, 300));
  });

  test('on a built-in dataset: completes and reports its accuracy', async () => {
    const o = finished(await train({ data: 'sample:circles', hyper: { epochs: 1500, hidden: [8], learningRate: 0.5, validationSplit: 0.2 } }));
    assert.equal(o.info.datasetName, 'sample:circles');
    assert.equal(o.result.reason, 'completed');
    // A circle inside a circle is not linearly separable (a linear model stays near 50 %); the
    // hidden layer must have learned the ring.
    assert.ok(o.result.train.accuracy >= 0.85, `training accuracy ${o.result.train.accuracy}`);
  });

  test('the hyper-parameters come from the settings', async () => {
    const config = vscode.workspace.getConfiguration('backpropMap.training');
    await config.update('epochs', 123, vscode.ConfigurationTarget.Workspace);
    await config.update('hidden', [5], vscode.ConfigurationTarget.Workspace);
    await config.update('validationSplit', 0.25, vscode.ConfigurationTarget.Workspace);
    try {
      const o = finished(await train({ data: 'sample:xor' }));
      assert.equal(o.result.epochs, 123);
      assert.deepEqual(o.info.layerDims, [2, 5, 1]);
      assert.equal((o.info.hyper as { validationSplit?: number }).validationSplit, 0.25);
    } finally {
      for (const key of ['epochs', 'hidden', 'validationSplit']) await config.update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('Stop Training cancels a long run, which then reports how far it got', async () => {
    await closeAll();
    const run = train({ data: 'sample:moons', hyper: { epochs: 5_000_000 } });
    // The panel opens once the data has loaded, i.e. once training is under way.
    await until(vscode.window.tabGroups.onDidChangeTabs, () => panelTab(), 'the panel to open', 30_000);
    await vscode.commands.executeCommand('backpropMap.stopTraining');
    const o = finished(await run);
    assert.equal(o.result.reason, 'cancelled');
    assert.ok(o.result.epochs < 5_000_000, `stopped after ${o.result.epochs} epochs`);
    assert.ok(o.result.train.accuracy >= 0 && o.result.train.accuracy <= 1);
  });
});
