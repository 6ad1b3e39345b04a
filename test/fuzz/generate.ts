// Seeded random command lines for the fuzz suite: damaged model files, damaged CSV files and
// option values at and beyond their edges. Case `index` of seed `seed` is always the same case,
// so a failure is reproduced from the two numbers alone.
import { createModelFile } from '../../src/core/model';
import { initParameters } from '../../src/core/network';
import { type Rng, createRng } from '../../src/core/rng';

export interface FuzzCase {
  /** What was done to the inputs, for the failure message. */
  description: string;
  /** Files to create in the case's empty folder, by name. */
  files: Record<string, Buffer>;
  /** The command line after `backprop-map`; file arguments are names in the case's folder. */
  args: string[];
  /** Files the command may create (those it was asked to write). */
  outputs: string[];
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const chance = (rng: Rng, p: number): boolean => rng.uniform() < p;

/** Numbers that break naive code: overflow, underflow, signed zero, unsafe integers. */
const HOSTILE_NUMBERS = ['1e308', '-1e308', '1.7976931348623157e308', '1e309', '-1e309', '1e-320', '5e-324', '-0', '0', '9007199254740993', '1e-7'];
const HOSTILE_CELLS = [...HOSTILE_NUMBERS, 'NaN', 'Infinity', '-Infinity', '', ' ', '0x10', '1,5', '1.5.5', '"', '""', '"a""b"', 'é', '\u0000', '1e', '.', '-', '+1', '١٢'];

interface Table {
  header: string[];
  rows: string[][];
  labels: [string, string];
}

function baseTable(rng: Rng): Table {
  const k = 1 + rng.int(4);
  const m = 2 + rng.int(30);
  const labels = pick(rng, [['0', '1'], ['B', 'M'], ['no', 'yes'], ['a b', 'c,d'], ['Größe', 'Weite']] as [string, string][]);
  const header = [...Array.from({ length: k }, (_, i) => `f${i + 1}`), 'y'];
  const rows = Array.from({ length: m }, (_, j) => [
    ...Array.from({ length: k }, () => (rng.normal() * 10 ** rng.int(4)).toPrecision(1 + rng.int(17))),
    labels[j % 2]!,
  ]);
  return { header, rows, labels };
}

function quoteCell(s: string): string {
  return /[",;\t\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function tableText(t: Table, sep = ','): string {
  return [t.header, ...t.rows].map((r) => r.map(quoteCell).join(sep)).join('\n') + '\n';
}

/** One to three kinds of damage to a CSV file; returns the bytes and what was done. */
function damageCsv(rng: Rng, t: Table): { bytes: Buffer; what: string[] } {
  const what: string[] = [];
  let sep = ',';
  const table: Table = { header: [...t.header], rows: t.rows.map((r) => [...r]), labels: t.labels };
  let text: string | null = null;
  let bytes: Buffer | null = null;
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const kind = rng.int(12);
    // Damage to cells needs rows to damage.
    if (table.rows.length === 0 && kind <= 4) continue;
    switch (kind) {
      case 0: {
        const cells = 1 + rng.int(4);
        for (let c = 0; c < cells; c++) {
          const r = rng.int(table.rows.length);
          const j = rng.int(table.header.length);
          table.rows[r]![j] = pick(rng, HOSTILE_CELLS);
        }
        what.push(`${cells} hostile cells`);
        break;
      }
      case 1: {
        const v = pick(rng, HOSTILE_NUMBERS);
        const j = rng.int(table.header.length - 1);
        table.rows.forEach((r) => (r[j] = rng.int(2) === 0 ? v : `-${v}`));
        what.push(`column ${j + 1} all ±${v}`);
        break;
      }
      case 2:
        sep = pick(rng, [';', '\t', '|', ' ']);
        what.push(`separator ${JSON.stringify(sep)}`);
        break;
      case 3: {
        const wide = 200 + rng.int(3000);
        table.header = [...Array.from({ length: wide }, (_, c) => `c${c}`), 'y'];
        table.rows = table.rows.slice(0, 6).map((r, j) => [...Array.from({ length: wide }, () => String(rng.int(100))), r.at(-1) ?? String(j % 2)]);
        what.push(`${wide} columns`);
        break;
      }
      case 4: {
        const size = 100_000 + rng.int(2_000_000);
        table.rows.splice(rng.int(table.rows.length), 0, [rng.int(2) === 0 ? '7'.repeat(size) : 'x'.repeat(size), ...table.rows[0]!.slice(1)]);
        what.push(`a line of ${size} characters`);
        break;
      }
      case 5:
        table.header[rng.int(table.header.length)] = pick(rng, ['"', 'a"b', '"unclosed', '', ' ', 'f1', 'y', '__proto__', 'constructor', 'toString']);
        what.push('a damaged header name');
        break;
      case 6:
        table.rows.splice(0, table.rows.length - rng.int(2));
        what.push(`only ${table.rows.length} data rows`);
        break;
      default:
        break;
    }
  }
  text = tableText(table, sep);
  // Damage to the text or its bytes, after the table is written.
  switch (rng.int(10)) {
    case 0:
      text = text.replace(/\n/g, pick(rng, ['\r\n', '\r', '\n\n', '\u2028']));
      what.push('other line ends');
      break;
    case 1:
      bytes = Buffer.from(text, 'latin1');
      what.push('Latin-1 bytes');
      break;
    case 2:
      bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      what.push('UTF-16 with a byte-order mark');
      break;
    case 3:
      text = `\uFEFF${text}`;
      what.push('a UTF-8 byte-order mark');
      break;
    case 4:
      text = text.slice(0, rng.int(text.length + 1));
      what.push('cut short');
      break;
    case 5: {
      const b = Buffer.from(text, 'utf8');
      const flips = 1 + rng.int(8);
      for (let f = 0; f < flips && b.length > 0; f++) b[rng.int(b.length)] = rng.int(256);
      bytes = b;
      what.push(`${flips} random bytes`);
      break;
    }
    case 6: {
      const at = rng.int(text.length + 1);
      text = `${text.slice(0, at)}${pick(rng, ['"', '""', ',', '\u0000', '\r', '\t"', '\n\n\n'])}${text.slice(at)}`;
      what.push('a stray quote, separator or control character');
      break;
    }
    default:
      break;
  }
  return { bytes: bytes ?? Buffer.from(text, 'utf8'), what: what.length ? what : ['undamaged'] };
}

/** A valid model for the table, as train --save writes it. */
function modelFor(rng: Rng, t: Table): Record<string, unknown> {
  const k = t.header.length - 1;
  const hidden = Array.from({ length: 1 + rng.int(3) }, () => 1 + rng.int(6));
  const model = createModelFile({
    params: initParameters([k, ...hidden, 1], rng.int(1000)),
    featureNames: t.header.slice(0, k),
    labelName: 'y',
    labels: { '0': t.labels[0], '1': t.labels[1] },
    scaling: chance(rng, 0.7) ? { mean: Array.from({ length: k }, () => rng.normal()), std: Array.from({ length: k }, () => 0.5 + rng.uniform()) } : null,
    training: { epochs: rng.int(5000), hyper: { hidden, learningRate: 0.3, epochs: 100, batchSize: null, seed: 1, validationSplit: 0.2, standardize: true }, cost: 0.4 },
  });
  return JSON.parse(JSON.stringify(model)) as Record<string, unknown>;
}

const HOSTILE_JSON: readonly unknown[] = [1e308, -1e308, 1.7e308, 2 ** 53, 2 ** 53 + 2, -1, 0, 0.5, 3, 4097, '0', '1', 'B', '', 'x'.repeat(5000), null, true, [], {}, [[1]], [1, 2, 3], JSON.parse('{"__proto__": 1}'), 5e-324];

const COUNT_PATHS: readonly (string | number)[][] = [['training', 'epochs'], ['training', 'epochs'], ['layerDims', 1], ['training', 'hyper', 'epochs'], ['training', 'hyper', 'batchSize']];
const HOSTILE_COUNTS: readonly number[] = [1e308, 1.7e308, 2 ** 53, 2 ** 53 + 2, 2 ** 32, -1, 0.5, 1e7 + 1];

/** Every path of the JSON value that leads to a value, e.g. ['parameters', 'W1', 0, 1]. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length ? [prefix] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (typeof v === 'object' && v !== null) for (const [key, x] of Object.entries(v)) out.push(...paths(x, [...prefix, key]));
  return out;
}

function damageModel(rng: Rng, model: Record<string, unknown>): { bytes: Buffer; what: string[] } {
  const what: string[] = [];
  const all = paths(model);
  // A third of the files get one damaged count only, so that the rest of the file gets them read.
  const countOnly = chance(rng, 1 / 3);
  const n = countOnly ? 0 : 1 + rng.int(3);
  let extra = '';
  for (let i = 0; i < n; i++) {
    const path = pick(rng, all);
    let parent: any = model;
    for (const key of path.slice(0, -1)) parent = parent?.[key];
    if (parent === undefined || parent === null || typeof parent !== 'object') continue;
    const last = path.at(-1)!;
    switch (rng.int(4)) {
      case 0:
        delete parent[last];
        what.push(`${path.join('.')} removed`);
        break;
      case 1:
        extra = pick(rng, ['"__proto__": {"version": 2, "training": {"epochs": 1e308}}, ', '"constructor": {"prototype": {"x": 1}}, ', '"__proto__": null, ']);
        what.push('a __proto__ or constructor key');
        break;
      default: {
        const value = pick(rng, HOSTILE_JSON);
        parent[last] = structuredClone(value);
        what.push(`${path.join('.')} = ${JSON.stringify(value)?.slice(0, 30)}`);
      }
    }
  }
  // The counts are damaged more often than their share of the paths: they decide how long a run is.
  if (countOnly || chance(rng, 0.15)) {
    const [path, value] = [pick(rng, COUNT_PATHS), pick(rng, HOSTILE_COUNTS)];
    let parent: any = model;
    for (const key of path.slice(0, -1)) parent = parent?.[key];
    if (typeof parent === 'object' && parent !== null) {
      parent[path.at(-1)!] = value;
      what.push(`${path.join('.')} = ${value}`);
    }
  }
  let text = JSON.stringify(model, null, rng.int(2));
  if (extra) text = text.replace('{', `{${extra}`);
  if (!countOnly && chance(rng, 0.15)) {
    text = text.slice(0, rng.int(text.length + 1));
    what.push('cut short');
  }
  if (!countOnly && chance(rng, 0.1)) {
    text = text.replace(/\d\.\d+/, '1e999');
    what.push('a number written as 1e999');
  }
  return { bytes: Buffer.from(text, 'utf8'), what };
}

/** Values at and beyond the edges of each training option (huge valid epochs are left out: they only take long). */
const OPTION_VALUES: Record<string, readonly string[]> = {
  lr: ['0', '-0.1', '1e-320', '5e-324', '1e308', 'Infinity', 'NaN', '', 'abc', '100', '1e3', '0x1', '0.3'],
  epochs: ['0', '1', '7', '30', '-1', '2.5', '1e308', '10000001', '1e3', '', 'Infinity', '9007199254740993'],
  hidden: ['1', '4096', '4097', '0', '16,,8', ',', '1e3', '-1', Array(32).fill('2').join(','), Array(33).fill('2').join(','), '3, 2', '2.5', '4096,4'],
  'batch-size': ['0', '1', '2', '-1', '9007199254740992', '1e308', '2.5', '', '1000000'],
  val: ['0', '0.5', '0.99', '0.9999999', '1', '-0', '-0.1', '1e-320', 'NaN', '2'],
  seed: ['0', '4294967295', '4294967296', '-1', '1e308', '2.5', '0x10', ''],
};

/** The case `index` of seed `seed`. */
export function generateCase(seed: number, index: number): FuzzCase {
  const rng = createRng(seed, index);
  const table = baseTable(rng);
  const kind = rng.int(3);
  if (kind === 0) {
    // A damaged model file, read by predict or by train --init.
    const { bytes, what } = damageModel(rng, modelFor(rng, table));
    const files = { 'model.json': bytes, 'data.csv': Buffer.from(tableText(table)) };
    if (chance(rng, 0.4)) return { description: `model file: ${what.join('; ')}; predict`, files, args: ['predict', 'model.json', 'data.csv'], outputs: [] };
    const save = chance(rng, 0.3);
    const args = ['train', 'data.csv', '--init', 'model.json', '--epochs', String(rng.int(30)), ...(save ? ['--save', 'out.json'] : [])];
    return { description: `model file: ${what.join('; ')}; train --init`, files, args, outputs: save ? ['out.json'] : [] };
  }
  if (kind === 1) {
    // A damaged CSV file, read by train, gradcheck or predict.
    const { bytes, what } = damageCsv(rng, table);
    const files: Record<string, Buffer> = { 'data.csv': bytes };
    const command = rng.int(4);
    if (command === 0) {
      files['model.json'] = Buffer.from(JSON.stringify(modelFor(rng, table)));
      return { description: `CSV: ${what.join('; ')}; predict`, files, args: ['predict', 'model.json', 'data.csv'], outputs: [] };
    }
    if (command === 1) return { description: `CSV: ${what.join('; ')}; gradcheck`, files, args: ['gradcheck', 'data.csv', '--hidden', '3', '--examples', '20'], outputs: [] };
    const target = pick(rng, ['out.json', 'out.json', 'data.csv']);
    const save = chance(rng, 0.4);
    const args = ['train', 'data.csv', '--epochs', String(rng.int(20)), ...(save ? ['--save', target] : []), ...(chance(rng, 0.3) ? ['--json'] : [])];
    return { description: `CSV: ${what.join('; ')}; train`, files, args, outputs: save && target !== 'data.csv' ? [target] : [] };
  }
  // Option values at their edges, on a small valid file or a built-in dataset.
  const names = Object.keys(OPTION_VALUES);
  const chosen = new Map<string, string>();
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const name = pick(rng, names);
    chosen.set(name, pick(rng, OPTION_VALUES[name]!));
  }
  if (!chosen.has('epochs')) chosen.set('epochs', String(rng.int(30)));
  // A wide network costs one long epoch per layer pair: few epochs for it.
  if ((chosen.get('hidden') ?? '').includes('4096')) chosen.set('epochs', pick(rng, ['0', '1', '3']));
  const args = ['train', chance(rng, 0.5) ? 'data.csv' : pick(rng, ['sample:xor', 'sample:banknote', 'sample:flower'])];
  for (const [name, value] of chosen) {
    if (rng.int(2) === 0) args.push(`--${name}=${value}`);
    else args.push(`--${name}`, value);
  }
  if (chance(rng, 0.2)) args.push('--dtype', 'float32');
  const outputs: string[] = [];
  if (chance(rng, 0.3)) {
    args.push('--save', 'out.json');
    outputs.push('out.json');
  }
  if (chance(rng, 0.15)) {
    args.push('--report', 'run.html');
    outputs.push('run.html');
  }
  if (chance(rng, 0.3)) args.push('--json');
  return { description: `options ${[...chosen].map(([k, v]) => `--${k} ${JSON.stringify(v)}`).join(' ')}`, files: { 'data.csv': Buffer.from(tableText(table)) }, args, outputs };
}
