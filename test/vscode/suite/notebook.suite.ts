import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { activate, describeDiagnostics, diagnosticsWhen, ours, workspaceFile } from './util';

// notebooks/missing_keepdims.ipynb: markdown, imports (a helper module beside it, a magic), the
// forward, the backward with `db1 = np.sum(dZ1, axis=1) / m` at line 8 of cell 4, a script cell.
const BACKWARD_CELL = 3; // 0-based index of cell 4
const DB1_LINE = 8;

function errorsAt(uri: vscode.Uri, line: number): vscode.Diagnostic[] {
  return ours(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error && d.range.start.line === line - 1);
}

async function openNotebook(): Promise<vscode.NotebookDocument> {
  const nb = await vscode.workspace.openNotebookDocument(workspaceFile('notebooks', 'missing_keepdims.ipynb'));
  await vscode.window.showNotebookDocument(nb);
  return nb;
}

suite('gradient checker in a notebook', () => {
  suiteSetup(async () => {
    const python = process.env.BACKPROP_MAP_PYTHON;
    if (python) await vscode.workspace.getConfiguration('backpropMap').update('checker.pythonPath', python, vscode.ConfigurationTarget.Global);
    await activate();
  });

  test('the error lands in its cell at its line; lens, hover and inlay shapes there; the quick fix clears it; closing clears all', async () => {
    const nb = await openNotebook();
    const cell = nb.cellAt(BACKWARD_CELL).document;
    assert.equal(cell.uri.scheme, 'vscode-notebook-cell');
    const [d] = await diagnosticsWhen(cell.uri, () => errorsAt(cell.uri, DB1_LINE).length > 0, `an error at line ${DB1_LINE} of cell 4`, 60_000);
    assert.match(d!.message, /db1 has shape \(n_h,\) = \(3,\)/);
    assert.equal(d!.code, 'missing-keepdims');
    // Nothing in the other cells: not the magic, not the import of the helper module.
    for (const other of nb.getCells().filter((c) => c.index !== BACKWARD_CELL)) assert.deepEqual(ours(other.document.uri).map((x) => x.message), [], `cell ${other.index + 1}`);

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', cell.uri, 10);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => t.startsWith('✗ db1 wrong')), titles.join(' | '));
    assert.ok(lenses.every((l) => l.range.start.line === 0), 'the lenses sit on the def line, the first of the cell');

    const dZ1 = new vscode.Position(5, cell.lineAt(5).text.indexOf('dZ1') + 1);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cell.uri, dZ1);
    const hover = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(hover, /dZ1: \(n_h × m\) = \(3 × 7\)/);
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', cell.uri, new vscode.Range(0, 0, cell.lineCount, 0));
    const label = (h: vscode.InlayHint) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));
    assert.ok(hints.some((h) => h.position.line === DB1_LINE - 1 && label(h).includes('(3)')), hints.map((h) => `${h.position.line + 1}: ${label(h)}`).join(' | '));

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', cell.uri, d!.range, vscode.CodeActionKind.QuickFix.value);
    const fixes = actions.filter((a) => a.edit);
    assert.equal(fixes.length, 1, actions.map((a) => a.title).join(' | '));
    assert.ok(await vscode.workspace.applyEdit(fixes[0]!.edit!));
    assert.match(cell.lineAt(DB1_LINE - 1).text, /keepdims=True/);
    // The edited cell's notebook is checked again (debounced), and the error goes.
    await diagnosticsWhen(cell.uri, (ds) => ds.length === 0, 'the error in cell 4 to go', 60_000);
    const after = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', cell.uri, 10);
    assert.ok(after.some((l) => l.command?.title.startsWith('✓ gradients match')), after.map((l) => l.command?.title).join(' | '));

    // "Check Gradients in Current File" from the notebook: the whole notebook, every gradient right.
    const result = await vscode.commands.executeCommand<{ gradients: { status: string }[] } | undefined>('backpropMap.checkCurrentFile');
    assert.deepEqual(result?.gradients.map((g) => g.status), ['ok', 'ok', 'ok', 'ok']);

    // An edit in another cell is checked too: with a tanh forward (cell 3), the backward's ReLU mask is wrong.
    const fwd = nb.cellAt(BACKWARD_CELL - 1).document;
    const relu = fwd.getText().indexOf('np.maximum(0, Z1)');
    assert.ok(relu > 0);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(fwd.uri, new vscode.Range(fwd.positionAt(relu), fwd.positionAt(relu + 'np.maximum(0, Z1)'.length)), 'np.tanh(Z1)');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await diagnosticsWhen(cell.uri, (ds) => ds.some((x) => x.severity === vscode.DiagnosticSeverity.Error), 'an error in cell 4 after the edit of cell 3', 60_000);
    assert.deepEqual(ours(fwd.uri).filter((x) => x.severity === vscode.DiagnosticSeverity.Error).map((x) => x.message), []);

    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await diagnosticsWhen(cell.uri, (ds) => ds.length === 0, `the diagnostics of the closed notebook to go (${describeDiagnostics(cell.uri)})`, 60_000);
  });

  test('a layer function in a cell: its own code lens and its diagnostic there', async () => {
    // notebooks/layers.ipynb: linear_backward in cell 4 sums db without keepdims at its line 5; relu_backward in cell 5 is right.
    const nb = await vscode.workspace.openNotebookDocument(workspaceFile('notebooks', 'layers.ipynb'));
    await vscode.window.showNotebookDocument(nb);
    const cell = nb.cellAt(3).document;
    const [d] = await diagnosticsWhen(cell.uri, () => errorsAt(cell.uri, 5).length > 0, 'an error at line 5 of cell 4', 60_000);
    assert.equal(d!.code, 'missing-keepdims');
    assert.match(d!.message, /db has shape \(n,\) = \(3,\) but b is \(n, 1\) = \(3, 1\)/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', cell.uri, 10);
    assert.ok(lenses.some((l) => l.command?.title === '✗ db: shape (3,)' && l.range.start.line === 0), lenses.map((l) => l.command?.title).join(' | '));
    const relu = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', nb.cellAt(4).document.uri, 10);
    assert.ok(relu.some((l) => l.command?.title === '✓ relu_backward: dZ' && l.range.start.line === 4), relu.map((l) => `${l.range.start.line}: ${l.command?.title}`).join(' | '));
    assert.deepEqual(ours(nb.cellAt(4).document.uri).map((x) => x.message), []);
  });
});
