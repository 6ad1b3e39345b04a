// A unit's verdict in the few words of a code lens above its function: `✓ linear_backward: dA_prev,
// dW, db`, `✗ db: shape (3,)`, `not written yet`, `not checked: …`; and where "show" goes.
import type { CheckReport, CheckResult, CheckUnit, GradientResult } from './types';

/** A code lens's title is one line: a long reason is cut. */
const MAX_REASON = 90;

export interface UnitLens {
  title: string;
  /** Where the lens leads (the first error of the unit), if anywhere. */
  target?: { line: number; cell?: number };
  tooltip?: string;
}

function shape(s: number[]): string {
  return s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`;
}

function brief(g: GradientResult): string {
  if (g.status === 'shape' && g.shape) return `${g.name}: shape ${shape(g.shape)}`;
  if (g.status === 'value' && g.relDifference !== null) return `${g.name}: rel. difference ${g.relDifference.toExponential(1)}`;
  if (g.status === 'missing') return `${g.name}: missing`;
  return `${g.name}: wrong`;
}

function cut(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

/** The lens of a unit other than the whole network whose gradients the file's result carries. */
export function unitLens(u: CheckUnit, reports: CheckReport[]): UnitLens {
  const names = [...new Set(u.gradients.map((g) => g.name))];
  const own = reports.find((r) => r.unit === u.function && r.file === u.file && r.severity === 'error');
  const target = own ? { line: own.line, ...(own.cell !== undefined ? { cell: own.cell } : {}) } : undefined;
  switch (u.status) {
    case 'ok': {
      const worst = Math.max(0, ...u.gradients.map((g) => g.relDifference ?? 0));
      const how = [u.convention, u.scaling === null ? null : `scaling ${u.scaling}`].filter((x) => x !== null).join(', ');
      return { title: `✓ ${u.function}: ${names.join(', ')}`, tooltip: `matches the numerical gradient (${how}; max rel. difference ${worst.toExponential(1)})` };
    }
    case 'wrong': {
      const wrong = u.gradients.filter((g) => g.status !== 'ok');
      const title = u.reason && !own ? `✗ ${cut(u.reason)}` : `✗ ${[...new Set(wrong.map(brief))].join(' · ')}`;
      return { title, ...(target ? { target } : {}), tooltip: wrong.map((g) => g.hint).filter((h) => h).join('\n') || 'differs from the numerical gradient' };
    }
    case 'error':
      return { title: `✗ ${cut(own?.message ?? u.reason ?? 'an error')}`, ...(target ? { target } : {}) };
    case 'not-written':
      return { title: 'not written yet', ...(u.reason ? { tooltip: u.reason } : {}) };
    case 'not-checked':
      return { title: `not checked: ${cut(u.reason ?? 'it could not be set up')}`, ...(u.reason ? { tooltip: u.reason } : {}) };
  }
}

/** The unit whose gradients are the file's own (the first whole network), which keeps its lenses of old. */
export function fileNetwork(result: CheckResult): CheckUnit | undefined {
  return result.gradients.length > 0 ? result.units.find((u) => u.kind === 'network') : undefined;
}
