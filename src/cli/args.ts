/**
 * Command-line arguments: `--name value`, `--name=value`, flags, `--` to end the options,
 * `-h`/`--help`. Each command declares its options; the help text is generated from that.
 */
import { HYPER_RULES, LIMITS } from '../core/hyper';
import { type Locale, localeOf } from '../shared/locale';

/** Wrong use of the command line: exit code 2 and the message, with a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** The value's name in the help (`--lr R`); absent for a flag. */
  value?: string;
  help: string;
}

export interface PositionalSpec {
  name: string;
  help: string;
  optional?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  positionals: PositionalSpec[];
  options: Record<string, OptionSpec>;
  /** Paragraphs after the option list: examples, exit codes. */
  notes?: string;
}

export interface ParsedArgs {
  positionals: string[];
  /** Options that take a value, by name without the dashes. */
  values: Map<string, string>;
  flags: Set<string>;
  help: boolean;
}

/** Edits (insert, delete, replace, swap two neighbours) between two names: trian → train is 1. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** ` Did you mean --lr?` when a known name is close to the unknown one, else ''. */
export function suggestion(unknown: string, known: readonly string[], prefix = '--'): string {
  let best = '';
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(unknown, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? ` Did you mean ${prefix}${best}?` : '';
}

const NUMBER_LIKE = /^-\.?\d/;

export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: new Map(), flags: new Set(), help: false };
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || !arg.startsWith('-') || arg === '-' || NUMBER_LIKE.test(arg)) {
      out.positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (arg === '-h' || arg === '--help') {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(`Unknown option ${arg}. Options are written with two dashes, e.g. --epochs 500.`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const option = Object.prototype.hasOwnProperty.call(spec.options, name) ? spec.options[name] : undefined;
    if (option === undefined) {
      throw new UsageError(`${spec.name} has no option --${name}.${suggestion(name, Object.keys(spec.options))}`);
    }
    if (option.value === undefined) {
      if (eq >= 0) throw new UsageError(`--${name} is a switch and takes no value (got ${JSON.stringify(arg.slice(eq + 1))}).`);
      out.flags.add(name);
      continue;
    }
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`--${name} needs a value: --${name} ${option.value}.`);
      }
      value = next;
      i++;
    }
    if (out.values.has(name)) throw new UsageError(`--${name} is given twice; give it once.`);
    out.values.set(name, value);
  }
  const max = spec.positionals.length;
  if (out.positionals.length > max && !out.help) {
    const extra = out.positionals.slice(max).map((s) => JSON.stringify(s)).join(' ');
    throw new UsageError(
      max === 0
        ? `${spec.name} takes no arguments besides options, but got ${extra}.`
        : `${spec.name} takes at most ${max} argument${max === 1 ? '' : 's'} (${spec.positionals.map((p) => p.name).join(', ')}), but also got ${extra}.`,
    );
  }
  const required = spec.positionals.filter((p) => !p.optional).length;
  if (out.positionals.length < required && !out.help) {
    const missing = spec.positionals.slice(out.positionals.length, required).map((p) => p.name);
    throw new UsageError(`${spec.name} needs ${missing.join(' and ')}.`);
  }
  return out;
}

// ---------------------------------------------------------------- typed values

/** A number option: its value, `fallback` when absent; UsageError unless `ok` holds. */
export function numberOption(args: ParsedArgs, name: string, fallback: number, ok: (x: number) => boolean, expected: string): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  const x = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(x) || !ok(x)) throw new UsageError(`--${name} must be ${expected}, got ${JSON.stringify(raw)}.`);
  return x;
}

/** A whole number as docs/command-line.md says: decimal digits (not `1e3` or `0x10`), spaces around them ignored. */
const DECIMAL = /^ *\d+ *$/;

export function intOption(args: ParsedArgs, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  const raw = args.values.get(name);
  const ok = (x: number) => raw !== undefined && DECIMAL.test(raw) && Number.isSafeInteger(x) && x >= min && x <= max;
  return numberOption(args, name, fallback, ok, `a whole number ${range}`);
}

/** Hidden layer sizes: `16` or `16,8`. */
export function hiddenOption(args: ParsedArgs, fallback: readonly number[]): number[] {
  const raw = args.values.get('hidden');
  if (raw === undefined) return [...fallback];
  const parts = raw.split(',');
  const sizes = parts.map(Number);
  if (!parts.every((p) => DECIMAL.test(p)) || !HYPER_RULES.hidden.ok(sizes)) {
    throw new UsageError(
      `--hidden must list up to ${LIMITS.hiddenLayers} hidden layer sizes as whole numbers from 1 to ${LIMITS.hiddenUnits} separated by commas (decimal digits), e.g. --hidden 16 or --hidden 16,8; got ${JSON.stringify(raw)}.`,
    );
  }
  return sizes;
}

/** A language option (`--report-lang`, `--lang`): its value, else the locale of the environment (the first of LC_ALL, LC_MESSAGES, LANG that is set). */
export function langOption(args: ParsedArgs, name: string, env: NodeJS.ProcessEnv): Locale {
  const given = args.values.get(name);
  if (given !== undefined) {
    if (given !== 'en' && given !== 'de') throw new UsageError(`--${name} must be en or de, got ${given}.`);
    return given;
  }
  return localeOf(env.LC_ALL || env.LC_MESSAGES || env.LANG);
}

// ---------------------------------------------------------------- help

export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    lines.push(line);
  }
  return lines.map((l, i) => (i === 0 ? l : indent + l)).join('\n');
}

export function helpText(spec: CommandSpec, program: string): string {
  const positionals = spec.positionals.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(' ');
  const out = [`Usage: ${program} ${spec.name}${positionals ? ` ${positionals}` : ''} [options]`, '', spec.summary, ''];
  const rows: [string, string][] = [
    ...spec.positionals.map((p): [string, string] => [p.name, p.help]),
    ...Object.entries(spec.options).map(([name, o]): [string, string] => [`--${name}${o.value ? ` ${o.value}` : ''}`, o.help]),
    ['-h, --help', 'show this help'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const indent = ' '.repeat(width + 2);
  for (const [k, h] of rows) out.push(`  ${k.padEnd(width)}${wrap(h, Math.max(40, 100 - width), indent)}`);
  if (spec.notes) out.push('', spec.notes);
  return `${out.join('\n')}\n`;
}
