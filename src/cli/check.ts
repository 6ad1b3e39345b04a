import { dirname, resolve } from 'node:path';
import { findPython, PythonSetupError } from '../checker/python';
import { checkNotebook } from '../checker/notebook';
import { CheckerRunner } from '../checker/runner';
import type { CheckFunctions, CheckResult, GradientResult } from '../checker/types';
import { checkMarkdown } from '../derivations/check';
import type { Lang } from '../derivations/messages';
import { type CommandSpec, type ParsedArgs, UsageError, helpText, langOption, parseArgs } from './args';
import { readCheckedFile } from './checkedFile';
import { checkNotebookMath, mathExitCode, mathLines, writeMath } from './checkMath';
import { type Command, EXIT } from './command';

export const CHECK_SPEC: CommandSpec = {
  name: 'check',
  summary:
    'Checks the numpy backward pass in FILE.py (or a Jupyter notebook, FILE.ipynb) against numerical gradients of its own forward pass and says on which line a gradient goes wrong. ' +
    "Where the evidence supports it, it also says why. Only the file's imports, functions, classes and constants are loaded; its script code never runs. " +
    "The math of a Markdown file (FILE.md) and of a notebook's Markdown cells is checked too: each derivation chain at random points, the backprop map's equations on a random network, shape claims; no Python is needed for it.",
  positionals: [{ name: 'FILE.py', help: 'the Python file (or .ipynb notebook) with the forward and backward pass (two-layer or L-layer, as in the notes), or a Markdown file (.md) with the math' }],
  options: {
    json: { help: 'print one JSON object instead of lines' },
    timeout: { value: 'S', help: 'time limit of the check in seconds (default 10)' },
    python: { value: 'PATH', help: 'the Python 3 with numpy to use (default: python3, else python)' },
    forward: { value: 'NAME', help: 'the forward function, when not named in the usual way (also: a "# backprop-map: forward=NAME backward=NAME" comment)' },
    backward: { value: 'NAME', help: 'the backward function' },
    init: { value: 'NAME', help: 'the parameter initialisation function' },
    cost: { value: 'NAME', help: 'the cost function' },
    lang: { value: 'en|de', help: 'language of the math check\'s messages (default: German when LC_ALL, LC_MESSAGES or LANG names German, else English)' },
  },
  notes: 'Exit status: 0 every gradient (and every equation checked) is right, 1 something is wrong, 2 usage error or nothing to check (also a syntax error, a file too large, an internal error).',
};

interface Parsed {
  file: string;
  json: boolean;
  timeoutS: number;
  python: string | null;
  functions: CheckFunctions;
  lang: Lang;
}

function toParsed(args: ParsedArgs): Parsed {
  if (args.positionals.length !== 1) {
    throw new UsageError(args.positionals.length ? `one file at a time (got ${args.positionals.join(', ')})` : 'which file? e.g. backprop-map check my_backprop.py');
  }
  let timeoutS = 10;
  const t = args.values.get('timeout');
  if (t !== undefined) {
    timeoutS = Number(t);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0 || timeoutS > 3600) throw new UsageError(`--timeout must be a number of seconds between 0 and 3600, not "${t}"`);
  }
  const functions: CheckFunctions = {};
  for (const role of ['forward', 'backward', 'init', 'cost'] as const) {
    const v = args.values.get(role);
    if (v === undefined) continue;
    if (!/^[A-Za-z_]\w*$/.test(v)) throw new UsageError(`--${role} must name a Python function, not "${v}"`);
    functions[role] = v;
  }
  return { file: args.positionals[0]!, json: args.flags.has('json'), timeoutS, python: args.values.get('python') ?? null, functions, lang: langOption(args, 'lang', process.env) };
}

function fmtRel(x: number): string {
  return x.toExponential(1);
}

/** numpy's way: `(3,)` for one dimension, `(3, 1)` for two. */
function tuple(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** `line 12`, or in a notebook `cell 7, line 12`. */
function where(x: { line: number; cell?: number }): string {
  return x.cell === undefined ? `line ${x.line}` : `cell ${x.cell}, line ${x.line}`;
}

function summary(g: GradientResult): string {
  if (g.status === 'ok') return `${g.name} ok (rel. difference ${g.relDifference === null ? '–' : fmtRel(g.relDifference)})`;
  const parts: string[] = [];
  if (g.status === 'value' && g.relDifference !== null) parts.push(`rel. difference ${fmtRel(g.relDifference)}`);
  if (g.status === 'shape' && g.shape) parts.push(`shape ${tuple(g.shape)}, expected ${g.symbolicShape} = ${tuple(g.expectedShape)}`);
  if (g.line !== null) parts.push(where({ line: g.line, cell: g.cell }));
  if (g.hint) parts.push(g.hint);
  const label = { value: 'WRONG', shape: 'WRONG SHAPE', missing: 'MISSING', error: 'NOT CHECKED', ok: 'ok' }[g.status];
  return `${g.name} ${label}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

/** Reports that mean the file itself could not be checked: nothing ran, as after a usage error. */
const NOTHING_CHECKED = new Set(['nothing-to-check', 'syntax-error', 'file-too-large', 'internal-error']);

/** Exit status of a finished check: 2 nothing to check, 1 anything wrong, else 0. */
export function checkExitCode(r: CheckResult): number {
  if (r.reports.some((x) => NOTHING_CHECKED.has(x.code))) return EXIT.badInput;
  if (r.gradients.length === 0) return r.reports.some((x) => x.severity === 'error') ? EXIT.checkFailed : EXIT.badInput;
  const wrong = r.gradients.some((g) => g.status !== 'ok') || r.reports.some((x) => x.severity === 'error');
  return wrong ? EXIT.checkFailed : EXIT.ok;
}

const MARKDOWN = /\.(md|markdown)$/i;

/** Runs a check as the command line does, writing to the given streams; resolves to the exit status. */
async function execute(args: Parsed, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  const input = readCheckedFile(args.file);
  if ('error' in input) {
    stderr.write(`backprop-map check: cannot read ${args.file}: ${input.error}.\n`);
    return EXIT.badInput;
  }
  // Markdown: its math only, no Python.
  if (MARKDOWN.test(args.file) && 'text' in input) return writeMath(checkMarkdown(input.text, { file: args.file, lang: args.lang }), args, stdout, stderr);
  // A notebook's Markdown cells: their math, beside the code.
  const cells = 'cells' in input ? input.cells : null;
  const mathResult = cells ? checkNotebookMath(cells, args.file, args.lang) : null;
  const math = mathResult && mathResult.summary.equations > 0 ? mathResult : null;
  let runner: CheckerRunner | null = null;
  try {
    let result: CheckResult;
    if ('refused' in input) {
      result = input.refused;
    } else {
      const python = await findPython(args.python ?? process.env.BACKPROP_MAP_PYTHON ?? null);
      runner = new CheckerRunner({ python: python.path, timeoutMs: Math.round(args.timeoutS * 1000) });
      const options = { functions: args.functions, folder: dirname(resolve(args.file)) };
      result = input.cells ? await checkNotebook(runner, input.cells, args.file, options) : await runner.check(input.text, args.file, options);
    }
    if (args.json) {
      stdout.write(JSON.stringify(math ? { ...result, math } : result, null, 2) + '\n');
    } else {
      for (const r of result.reports) {
        if (math && math.summary.checked > 0 && r.code === 'nothing-to-check') continue;
        const related = r.related.map((x) => ` (${where(x)}: ${x.message})`).join('');
        const at = r.cell === undefined ? `${args.file}:${r.line}:${r.column}` : `${args.file}, ${where(r)}`;
        stdout.write(`${at}: ${r.severity}: ${r.message}${related} [${r.code}]\n`);
      }
      for (const g of result.gradients) stdout.write(summary(g) + '\n');
      if (result.gradients.length && result.convention) {
        const dims = Object.entries(result.dims).map(([k, v]) => `${k} = ${v}`).join(', ');
        stdout.write(`(${result.convention} network, ${dims}; tolerance ${result.tolerance})\n`);
      }
      if (math) for (const l of mathLines(math, args.file, args.lang)) stdout.write(l + '\n');
    }
    if (!math) return checkExitCode(result);
    // Wrong anywhere: 1; else right if anything, code or math, was checked.
    const codes = [checkExitCode(result), mathExitCode(math)];
    return codes.includes(EXIT.checkFailed) ? EXIT.checkFailed : codes.includes(EXIT.ok) ? EXIT.ok : EXIT.badInput;
  } catch (e) {
    if (e instanceof PythonSetupError) {
      if (math) writeMath(math, args, stdout, stderr);
      stderr.write(`backprop-map check: ${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  } finally {
    runner?.dispose();
  }
}

/** The entry of main.ts's command table. */
export const checkCommand: Command = {
  spec: CHECK_SPEC,
  run: (args, ctx) => execute(toParsed(args), ctx.stdout, ctx.stderr),
};

/** `backprop-map check …` with process.stdout/stderr; resolves to the exit status. */
export async function runCheckCommand(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv, CHECK_SPEC);
    if (args.help) {
      process.stdout.write(helpText(CHECK_SPEC, 'backprop-map'));
      return EXIT.ok;
    }
    return await execute(toParsed(args), process.stdout, process.stderr);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`backprop-map check: ${e.message}\nSee backprop-map check --help.\n`);
    return EXIT.badInput;
  }
}
