import * as vscode from 'vscode';
import type { CheckFunctions } from '../checker/types';
import type { Hyper } from '../core/types';
import { hyperFromConfiguration } from './hyperInput';

const SECTION = 'backpropMap';

function finiteOr(value: unknown, fallback: number, ok: (n: number) => boolean): number {
  return typeof value === 'number' && Number.isFinite(value) && ok(value) ? value : fallback;
}

/**
 * The training hyper-parameters from the settings; a hand-edited value outside its range falls
 * back to the default rather than starting a run that cannot work.
 */
export function hyperFromSettings(defaults: Hyper): Hyper {
  const c = vscode.workspace.getConfiguration(`${SECTION}.training`);
  return hyperFromConfiguration((key) => c.get<unknown>(key), defaults);
}

export interface CheckerSettings {
  enabled: boolean;
  run: 'onType' | 'onSave';
  timeoutMs: number;
  /** Empty when not set (or ignored because the workspace is not trusted). */
  pythonPath: string;
  inlayHints: boolean;
  /** Functions to check that are not found by their usual names. */
  functions: CheckFunctions;
}

export function checkerSettings(resource?: vscode.Uri): CheckerSettings {
  const c = vscode.workspace.getConfiguration(SECTION, resource);
  const timeout = finiteOr(c.get('checker.timeout'), 10, (n) => n > 0);
  const named = c.get<Record<string, unknown>>('checker.functions') ?? {};
  const functions: CheckFunctions = {};
  for (const role of ['forward', 'backward', 'init', 'cost'] as const) {
    const name = named[role];
    if (typeof name === 'string' && /^[A-Za-z_]\w*$/.test(name)) functions[role] = name;
  }
  return {
    enabled: c.get<boolean>('checker.enabled', true) !== false,
    run: c.get('checker.run') === 'onSave' ? 'onSave' : 'onType',
    timeoutMs: Math.round(timeout * 1000),
    pythonPath: (c.get<string>('checker.pythonPath') ?? '').trim(),
    inlayHints: c.get<boolean>('inlayHints.enabled', true) !== false,
    functions,
  };
}

/** Whether the math in Markdown is checked (it runs no code: also in untrusted workspaces). */
export function mathEnabled(resource?: vscode.Uri): boolean {
  return vscode.workspace.getConfiguration(SECTION, resource).get<boolean>('math.enabled', true) !== false;
}

export function affectsChecker(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(`${SECTION}.checker`) || e.affectsConfiguration(`${SECTION}.inlayHints`);
}
