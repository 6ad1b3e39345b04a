import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { activate, describeDiagnostics, diagnosticsWhen, ours, workspaceFile } from './util';

// math/derivation.md: line 7 is `$$\frac{da}{dz} = a(1-a) = 2a(1-a)$$`, its second `=` the break.
// math/derivation.ipynb: cell 3, line 5 is `$$dW^{[1]} = dZ^{[1]} \cdot X^T$$` (the 1/m missing).

/** The hovers' text as shown: the Markdown's escapes undone (the TeX is user text, so it is escaped). */
function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)))
    .join('\n')
    .replace(/&nbsp;/g, ' ')
    .replace(/\\([\\`*_{}[\]()#+\-.!|])/g, '$1');
}

async function replace(doc: vscode.TextDocument, from: string, to: string): Promise<void> {
  const at = doc.getText().indexOf(from);
  assert.ok(at >= 0, `"${from}" in ${doc.uri.toString()}`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + from.length)), to);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

suite('math in Markdown', () => {
  suiteSetup(async () => {
    await activate();
  });

  test('a Markdown file: an error at the broken =, a hover with the sides at the test point; the fix clears it', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('math', 'derivation.md'));
    await vscode.window.showTextDocument(doc);
    const [d] = await diagnosticsWhen(doc.uri, (ds) => ds.length > 0, 'a diagnostic in derivation.md', 30_000);
    const line = doc.lineAt(6).text;
    assert.equal(d!.range.start.line, 6, describeDiagnostics(doc.uri));
    assert.equal(d!.range.start.character, line.indexOf('= 2a'));
    assert.equal(d!.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d!.code, 'constant-factor');
    assert.match(d!.message, /The chain breaks here: .* The side after is 2 times the side before\./);
    assert.equal(ours(doc.uri).length, 1, describeDiagnostics(doc.uri));

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(6, line.indexOf('a(1-a)') + 1));
    const hover = hoverText(hovers);
    assert.match(hover, /Checked at a = 0\.\d+, z = 0\.\d+/);
    assert.match(hover, /a\(1-a\): 0\.\d+/);
    const mapLine = doc.lineAt(8).text;
    const mapHover = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(8, mapLine.indexOf('dZ') + 1)));
    assert.match(mapHover, /dW\^\{\[2\]\}: \(1 × n_h\) = \(1 × 3\)/);

    await replace(doc, '= 2a(1-a)', '= a - a^2');
    await diagnosticsWhen(doc.uri, (ds) => ds.length === 0, 'the error in derivation.md to go after the fix', 30_000);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('a notebook: the error in its Markdown cell, with the definitions of the cell before in force; the fix clears it', async () => {
    const nb = await vscode.workspace.openNotebookDocument(workspaceFile('math', 'derivation.ipynb'));
    await vscode.window.showNotebookDocument(nb);
    const cell = nb.cellAt(2).document;
    assert.equal(cell.languageId, 'markdown');
    const [d] = await diagnosticsWhen(cell.uri, (ds) => ds.length > 0, 'a diagnostic in the third cell', 30_000);
    assert.equal(d!.range.start.line, 4, describeDiagnostics(cell.uri));
    assert.equal(d!.code, 'missing-1-over-m');
    assert.match(d!.message, /m = 7 times the side before: the 1\/m is missing/);
    // ∂L/∂z = a − y on line 3 holds with the first cell's definitions; nothing in the other cells.
    assert.equal(ours(cell.uri).length, 1, describeDiagnostics(cell.uri));
    for (const other of [0, 1]) assert.deepEqual(ours(nb.cellAt(other).document.uri).map((x) => x.message), []);

    await replace(cell, 'dZ^{[1]} \\cdot X^T', '\\frac{1}{m} dZ^{[1]} \\cdot X^T');
    await diagnosticsWhen(cell.uri, (ds) => ds.length === 0, 'the error in the notebook cell to go after the fix', 30_000);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
