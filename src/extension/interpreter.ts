// Which Python the gradient checker runs: the setting, else the interpreter selected in the
// Python extension (through its public API, when that extension is installed), else the
// checker's own search of PATH (python3, python).
import * as vscode from 'vscode';

/** The part of the Python extension's API used here (ms-python.python, `environments`). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(env: { path: string } | string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

const PYTHON_EXTENSION = 'ms-python.python';

async function pythonApi(): Promise<PythonExtensionApi | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
  if (!ext) return undefined;
  try {
    return ext.isActive ? ext.exports : await ext.activate();
  } catch {
    return undefined;
  }
}

/**
 * The interpreter the Python extension has selected for `resource`, if it tells. What it names may
 * be a placeholder (`python`, with nothing selected) or an environment since removed: only what it
 * resolves to an interpreter counts, else the checker searches PATH as without the extension.
 */
export async function selectedInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
  const envs = (await pythonApi())?.environments;
  if (!envs) return undefined;
  try {
    const active = envs.getActiveEnvironmentPath(resource);
    if (!active) return undefined;
    const resolved = await envs.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath;
  } catch {
    return undefined;
  }
}

/** Fires when the Python extension's selected interpreter changes (never, without it). */
export async function onInterpreterChange(listener: () => void): Promise<vscode.Disposable | undefined> {
  const ev = (await pythonApi())?.environments?.onDidChangeActiveEnvironmentPath;
  return ev ? ev(() => listener()) : undefined;
}
