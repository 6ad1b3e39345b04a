// The checker's latest result for a Python file or a notebook cell as the editor's own features:
// code lenses above the whole network's backward and above every other checked unit, hovers and inlay
// hints with traced shapes, quick fixes.
import * as vscode from 'vscode';
import type { CheckedFunction, CheckResult, GradientResult, TracedVariable } from '../checker/types';
import { fileNetwork, unitLens } from '../checker/unitLens';
import type { CheckerService } from './checkerService';
import { reportRange, SOURCE } from './diagnosticRange';
import { COMMANDS } from './ids';
import { checkerSettings } from './settings';

const PYTHON: vscode.DocumentSelector = [
  { language: 'python', scheme: 'file' },
  { language: 'python', scheme: 'untitled' },
  { language: 'python', scheme: 'vscode-notebook-cell' },
];

type Trace = TracedVariable;
type Func = CheckedFunction;
type Gradient = GradientResult;

/** `(n_h, m)` → `(n_h × m)`, the notes' way of writing a shape. */
function times(shape: string): string {
  const dims = shape.replace(/^\(|\)$/g, '').split(',').map((d) => d.trim()).filter(Boolean);
  return `(${dims.join(' × ')})`;
}

/** `(n_h × m) = (3 × 7)`: the notes' symbolic shape and the traced numbers; null for a non-array. */
export function shapeText(t: { shape: number[] | null; symbolicShape: string | null }): string | null {
  if (!t.shape) return null;
  const numbers = `(${t.shape.join(' × ')})`;
  return t.symbolicShape ? `${times(t.symbolicShape)} = ${numbers}` : numbers;
}

const STATUS: Record<Gradient['status'], string> = {
  ok: 'matches the numerical gradient',
  shape: 'has the wrong shape',
  value: 'differs from the numerical gradient',
  missing: 'is missing from the returned gradients',
  error: 'could not be computed',
};

/** A gradient's verdict in a few words, with the checker's hint when it has one. */
export function gradientVerdict(g: Gradient): string {
  const rel = g.relDifference !== null ? ` (rel. difference ${g.relDifference.toExponential(1)})` : '';
  return `${g.status === 'ok' ? '✓' : '✗'} ${g.name} ${STATUS[g.status]}${rel}${g.hint ? ` — ${g.hint}` : ''}`;
}

function functionAt(result: CheckResult, line: number): Func | undefined {
  // Innermost: the latest-starting function whose lines contain `line` (1-based).
  let best: Func | undefined;
  for (const f of result.functions) {
    if (f.line <= line && line <= f.endLine && (!best || f.line > best.line)) best = f;
  }
  return best;
}

function isBackward(fn: Func): boolean {
  return fn.role === 'backward';
}

export function registerPythonFeatures(checker: CheckerService): vscode.Disposable {
  const lensChanged = new vscode.EventEmitter<void>();
  const hintsChanged = new vscode.EventEmitter<void>();
  const subs: vscode.Disposable[] = [lensChanged, hintsChanged];
  subs.push(checker.onDidChangeResult(() => {
    lensChanged.fire();
    hintsChanged.fire();
  }));
  subs.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('backpropMap.inlayHints')) hintsChanged.fire();
  }));

  subs.push(vscode.languages.registerCodeLensProvider(PYTHON, {
    onDidChangeCodeLenses: lensChanged.event,
    provideCodeLenses(doc) {
      const result = checker.result(doc.uri);
      if (!result) return [];
      const lenses: vscode.CodeLens[] = [];
      const network = fileNetwork(result);
      for (const fn of result.functions.filter((f) => isBackward(f) && (network ? f.name === network.function : result.units.length === 0))) {
        lenses.push(...networkLenses(doc, result, fn));
      }
      // A helper module's units have their lenses in the module, where they are checked on their own.
      for (const u of result.units.filter((x) => x.file === undefined)) {
        if (u === network || (network && u.function === network.function && u.line === network.line)) continue;
        const range = reportRange(doc, u.line, 1, undefined);
        const lens = unitLens(u, result.reports);
        const to = lens.target ? checker.locate(doc.uri, lens.target) : undefined;
        lenses.push(new vscode.CodeLens(range, to
          ? { title: lens.title, command: COMMANDS.revealLine, arguments: [to.uri, to.line], ...(lens.tooltip ? { tooltip: lens.tooltip } : {}) }
          : { title: lens.title, command: '', ...(lens.tooltip ? { tooltip: lens.tooltip } : {}) }));
        lenses.push(new vscode.CodeLens(range, { title: 'Re-check', command: COMMANDS.recheck, arguments: [doc.uri] }));
      }
      return lenses;
    },
  }));

  /** The whole network's lenses above its backward: terms still to write, the verdict, Re-check. */
  function networkLenses(doc: vscode.TextDocument, result: CheckResult, fn: Func): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    const range = reportRange(doc, fn.line, 1, undefined);
    const grads = result.gradients;
    // In an exercise, a gradient still missing waits for its terms to be written: not wrong.
    const toWrite = result.reports.filter((r) => r.code === 'not-written' && r.term !== undefined);
    const wrong = grads.filter((g) => g.status !== 'ok' && !(g.status === 'missing' && toWrite.length > 0));
    if (toWrite.length > 0) {
      lenses.push(new vscode.CodeLens(range, {
        title: `… ${toWrite.length} term${toWrite.length === 1 ? '' : 's'} to write — next: ${toWrite[0]!.term ?? `line ${toWrite[0]!.line}`}`,
        command: COMMANDS.revealLine,
        arguments: [doc.uri, toWrite[0]!.line],
        tooltip: 'Go to the first term of the exercise not written yet',
      }));
    }
    if (wrong.length === 0 && toWrite.length === 0 && grads.length > 0) {
      const worst = Math.max(...grads.map((g) => g.relDifference ?? 0));
      lenses.push(new vscode.CodeLens(range, { title: `✓ gradients match (max rel. difference ${worst.toExponential(1)})`, command: '' }));
    } else if (wrong.length > 0) {
      const first = checker.locate(doc.uri, firstError(result, wrong));
      lenses.push(new vscode.CodeLens(range, {
        title: `✗ ${wrong.map((g) => g.name).join(', ')} wrong — show`,
        command: COMMANDS.revealLine,
        arguments: [first.uri, first.line],
        tooltip: 'Go to the line where the first wrong gradient goes wrong',
      }));
    }
    lenses.push(new vscode.CodeLens(range, { title: 'Re-check', command: COMMANDS.recheck, arguments: [doc.uri] }));
    return lenses;
  }

  subs.push(vscode.languages.registerHoverProvider(PYTHON, {
    provideHover(doc, position) {
      const result = checker.result(doc.uri);
      const range = doc.getWordRangeAtPosition(position, /[A-Za-z_][A-Za-z0-9_]*/);
      if (!result || !range) return undefined;
      const fn = functionAt(result, position.line + 1);
      if (!fn) return undefined;
      const word = doc.getText(range);
      // The assignment that last set the name at or before this line; else its first assignment.
      const traces = result.traces.filter((t) => t.name === word && t.function === fn.name);
      if (traces.length === 0) return undefined;
      const before = traces.filter((t) => t.line <= position.line + 1);
      const trace = before.length > 0 ? before.reduce((a, b) => (b.line > a.line ? b : a)) : traces[0]!;
      const shape = shapeText(trace);
      const unit = result.units.find((u) => u.kind !== 'network' && u.file === undefined && u.line <= position.line + 1 && position.line + 1 <= u.endLine);
      const g = (unit ? unit.gradients : result.gradients).find((x) => x.name === word);
      if (!shape && !g) return undefined;
      const md = new vscode.MarkdownString();
      if (shape) md.appendCodeblock(`${word}: ${shape}`, 'text');
      if (g) md.appendText(gradientVerdict(g));
      md.appendMarkdown(`\n\n*traced at line ${trace.line} by ${SOURCE}*`);
      return new vscode.Hover(md, range);
    },
  }));

  subs.push(vscode.languages.registerInlayHintsProvider(PYTHON, {
    onDidChangeInlayHints: hintsChanged.event,
    provideInlayHints(doc, range) {
      const result = checker.result(doc.uri);
      if (!result || !checkerSettings(doc.uri).inlayHints) return [];
      const byLine = new Map<number, Trace[]>();
      for (const t of result.traces) {
        const fn = result.functions.find((f) => f.name === t.function);
        if (!fn || !t.shape || t.line - 1 < range.start.line || t.line - 1 > range.end.line || t.line > doc.lineCount) continue;
        const list = byLine.get(t.line) ?? [];
        if (!list.some((x) => x.name === t.name)) list.push(t);
        byLine.set(t.line, list);
      }
      const hints: vscode.InlayHint[] = [];
      for (const [line, traces] of byLine) {
        const end = doc.lineAt(line - 1).range.end;
        const label = traces.length === 1 ? shapeText(traces[0]!)! : traces.map((t) => `${t.name}: ${shapeText(t)}`).join(', ');
        const hint = new vscode.InlayHint(end, label, vscode.InlayHintKind.Type);
        hint.paddingLeft = true;
        hints.push(hint);
      }
      return hints;
    },
  }));

  subs.push(vscode.languages.registerCodeActionsProvider(PYTHON, {
    provideCodeActions(doc, _range, context) {
      const actions: vscode.CodeAction[] = [];
      for (const d of context.diagnostics) {
        if (d.source !== SOURCE) continue;
        const fix = checker.report(d)?.fix;
        if (!fix) continue;
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) {
          edit.replace(doc.uri, new vscode.Range(e.line - 1, e.column - 1, e.endLine - 1, e.endColumn - 1), e.newText);
        }
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = edit;
        action.diagnostics = [d];
        action.isPreferred = true;
        actions.push(action);
      }
      return actions;
    },
  }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));

  return vscode.Disposable.from(...subs);
}

/**
 * Where to go from "show": the first error report, else the line computing the first wrong
 * gradient (in a notebook cell's result, which may be in another cell).
 */
function firstError(result: CheckResult, wrong: Gradient[]): { line: number; cell?: number } {
  const error = result.reports.find((r) => r.severity === 'error');
  if (error) return error;
  const g = wrong.find((x) => x.line !== null);
  return g ? { line: g.line!, ...(g.cell !== undefined ? { cell: g.cell } : {}) } : { line: 1 };
}
