// The questions "Train DNN" asks before a run: which data, which label column, which
// hyper-parameters. Each returns undefined when the user cancels.
import { open as openFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TableSniff } from '../data/sniff';
import { SAMPLE_DESCRIPTIONS, SAMPLE_NAMES } from '../data/samples';
import { statInputFile, utf8Text } from '../data/textFile';
import type { Hyper } from '../core/types';
import type { DataSource } from '../data/types';
import { HYPER_FIELDS, type HyperField } from './hyperInput';
import { inert } from './runFiles';

/** A table file to train on, with its text when it comes from an (possibly unsaved) editor. */
export type DataChoice = { kind: 'file'; uri: vscode.Uri; text?: string } | { kind: 'sample'; name: string };

export function isTableDocument(doc: vscode.TextDocument): boolean {
  return /\.(csv|tsv)$/i.test(doc.fileName) || doc.languageId === 'csv' || doc.languageId === 'tsv';
}

/** The active CSV/TSV editor, else a quick pick of the workspace's tables and the built-in datasets. */
export async function chooseData(): Promise<DataChoice | undefined> {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && isTableDocument(doc)) return { kind: 'file', uri: doc.uri, text: doc.getText() };

  type Item = vscode.QuickPickItem & { choice?: DataChoice };
  const files = await vscode.workspace.findFiles('**/*.{csv,tsv,CSV,TSV}', '**/{node_modules,.git}/**', 500);
  files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const items: Item[] = [];
  if (files.length > 0) {
    items.push({ label: 'Workspace', kind: vscode.QuickPickItemKind.Separator });
    for (const uri of files) {
      items.push({ label: `$(file) ${inert(path.basename(uri.fsPath))}`, description: inert(vscode.workspace.asRelativePath(uri, true)), choice: { kind: 'file', uri } });
    }
  }
  items.push({ label: 'Built-in datasets', kind: vscode.QuickPickItemKind.Separator });
  for (const name of SAMPLE_NAMES) {
    items.push({ label: `$(beaker) ${name}`, detail: SAMPLE_DESCRIPTIONS[name] ?? '', choice: { kind: 'sample', name } });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Train DNN: choose the data',
    placeHolder: files.length > 0 ? 'A CSV/TSV file of the workspace or a built-in dataset' : 'No CSV/TSV files in the workspace: choose a built-in dataset',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.choice;
}

const SNIFF_BYTES = 256 * 1024;

/** The text to sniff for the label column: the editor's when it is open, else the file's. */
export async function tableText(choice: { uri: vscode.Uri; text?: string }): Promise<string> {
  if (choice.text !== undefined) return choice.text;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === choice.uri.toString());
  if (open) return open.getText();
  // A workspace file named .csv may be a FIFO or a device: refused from its stat(), never opened.
  await statInputFile(choice.uri.fsPath);
  // Only the first lines matter for sniffing; a huge file is not read whole here.
  const handle = await openFile(choice.uri.fsPath, 'r');
  try {
    const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(SNIFF_BYTES), position: 0 });
    return utf8Text(buffer.subarray(0, bytesRead), choice.uri.fsPath, bytesRead < SNIFF_BYTES);
  } finally {
    await handle.close();
  }
}

/** A quick pick of the header's columns, the likely label first. */
export async function chooseLabel(sniff: TableSniff, fileName: string): Promise<number | undefined> {
  type Item = vscode.QuickPickItem & { index: number };
  const order = [sniff.suggestedLabel, ...sniff.columns.map((_, i) => i).filter((i) => i !== sniff.suggestedLabel)];
  const items: Item[] = order.map((i) => ({
    label: inert(sniff.columns[i]!),
    description: i === sniff.suggestedLabel ? `column ${i + 1} · likely the label` : `column ${i + 1}`,
    index: i,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Train DNN: which column of ${inert(fileName)} is the label?`,
    placeHolder: 'The column with the two classes to predict; all other columns are the features',
  });
  return picked?.index;
}

/**
 * The hyper-parameters from the settings, shown in a quick pick whose first entry starts the run;
 * choosing another entry edits that value (for this run only).
 */
export async function editHyper(initial: Hyper, dataName: string): Promise<Hyper | undefined> {
  let hyper = { ...initial };
  type Item = vscode.QuickPickItem & { field?: HyperField };
  for (;;) {
    const start: Item = { label: '$(play) Start training', description: inert(dataName) };
    const items: Item[] = [
      start,
      { label: 'Hyper-parameters (from the settings; choose one to change it for this run)', kind: vscode.QuickPickItemKind.Separator },
      ...HYPER_FIELDS.map((f) => ({ label: f.label, description: f.show(hyper), field: f })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Train DNN: hyper-parameters', placeHolder: 'Enter starts the run' });
    if (!picked) return undefined;
    const field = picked.field;
    if (!field) return hyper;
    const text = await vscode.window.showInputBox({
      title: `Train DNN: ${field.label}`,
      value: field.show(hyper),
      validateInput: (s) => {
        const r = field.parse(s);
        return 'error' in r ? r.error : null;
      },
    });
    if (text === undefined) continue;
    const r = field.parse(text);
    if ('value' in r) hyper = { ...hyper, [field.key]: r.value };
  }
}

/** The worker's data source for a choice. */
export function dataSource(choice: DataChoice, label: number | null): DataSource {
  if (choice.kind === 'sample') return { kind: 'sample', name: choice.name };
  return { kind: 'file', path: choice.uri.fsPath, ...(choice.text !== undefined ? { text: choice.text } : {}), label };
}
