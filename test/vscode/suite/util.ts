// Helpers for the integration suite: waiting on the editor's own events, never on sleeps.
import * as vscode from 'vscode';

export const EXTENSION_ID = 'backprop-map.backprop-map';
export const SOURCE = 'Backprop Map';

export function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

export async function activate(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  await ext.activate();
  return ext;
}

/**
 * Resolves once `ready()` holds, checking now and after every `event`; rejects after `ms` with
 * `what` and the last state `describe()` gives.
 */
export function until<T>(event: vscode.Event<unknown>, ready: () => T | undefined, what: string, ms: number, describe?: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const sub = event(() => check());
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}${describe ? `; last state: ${describe()}` : ''}`));
    }, ms);
    const check = () => {
      let v: T | undefined;
      try {
        v = ready();
      } catch (e) {
        clearTimeout(timer);
        sub.dispose();
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (v !== undefined) {
        clearTimeout(timer);
        sub.dispose();
        resolve(v);
      }
    };
    check();
  });
}

export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

export function describeDiagnostics(uri: vscode.Uri): string {
  const ds = ours(uri);
  return ds.length === 0 ? 'no diagnostics' : ds.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join(' | ');
}

/** Diagnostics of `uri` from the checker once `pred` accepts them. */
export function diagnosticsWhen(uri: vscode.Uri, pred: (ds: vscode.Diagnostic[]) => boolean, what: string, ms = 30_000): Promise<vscode.Diagnostic[]> {
  return until(
    vscode.languages.onDidChangeDiagnostics,
    () => {
      const ds = ours(uri);
      return pred(ds) ? ds : undefined;
    },
    what,
    ms,
    () => describeDiagnostics(uri),
  );
}

/** The backprop-map panel's tab, if one is open. */
export function panelTab(): vscode.Tab | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('backpropMap.panel')) return tab;
    }
  }
  return undefined;
}
