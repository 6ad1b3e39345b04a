import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { activate, diagnosticsWhen, workspaceFile } from './util';

function writeExercise(target: vscode.Uri): Thenable<vscode.Uri | undefined> {
  return vscode.commands.executeCommand<vscode.Uri | undefined>('backpropMap.writeExercise', target);
}

suite('Write the Backward Pass Yourself', () => {
  suiteSetup(async () => {
    const python = process.env.BACKPROP_MAP_PYTHON;
    if (python) await vscode.workspace.getConfiguration('backpropMap').update('checker.pythonPath', python, vscode.ConfigurationTarget.Global);
    await activate();
  });

  test("writes the exercise for the current run's layers and opens it; the checker reports each term once; never replaces", async () => {
    const o = await vscode.commands.executeCommand<{ kind: string }>('backpropMap.train', { data: 'sample:xor', hyper: { epochs: 20, hidden: [4], learningRate: 0.5, validationSplit: 0 } });
    assert.equal(o.kind, 'finished', JSON.stringify(o));
    const target = workspaceFile('xor_backward.py');
    const written = await writeExercise(target);
    assert.equal(written?.toString(), target.toString());
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    // [2, 4, 1] trained on xor's 400 examples.
    assert.match(text, /^def backward_propagation\(parameters, cache, X, Y\):$/m);
    assert.match(text, /dW2 = \.\.\. {2}# TODO dW2 \(n_y × n_h\) = \(1 × 4\)/);
    assert.match(text, /dZ1 = \.\.\. {2}# TODO dZ1 \(n_h × m\) = \(4 × 400\)/);
    assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === target.toString()), 'the exercise is open');

    const terms = ['dZ2', 'dW2', 'db2', 'dA1', 'dZ1', 'dW1', 'db1'];
    const ds = await diagnosticsWhen(target, (d) => d.length >= terms.length, 'a diagnostic per term not written yet', 60_000);
    assert.deepEqual(ds.map((d) => /^(\w+) is not written yet/.exec(d.message)?.[1]), terms);
    assert.ok(ds.every((d) => d.severity === vscode.DiagnosticSeverity.Warning));
    // The code lens counts the terms to write and goes to the first; a gradient waiting for them is not "wrong".
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', target);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.includes('… 7 terms to write — next: dZ2'), titles.join(' | '));
    assert.ok(!titles.some((t) => t.startsWith('✗') || t.startsWith('✓')), titles.join(' | '));

    // The file exists now: a second exercise to the same name writes nothing.
    const edited = text.replace('dZ2 = ...', 'dZ2 = A2 - Y');
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(edited));
    assert.equal(await writeExercise(target), undefined);
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)), edited);
  });
});
