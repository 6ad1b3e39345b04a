// `backprop-map export MODEL.json --to numpy|torch` writes a Python script that must predict on a
// CSV file as `backprop-map predict` does: the same rows, classes and labels, probabilities to 1e-12,
// the parameters read back as exactly the doubles of the model file, and no name or label from the
// model file ever running as code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createRng } from '../../src/core/rng';
import { HOSTILE, readRfc4180 } from '../data/rfc4180';
import { cli } from '../cli/cliRun';

const dir = mkdtempSync(join(tmpdir(), 'bpm-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function python(args: string[], program = 'python3'): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(program, args, { encoding: 'utf8', timeout: 120_000, cwd: dir });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The torch scripts run on the first of these that imports torch (a distribution's python3-torch
// lives beside its own python3, which need not be the python3 on the PATH). Where torch must be
// there (.ci/run installs it and says so), its absence is a failure, not a skip.
const TORCH_PYTHON = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch']).status === 0) ?? 'python3';
const TORCH_VERSION = spawnSync(TORCH_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
const HAS_TORCH = TORCH_VERSION.status === 0;
const TORCH_REQUIRED = process.env['BACKPROP_MAP_TORCH_REQUIRED'] === '1';

function trainModel(name: string, data: string, args: string[] = []): string {
  const model = join(dir, `${name}.model.json`);
  const r = cli(['train', data, '--epochs', '30', '--hidden', '5,3', '--val', '0', '--save', model, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return model;
}

function exportScript(model: string, kind: 'numpy' | 'torch'): string {
  const out = model.replace(/\.model\.json$/, `.${kind}.py`);
  const r = cli(['export', model, '--to', kind, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  return out;
}

/** Runs predict and the script on the same file and compares every row. */
function assertSamePredictions(model: string, script: string, data: string, program = 'python3'): number {
  const expected = cli(['predict', model, data]);
  assert.equal(expected.code, 0, expected.stderr);
  const got = python([script, data], program);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(got.stderr, '');
  const want = readRfc4180(expected.stdout);
  const have = readRfc4180(got.stdout);
  assert.deepEqual(have[0], ['probability', 'class', 'label']);
  assert.equal(have.length, want.length, `${data}: row count`);
  for (let k = 1; k < want.length; k++) {
    const p = Number(have[k]![0]);
    const q = Number(want[k]![0]);
    assert.ok(Math.abs(p - q) <= 1e-12, `${data}, row ${k}: probability ${have[k]![0]} vs predict's ${want[k]![0]}`);
    // The class and label only where the threshold cannot tip between the two computations.
    if (Math.abs(q - 0.5) > 1e-12) assert.deepEqual(have[k]!.slice(1), want[k]!.slice(1), `${data}, row ${k}`);
  }
  // Where the numbers agree to the last bit, the whole output is the same text.
  if (want.every((row, k) => row[0] === have[k]![0])) assert.equal(got.stdout, expected.stdout);
  return want.length - 1;
}

/** Another spelling that predict still matches, ignoring case (not Größe → GRÖSSE). */
const swapCase = (s: string): string => [...s].map((c) => (c === c.toLowerCase() && c.toUpperCase().toLowerCase() === c ? c.toUpperCase() : c.toLowerCase())).join('');

/** A random table of the model's features `names` (n_x = 3) in the ways predict reads tables. */
function randomTable(rng: ReturnType<typeof createRng>, names: readonly string[]): string {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const delimiter = pick([',', ';', '\t'] as const);
  const decimalComma = delimiter !== ',' && rng.uniform() < 0.5;
  const eol = pick(['\n', '\r\n', '\r']);
  const header = rng.uniform() < 0.7;
  const quote = (s: string): string => (s.includes(delimiter) || s.includes('"') || rng.uniform() < 0.15 ? `"${s.replaceAll('"', '""')}"` : s);
  const number = (): string => {
    const v = (rng.uniform() - 0.5) * 10 ** (rng.int(8) - 3);
    const s = pick([String(v), v.toFixed(rng.int(6)), v.toExponential(rng.int(8)), String(Math.round(v))]);
    return decimalComma ? s.replace('.', ',') : s;
  };
  // With a header: the features in any order, in any case, between an id and a label column.
  const order = header ? [...names.keys()].sort(() => rng.uniform() - 0.5) : [...names.keys()];
  const columns = header ? ['id', ...order.map((i) => (rng.uniform() < 0.3 ? swapCase(names[i]!) : names[i]!)), 'y'] : order.map((i) => names[i]!);
  const withLabel = header || rng.uniform() < 0.5;
  const m = 1 + rng.int(40);
  const lines: string[] = [];
  if (header) lines.push(columns.map(quote).join(delimiter));
  for (let j = 0; j < m; j++) {
    const cells = order.map(() => quote(` ${number()}`.slice(rng.uniform() < 0.8 ? 1 : 0)));
    if (header) cells.unshift(String(j + 1));
    if (withLabel) cells.push(pick(['B', 'M']));
    lines.push(cells.join(delimiter));
    if (rng.uniform() < 0.05) lines.push('');
  }
  return `${rng.uniform() < 0.2 ? '\uFEFF' : ''}${lines.join(eol)}${rng.uniform() < 0.5 ? eol : ''}`;
}

test('numpy export: the same predictions as predict on built-in data, the fixtures and 24 random tables', () => {
  const flower = trainModel('flower', 'sample:flower');
  const flowerScript = exportScript(flower, 'numpy');
  const flowerCsv = join(dir, 'flower.csv');
  // Far outside the training range too, where ReLU units switch off and σ saturates.
  const rows = Array.from({ length: 200 }, (_, j) => `${(((j * 37) % 101) - 50) / 5},${(((j * 53) % 97) - 48) / 3}`);
  writeFileSync(flowerCsv, `x1,x2\n${rows.join('\n')}\n1e6,-1e6\n-3e300,2.5e-320\n`);
  assert.equal(assertSamePredictions(flower, flowerScript, flowerCsv), 202);

  const fixtures = join(__dirname, '../../../test/fixtures/data');
  for (const file of readdirSync(fixtures)) {
    const model = trainModel(file.replace(/\W/g, '_'), join(fixtures, file));
    assertSamePredictions(model, exportScript(model, 'numpy'), join(fixtures, file));
  }

  // Three features with names that need care, unscaled and scaled.
  const names = ['Größe', 'a "b"', 'c;d'];
  const train = join(dir, 'three.csv');
  const trainRows = Array.from({ length: 60 }, (_, j) => `${j % 7},${(j * 3) % 11 - 5},${Math.sin(j)},${(j * j) % 5 > 1 ? 'M' : 'B'}`);
  writeFileSync(train, `Größe,"a ""b""",c;d,y\n${trainRows.join('\n')}\n`);
  const rng = createRng(1306);
  for (const extra of [[], ['--no-standardize']]) {
    const model = trainModel(`three${extra.length}`, train, extra);
    const script = exportScript(model, 'numpy');
    for (let t = 0; t < 12; t++) {
      const data = join(dir, `random${extra.length}-${t}.csv`);
      writeFileSync(data, randomTable(rng, names));
      assertSamePredictions(model, script, data);
    }
  }
});

/** The script's constants as JSON, read by Python from the script itself (its main does not run). */
function constantsOf(script: string): { PARAMETERS: Record<string, number[][]>; SCALING: { mean: number[]; std: number[] } | null; FEATURE_NAMES: string[]; LABEL_NAME: string; LABELS: Record<string, string> } {
  // Only the model block runs (from LAYER_DIMS on, without the main guard), so a torch script needs no torch.
  const code = [
    'import ast, json, sys',
    'import numpy as np',
    'source = open(sys.argv[1], encoding="utf-8").read()',
    'tree = ast.parse(source)',
    'start = next(i for i, n in enumerate(tree.body) if isinstance(n, ast.Assign) and n.targets[0].id == "LAYER_DIMS")',
    'block = ast.Module(body=[n for n in tree.body[start:] if isinstance(n, ast.Assign)], type_ignores=[])',
    'scope = {"np": np}',
    'exec(compile(block, "model", "exec"), scope)',
    'to_list = lambda a: [[repr(float(x)) for x in row] for row in a]',
    'out = {"PARAMETERS": {k: to_list(v) for k, v in scope["PARAMETERS"].items()},',
    '       "SCALING": None if scope["SCALING"] is None else {k: [repr(float(x)) for x in v] for k, v in scope["SCALING"].items()},',
    '       "FEATURE_NAMES": scope["FEATURE_NAMES"], "LABEL_NAME": scope["LABEL_NAME"], "LABELS": {str(k): v for k, v in scope["LABELS"].items()}}',
    'print(json.dumps(out, ensure_ascii=True))',
  ].join('\n');
  const r = python(['-c', code, script]);
  assert.equal(r.code, 0, r.stderr);
  // repr() of a float is its shortest round-trip digits; Number() reads them as the same double.
  const numbers = (xs: string[]): number[] => xs.map((s) => (s === '-0.0' ? -0 : Number(s)));
  const doc = JSON.parse(r.stdout) as { PARAMETERS: Record<string, string[][]>; SCALING: Record<string, string[]> | null; FEATURE_NAMES: string[]; LABEL_NAME: string; LABELS: Record<string, string> };
  return {
    ...doc,
    PARAMETERS: Object.fromEntries(Object.entries(doc.PARAMETERS).map(([k, v]) => [k, v.map(numbers)])),
    SCALING: doc.SCALING === null ? null : { mean: numbers(doc.SCALING['mean']!), std: numbers(doc.SCALING['std']!) },
  };
}

test('the parameters and the scaling read back as exactly the model file\'s doubles, -0, subnormals and 1e308 too', () => {
  const model = trainModel('exact', 'sample:moons');
  const doc = JSON.parse(readFileSync(model, 'utf8'));
  doc.parameters.W1[0] = [0, 5e-324]; // made -0 in the text below: JSON.stringify writes -0 as 0
  doc.parameters.W1[1] = [1.7976931348623157e308, -2.2250738585072014e-308];
  doc.parameters.b1[0] = [0.1 + 0.2];
  doc.parameters.b1[1] = [123456789012345680000];
  doc.scaling.mean[0] = 1e21;
  writeFileSync(model, JSON.stringify(doc).replace('"W1":[[0,', '"W1":[[-0,'));
  doc.parameters.W1[0][0] = -0;
  for (const kind of ['numpy', 'torch'] as const) {
    const got = constantsOf(exportScript(model, kind));
    for (const [key, rows] of Object.entries(doc.parameters as Record<string, number[][]>)) {
      rows.forEach((row, i) => row.forEach((x, j) => assert.ok(Object.is(got.PARAMETERS[key]![i]![j], x), `${kind} ${key}[${i}][${j}]: ${got.PARAMETERS[key]![i]![j]} vs ${x}`)));
    }
    assert.deepEqual(got.SCALING, doc.scaling);
  }
});

test('hostile feature names and labels stay data: the script runs, nothing it was fed runs, the labels come out as predict writes them', () => {
  const marker = join(dir, 'pwned');
  const payloads = [
    `"); open(${JSON.stringify(marker)}, "w") #`,
    `""" + __import__("os").system("touch ${marker}") + """`,
    `\\"; import os; os.system("touch ${marker}")\n#`,
    `'\n__import__("os").system("touch ${marker}")\n'`,
    `\u2028x\u0000\u{1F338}\ud800`,
  ];
  const features = ['{0}', payloads[0]!, payloads[1]!, ...HOSTILE.filter((s) => s.trim() === s && s !== '').slice(0, 6)];
  const labels = [payloads[2]!, payloads[3]!];
  const model = trainModel('hostile', 'sample:flower');
  const doc = JSON.parse(readFileSync(model, 'utf8'));
  const nx = features.length;
  doc.layerDims[0] = nx;
  doc.parameters.W1 = doc.parameters.W1.map((row: number[]) => Array.from({ length: nx }, (_, i) => row[i % 2]! / (1 + i)));
  doc.featureNames = features;
  doc.scaling = { mean: features.map(() => 0.5), std: features.map(() => 2) };
  doc.labelName = payloads[4];
  doc.labels = { '0': labels[0], '1': labels[1] };
  writeFileSync(model, JSON.stringify(doc));
  const data = join(dir, 'hostile.csv');
  const quoted = (s: string): string => `"${s.replaceAll('"', '""')}"`;
  const rows = Array.from({ length: 30 }, (_, j) => features.map((_, i) => String(((j + 1) * (i + 2)) % 9 - 4)).join(','));
  writeFileSync(data, `${features.map(quoted).join(',')}\n${rows.join('\n')}\n`);

  const nonAscii = (text: string): string[] => [...new Set(text.replace(/[\x09\x0a\x20-\x7e]/g, ''))];
  for (const kind of HAS_TORCH ? (['numpy', 'torch'] as const) : (['numpy'] as const)) {
    const templateChars = new Set(nonAscii(readFileSync(exportScript(trainModel(`plain-${kind}`, 'sample:flower'), kind), 'utf8')));
    const script = exportScript(model, kind);
    const text = readFileSync(script, 'utf8');
    assert.ok(nonAscii(text).every((c) => templateChars.has(c)), `no character of the model file's strings in the script as it is: ${nonAscii(text).join('')}`);
    assertSamePredictions(model, script, data, kind === 'torch' ? TORCH_PYTHON : 'python3');
    const got = constantsOf(script);
    assert.deepEqual(got.FEATURE_NAMES, features);
    assert.deepEqual(got.LABELS, doc.labels);
    assert.equal(got.LABEL_NAME, doc.labelName);
  }
  assert.equal(existsSync(marker), false, 'a payload ran');
});

test(HAS_TORCH ? `torch export: the nn.Module gives the numpy export's and predict's outputs (torch ${TORCH_VERSION.stdout.trim()}, ${TORCH_PYTHON})` : 'torch export: generated code checked as text and by the Python parser; skipped: equal outputs need torch, and neither python3 nor /usr/bin/python3 imports torch here', () => {
  assert.ok(HAS_TORCH || !TORCH_REQUIRED, 'BACKPROP_MAP_TORCH_REQUIRED=1 (as .ci/run sets it), but neither python3 nor /usr/bin/python3 imports torch');
  const model = trainModel('torch', 'sample:circles');
  const script = exportScript(model, 'torch');
  const text = readFileSync(script, 'utf8');
  const compiled = python(['-m', 'py_compile', script]);
  assert.equal(compiled.code, 0, compiled.stderr);
  assert.match(text, /^class BackpropMapNet\(nn\.Module\):$/m);
  assert.match(text, /^import torch$/m);
  assert.match(text, /nn\.Linear\(n_in, n_out\)/);
  assert.match(text, /^LAYER_DIMS = \[2, 5, 3, 1\]/m);
  const layers = python(['-c', 'import ast, sys; t = ast.parse(open(sys.argv[1]).read()); print(sorted(n.name for n in t.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))))', script]);
  assert.equal(layers.code, 0, layers.stderr);
  for (const name of ['BackpropMapNet', 'load_model', 'predict', 'read_features', 'main']) assert.ok(layers.stdout.includes(`'${name}'`), `${name} defined`);
  if (!HAS_TORCH) return;
  const data = join(dir, 'circles.csv');
  const rows = Array.from({ length: 300 }, (_, j) => `${Math.cos(j) * (j % 13) / 6},${Math.sin(j * 1.3) * (j % 7) / 3}`);
  writeFileSync(data, `x1,x2\n${rows.join('\n')}\n`);
  assertSamePredictions(model, script, data, TORCH_PYTHON);
  const numpyScript = exportScript(model, 'numpy');
  const a = python([numpyScript, data]).stdout.split('\n');
  const b = python([script, data], TORCH_PYTHON).stdout.split('\n');
  a.forEach((line, k) => assert.ok(Math.abs(Number(line.split(',')[0]) - Number(b[k]!.split(',')[0])) <= 1e-12 || k === 0 || line === '', `row ${k}`));
});

test('export refuses bad use with exit 2 and one paragraph; the script does the same on a bad file', () => {
  const model = trainModel('usage', 'sample:xor');
  const before = readFileSync(model, 'utf8');
  for (const args of [['export', model], ['export', model, '--to', 'jax'], ['export', model, '--to', 'numpy', '--out', model], ['export', join(dir, 'none.json'), '--to', 'numpy']]) {
    const r = cli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  assert.equal(readFileSync(model, 'utf8'), before, 'the model file is untouched');
  const toStdout = cli(['export', model, '--to', 'numpy']);
  assert.equal(toStdout.code, 0, toStdout.stderr);
  assert.equal(toStdout.stdout, readFileSync(exportScript(model, 'numpy'), 'utf8'));

  const script = exportScript(model, 'numpy');
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'x1,x2\n1,2\n3,x\n');
  const r = python([script, bad]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /line 3, column 2 \('x2'\): 'x' is not a finite number/);
  assert.doesNotMatch(r.stderr, /Traceback/);
  const missing = python([script, join(dir, 'absent.csv')]);
  assert.equal(missing.code, 2);
  assert.doesNotMatch(missing.stderr, /Traceback/);
});
