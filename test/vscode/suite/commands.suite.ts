import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activate } from './util';

const COMMANDS: Record<string, string> = {
  'backpropMap.train': 'Train DNN',
  'backpropMap.showPanel': 'Show Backprop Map',
  'backpropMap.checkCurrentFile': 'Check Gradients in Current File',
  'backpropMap.saveModel': 'Save Trained Model…',
  'backpropMap.exportNumpy': 'Export as numpy…',
  'backpropMap.exportTorch': 'Export as PyTorch…',
  'backpropMap.stopTraining': 'Stop Training',
  'backpropMap.writeExercise': 'Write the Backward Pass Yourself',
};

suite('commands and settings', () => {
  test('every command is contributed in category "Backprop Map" and registered', async () => {
    const ext = await activate();
    const contributed = (ext.packageJSON.contributes.commands as { command: string; title: string; category: string }[]);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const [id, title] of Object.entries(COMMANDS)) {
      const c = contributed.find((x) => x.command === id);
      assert.ok(c, `${id} is contributed`);
      assert.equal(c.title, title);
      assert.equal(c.category, 'Backprop Map');
      assert.ok(registered.has(id), `${id} is registered`);
    }
  });

  test('every setting has a description and a default the editor reports', async () => {
    const ext = await activate();
    const props = ext.packageJSON.contributes.configuration.properties as Record<string, { description?: string; markdownDescription?: string }>;
    const expected = [
      'training.hidden', 'training.learningRate', 'training.epochs', 'training.batchSize', 'training.seed',
      'training.validationSplit', 'training.standardize', 'checker.enabled', 'checker.run', 'checker.timeout',
      'checker.pythonPath', 'inlayHints.enabled',
    ];
    const config = vscode.workspace.getConfiguration('backpropMap');
    for (const key of expected) {
      const p = props[`backpropMap.${key}`];
      assert.ok(p && (p.description || p.markdownDescription), `backpropMap.${key} has a description`);
      assert.notEqual(config.inspect(key)?.defaultValue, undefined, `backpropMap.${key} has a default`);
    }
    assert.deepEqual(ext.packageJSON.capabilities.untrustedWorkspaces.restrictedConfigurations, ['backpropMap.checker.pythonPath']);
  });

  test('Save Trained Model… and Stop Training without a run say so instead of failing', async () => {
    await activate();
    // No run has finished in this window yet: nothing is written, nothing throws.
    const saved = await vscode.commands.executeCommand('backpropMap.saveModel', vscode.Uri.file('/nonexistent/never.json'));
    assert.equal(saved, undefined);
    await vscode.commands.executeCommand('backpropMap.stopTraining');
  });
});
