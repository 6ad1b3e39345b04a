import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { activate, describeDiagnostics, diagnosticsWhen, ours, workspaceFile } from './util';

// Each broken fixture is tests/fixtures/vscode/python/two_layer_correct.py with one line of the
// backward pass changed; the line numbers below are those of the changed lines (1-based).
const BROKEN = {
  missing_keepdims: { line: 29, gradient: 'db1' },
  missing_one_over_m: { line: 28, gradient: 'dW1' },
  wrong_axis: { line: 25, gradient: 'db2' },
  transposed_product: { line: 24, gradient: 'dW2' },
} as const;

function py(name: string): vscode.Uri {
  return workspaceFile('python', `${name}.py`);
}

async function open(name: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(py(name));
  await vscode.window.showTextDocument(doc);
  return doc;
}

function errorsAt(uri: vscode.Uri, line: number): vscode.Diagnostic[] {
  return ours(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error && d.range.start.line === line - 1);
}

/** The 0-based position of the first `word` on 1-based `line`. */
function positionOf(doc: vscode.TextDocument, line: number, word: string): vscode.Position {
  const col = doc.lineAt(line - 1).text.indexOf(word);
  assert.ok(col >= 0, `"${word}" on line ${line}`);
  return new vscode.Position(line - 1, col + 1);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

suite('gradient checker in the editor', () => {
  suiteSetup(async () => {
    // CI may have numpy under a python3 that is not the first on PATH.
    const python = process.env.BACKPROP_MAP_PYTHON;
    if (python) await vscode.workspace.getConfiguration('backpropMap').update('checker.pythonPath', python, vscode.ConfigurationTarget.Global);
    await activate();
  });

  for (const [name, { line, gradient }] of Object.entries(BROKEN)) {
    test(`${name}.py: an error diagnostic at line ${line} about ${gradient}`, async () => {
      const doc = await open(name);
      const ds = await diagnosticsWhen(doc.uri, () => errorsAt(doc.uri, line).length > 0, `an error at line ${line}`, 60_000);
      const at = ds.filter((d) => d.range.start.line === line - 1);
      assert.ok(at.some((d) => d.message.includes(gradient)), `a diagnostic at line ${line} names ${gradient}: ${describeDiagnostics(doc.uri)}`);
      assert.ok(at.every((d) => d.code !== undefined && d.code !== ''), 'diagnostics carry a code');
      // Only the one changed line is wrong: no error elsewhere.
      const elsewhere = ds.filter((d) => d.severity === vscode.DiagnosticSeverity.Error && d.range.start.line !== line - 1);
      assert.deepEqual(elsewhere.map((d) => `${d.range.start.line + 1}: ${d.message}`), []);
    });
  }

  test('the correct file gets no error and no warning, and a ✓ code lens', async () => {
    const doc = await open('two_layer_correct');
    const result = await vscode.commands.executeCommand<{ functions: unknown[] } | undefined>('backpropMap.checkCurrentFile', doc.uri);
    assert.ok(result && result.functions.length > 0, 'the backward pass was found and checked');
    assert.deepEqual(ours(doc.uri).map((d) => d.message), []);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => t.startsWith('✓ gradients match')), titles.join(' | '));
    assert.ok(titles.includes('Re-check'), titles.join(' | '));
  });

  test('code lens names the wrong gradient; hover and inlay hints show traced shapes', async () => {
    const doc = await open('missing_one_over_m');
    await diagnosticsWhen(doc.uri, () => errorsAt(doc.uri, 28).length > 0, 'the error at line 28', 60_000);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => t.startsWith('✗') && t.includes('dW1') && !t.includes('dW2')), titles.join(' | '));
    // The backward function starts at line 19: its lenses sit there.
    assert.ok(lenses.every((l) => l.range.start.line === 18), lenses.map((l) => l.range.start.line).join(','));

    // The notes' sizes n_x = 4, n_h = 3, m = 7: dZ1 is (n_h × m) = (3 × 7).
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 27, 'dZ1'));
    assert.match(hoverText(hovers), /\(n_h × m\) = \(3 × 7\)/);

    const range = new vscode.Range(0, 0, doc.lineCount, 0);
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, range);
    const label = (h: vscode.InlayHint) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));
    // dW1 = np.dot(dZ1, X.T) at line 28 is (n_h × n_x) = (3 × 4) even though its values are wrong.
    const dW1 = hints.filter((h) => h.position.line === 27).map(label);
    assert.ok(dW1.some((l) => l.includes('(3 × 4)')), `hints at line 28: ${dW1.join(' | ')}`);
  });

  test('layer functions: a code lens above each, the diagnostic in the wrong one', async () => {
    // python/layers.py: affine_forward/affine_backward right; relu_backward (line 23) masks by dout at line 26.
    const doc = await open('layers');
    const [d] = await diagnosticsWhen(doc.uri, () => errorsAt(doc.uri, 26).length > 0, 'the error at line 26', 60_000);
    assert.equal(d!.code, 'mask-from-dout');
    assert.deepEqual(ours(doc.uri).filter((x) => x.severity !== vscode.DiagnosticSeverity.Information).length, 1, describeDiagnostics(doc.uri));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    const at = (line: number) => lenses.filter((l) => l.range.start.line === line - 1).map((l) => l.command?.title ?? '');
    assert.ok(at(10).includes('✓ affine_backward: dx, dw, db'), at(10).join(' | '));
    assert.ok(at(23).some((t) => t.startsWith('✗ dx: rel. difference')), at(23).join(' | '));
    assert.ok(at(23).includes('Re-check'));
  });

  test('a helper module\'s wrong function: its diagnostic in the module, none in the file that imports it', async () => {
    // python/step_layers.py is right and imports relu_backward from python/activations.py, which masks by dA at line 12.
    const helper = py('activations');
    const doc = await open('step_layers');
    const [d] = await diagnosticsWhen(helper, () => errorsAt(helper, 12).length > 0, 'the error at activations.py:12', 60_000);
    assert.equal(d!.code, 'mask-from-dout');
    assert.deepEqual(ours(doc.uri).filter((x) => x.severity === vscode.DiagnosticSeverity.Error).map((x) => x.message), [], 'no error in the right file');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    const titles = lenses.map((l) => `${l.range.start.line + 1}: ${l.command?.title ?? ''}`);
    assert.ok(titles.some((t) => t.startsWith('26: ✗') && t.includes('relu_backward')), titles.join(' | '));
    assert.ok(lenses.every((l) => l.range.start.line !== 8), 'the module\'s unit has no lens in the importing file');
    // Opened itself, the module is checked on its own: the fault is shown once.
    await open('activations');
    await vscode.commands.executeCommand('backpropMap.checkCurrentFile', helper);
    assert.equal(errorsAt(helper, 12).length, 1, describeDiagnostics(helper));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await diagnosticsWhen(helper, (ds) => ds.length === 0, 'the module\'s diagnostics to go with both files closed', 60_000);
  });

  test('functions with other names are checked once the setting names them', async () => {
    const config = vscode.workspace.getConfiguration('backpropMap');
    const doc = await open('custom_names');
    // run_net / grads_of are no usual names: without the setting the file is not checked.
    assert.equal(await vscode.commands.executeCommand('backpropMap.checkCurrentFile', doc.uri), undefined);
    assert.deepEqual(ours(doc.uri), []);
    await config.update('checker.functions', { forward: 'run_net', backward: 'grads_of' }, vscode.ConfigurationTarget.Workspace);
    try {
      await diagnosticsWhen(doc.uri, () => errorsAt(doc.uri, 28).length > 0, 'the error at line 28 (dW1 without 1 / m)', 60_000);
    } finally {
      await config.update('checker.functions', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('closing a file clears its diagnostics', async () => {
    const doc = await open('wrong_axis');
    await diagnosticsWhen(doc.uri, () => errorsAt(doc.uri, 25).length > 0, 'the error at line 25', 60_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await diagnosticsWhen(doc.uri, (ds) => ds.length === 0, 'the diagnostics of the closed file to go', 60_000);
  });

  // Applied last: the files are fixed afterwards.
  for (const [name, { line, gradient }] of Object.entries(BROKEN)) {
    test(`${name}.py: the quick fix applied fixes ${gradient} and the diagnostic goes away`, async () => {
      const doc = await open(name);
      await diagnosticsWhen(doc.uri, () => errorsAt(doc.uri, line).length > 0, `the error at line ${line}`, 60_000);
      const [d] = errorsAt(doc.uri, line);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d!.range, vscode.CodeActionKind.QuickFix.value);
      const fixes = actions.filter((a) => a.edit);
      assert.equal(fixes.length, 1, `one certain fix among: ${actions.map((a) => a.title).join(' | ')}`);
      const before = doc.lineAt(line - 1).text;
      assert.ok(await vscode.workspace.applyEdit(fixes[0]!.edit!));
      assert.notEqual(doc.lineAt(line - 1).text, before, `the fix "${fixes[0]!.title}" changed line ${line}`);
      // The unsaved text is checked again (on type, debounced): the gradient is right now.
      await diagnosticsWhen(doc.uri, (ds) => ds.every((x) => x.severity !== vscode.DiagnosticSeverity.Error), 'the errors to clear', 60_000);
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
      assert.ok(lenses.some((l) => l.command?.title.startsWith('✓ gradients match')), lenses.map((l) => l.command?.title).join(' | '));
      await doc.save();
    });
  }
});
