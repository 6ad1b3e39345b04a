import { readFileSync } from 'node:fs';
import { findPython, PythonSetupError } from '../checker/python';
import { CheckerRunner } from '../checker/runner';
import type { CheckFunctions, CheckResult, GradientResult } from '../checker/types';

export const CHECK_USAGE = `Usage: backprop-map check FILE.py [--json] [--timeout S] [--python PATH]
                          [--forward NAME] [--backward NAME] [--init NAME] [--cost NAME]

Checks the numpy backward pass in FILE.py against numerical gradients of its own forward pass
(the lecture notes' two-layer or L-layer network) and says on which line a gradient goes wrong.
Only imports, functions, classes and constants of the file are loaded; its script code never runs.

  --json           print one JSON object instead of lines
  --timeout S      time limit of the check in seconds (default 10)
  --python PATH    the Python 3 with numpy to use (default: python3, else python)
  --forward NAME   (also --backward, --init, --cost) the functions to check, when not named in the
                   usual way and not given by a "# backprop-map: forward=NAME backward=NAME" comment

Exit status: 0 every gradient is right, 1 something is wrong, 2 usage error or nothing to check.`;

interface Parsed {
  file: string;
  json: boolean;
  timeoutS: number;
  python: string | null;
  functions: CheckFunctions;
}

class UsageError extends Error {}

function parse(argv: string[]): Parsed | 'help' {
  let file: string | null = null;
  let json = false;
  let timeoutS = 10;
  let python: string | null = null;
  const functions: CheckFunctions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, null];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '-h' || flag === '--help') return 'help';
    else if (flag === '--json') json = true;
    else if (flag === '--timeout') {
      const v = value();
      timeoutS = Number(v);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0 || timeoutS > 3600) throw new UsageError(`--timeout must be a number of seconds between 0 and 3600, not "${v}"`);
    } else if (flag === '--python') python = value();
    else if (flag === '--forward' || flag === '--backward' || flag === '--init' || flag === '--cost') {
      const v = value();
      if (!/^[A-Za-z_]\w*$/.test(v)) throw new UsageError(`${flag} must name a Python function, not "${v}"`);
      functions[flag.slice(2) as keyof CheckFunctions] = v;
    } else if (flag.startsWith('-')) throw new UsageError(`unknown option ${flag}`);
    else if (file === null) file = a;
    else throw new UsageError(`one file at a time (got "${file}" and "${a}")`);
  }
  if (file === null) throw new UsageError('which file? e.g. backprop-map check my_backprop.py');
  return { file, json, timeoutS, python, functions };
}

function fmtRel(x: number): string {
  return x.toExponential(1);
}

function summary(g: GradientResult): string {
  if (g.status === 'ok') return `${g.name} ok (rel. difference ${g.relDifference === null ? '–' : fmtRel(g.relDifference)})`;
  const parts: string[] = [];
  if (g.status === 'value' && g.relDifference !== null) parts.push(`rel. difference ${fmtRel(g.relDifference)}`);
  if (g.status === 'shape' && g.shape) parts.push(`shape (${g.shape.join(', ')}), expected ${g.symbolicShape} = (${g.expectedShape.join(', ')})`);
  if (g.line !== null) parts.push(`line ${g.line}`);
  if (g.hint) parts.push(g.hint);
  const label = { value: 'WRONG', shape: 'WRONG SHAPE', missing: 'MISSING', error: 'NOT CHECKED', ok: 'ok' }[g.status];
  return `${g.name} ${label}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

/** Exit status of a finished check: 2 nothing to check, 1 anything wrong, else 0. */
export function checkExitCode(r: CheckResult): number {
  if (r.reports.some((x) => x.code === 'nothing-to-check')) return 2;
  if (r.gradients.length === 0) return r.reports.some((x) => x.severity === 'error') ? 1 : 2;
  const wrong = r.gradients.some((g) => g.status !== 'ok') || r.reports.some((x) => x.severity === 'error');
  return wrong ? 1 : 0;
}

/** `backprop-map check …`; returns the exit status. */
export async function runCheckCommand(argv: string[]): Promise<number> {
  let args: Parsed | 'help';
  try {
    args = parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`backprop-map check: ${e.message}\n\n${CHECK_USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(CHECK_USAGE + '\n');
    return 0;
  }
  let text: string;
  try {
    text = readFileSync(args.file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    process.stderr.write(`backprop-map check: cannot read ${args.file}: ${why}\n`);
    return 2;
  }
  let runner: CheckerRunner | null = null;
  try {
    const python = await findPython(args.python ?? process.env.BACKPROP_MAP_PYTHON ?? null);
    runner = new CheckerRunner({ python: python.path, timeoutMs: Math.round(args.timeoutS * 1000) });
    const result = await runner.check(text, args.file, { functions: args.functions });
    if (args.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    } else {
      for (const r of result.reports) {
        const related = r.related.map((x) => ` (line ${x.line}: ${x.message})`).join('');
        process.stdout.write(`${args.file}:${r.line}:${r.column}: ${r.severity}: ${r.message}${related} [${r.code}]\n`);
      }
      for (const g of result.gradients) process.stdout.write(summary(g) + '\n');
      if (result.gradients.length && result.convention) {
        const dims = Object.entries(result.dims).map(([k, v]) => `${k} = ${v}`).join(', ');
        process.stdout.write(`(${result.convention} network, ${dims}; tolerance ${result.tolerance})\n`);
      }
    }
    return checkExitCode(result);
  } catch (e) {
    if (e instanceof PythonSetupError) {
      process.stderr.write(`backprop-map check: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    runner?.dispose();
  }
}
