import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';

suite('commands', () => {
  test('the commands are registered', async () => {
    const ext = vscode.extensions.getExtension('backprop-map.backprop-map');
    assert.ok(ext, 'extension present');
    await ext.activate();
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('backpropMap.train'));
  });
});
