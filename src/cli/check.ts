import { dirname, join, resolve } from 'node:path';
import { findPython, PythonSetupError } from '../checker/python';
import { checkNotebook } from '../checker/notebook';
import { CheckerRunner } from '../checker/runner';
import type { CheckFunctions, CheckResult, CheckUnit, GradientResult } from '../checker/types';
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
  notes: 'It checks every unit on its own: pairs of layer functions (affine_forward / affine_backward, linear_forward / linear_backward, relu / relu_backward, …), losses with their gradient (softmax_loss, svm_loss_naive, …), model classes whose loss(X, y) returns (loss, grads), layer classes with forward and backward methods, and whole networks. ' +
    'Exit status: 0 every checked unit (and every equation checked) is right, 1 something is wrong, 2 usage error or nothing could be checked (also a syntax error, a file too large, an internal error).',
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

/** `line 12`, in a notebook `cell 7, line 12`, in a helper module `dnn_utils.py:76`. */
function where(x: { line: number; cell?: number; file?: string }): string {
  if (x.file !== undefined) return `${x.file}:${x.line}`;
  return x.cell === undefined ? `line ${x.line}` : `cell ${x.cell}, line ${x.line}`;
}

/** `file`: the helper module whose unit computed it. */
function summary(g: GradientResult, file?: string): string {
  if (g.status === 'ok') return `${g.name} ok (rel. difference ${g.relDifference === null ? '–' : fmtRel(g.relDifference)})`;
  const parts: string[] = [];
  if (g.status === 'value' && g.relDifference !== null) parts.push(`rel. difference ${fmtRel(g.relDifference)}`);
  if (g.status === 'shape' && g.shape) parts.push(`shape ${tuple(g.shape)}, expected ${g.symbolicShape} = ${tuple(g.expectedShape)}`);
  if (g.line !== null) parts.push(where({ line: g.line, ...(g.cell !== undefined ? { cell: g.cell } : {}), ...(file !== undefined ? { file } : {}) }));
  if (g.hint) parts.push(g.hint);
  const label = { value: 'WRONG', shape: 'WRONG SHAPE', missing: 'MISSING', error: 'NOT CHECKED', ok: 'ok' }[g.status];
  return `${g.name} ${label}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

/** Reports that mean the file itself could not be checked: nothing ran, as after a usage error. */
const NOTHING_CHECKED = new Set(['nothing-to-check', 'syntax-error', 'file-too-large', 'internal-error']);

/**
 * Exit status of a finished check: 1 when anything is wrong (a unit, a gradient, an error report), 0
 * when every checked unit is right, 2 when nothing at all could be checked.
 */
export function checkExitCode(r: CheckResult): number {
  if (r.reports.some((x) => NOTHING_CHECKED.has(x.code) && x.severity === 'error')) return EXIT.badInput;
  const wrong = r.gradients.some((g) => g.status !== 'ok') || r.units.some((u) => u.status === 'wrong' || u.status === 'error');
  if (wrong || r.reports.some((x) => x.severity === 'error')) return EXIT.checkFailed;
  return r.gradients.length > 0 || r.units.some((u) => u.status === 'ok') ? EXIT.ok : EXIT.badInput;
}

const UNIT_KIND: Record<CheckUnit['kind'], string> = {
  layer: 'layer', activation: 'activation', loss: 'loss', model: 'model', network: 'network', method: 'layer class',
};

/** One line per unit that is not the whole network (whose gradients have their own lines). */
export function unitSummary(u: CheckUnit): string {
  const what = [UNIT_KIND[u.kind], u.convention, u.scaling === null ? null : `scaling ${u.scaling}`].filter((x) => x !== null).join(', ');
  const at = where({ line: u.line, ...(u.cell !== undefined ? { cell: u.cell } : {}), ...(u.file !== undefined ? { file: u.file } : {}) });
  const names = [...new Set(u.gradients.map((g) => g.name))].join(', ');
  if (u.status === 'ok') {
    const worst = Math.max(0, ...u.gradients.map((g) => g.relDifference ?? 0));
    return `✓ ${u.function}: ${names} right (${what}; max rel. difference ${fmtRel(worst)})`;
  }
  if (u.status === 'wrong') {
    const bad = u.gradients.filter((g) => g.status !== 'ok').map((g) => summary(g, u.file) + (g.case ? ` [${g.case}]` : ''));
    return `✗ ${u.function} (${what}, ${at}): ${[...new Set(bad)].join('; ')}${u.reason ? ` — ${u.reason}` : ''}`;
  }
  const label = { 'not-written': 'not written yet', 'not-checked': 'not checked', error: 'ERROR' }[u.status];
  return `${u.status === 'error' ? '✗' : '·'} ${u.function} (${at}): ${label}${u.reason ? ` — ${u.reason}` : ''}`;
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
        const at = r.file !== undefined ? `${join(dirname(args.file), r.file)}:${r.line}:${r.column}`
          : r.cell === undefined ? `${args.file}:${r.line}:${r.column}` : `${args.file}, ${where(r)}`;
        stdout.write(`${at}: ${r.severity}: ${r.message}${related} [${r.code}]\n`);
      }
      for (const g of result.gradients) stdout.write(summary(g) + '\n');
      if (result.gradients.length && result.convention) {
        const dims = Object.entries(result.dims).map(([k, v]) => `${k} = ${v}`).join(', ');
        stdout.write(`(${result.convention} network, ${dims}; tolerance ${result.tolerance})\n`);
      }
      const first = result.units.find((u) => u.kind === 'network' && result.gradients.length > 0);
      for (const u of result.units) if (u !== first) stdout.write(unitSummary(u) + '\n');
      if (checkExitCode(result) === EXIT.badInput && result.units.length > 0) {
        stdout.write('nothing was checked: ' + result.units.map((u) => `${u.function} ${u.status === 'not-written' ? 'is not written yet' : 'is not checked'}`).join('; ') + '\n');
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
