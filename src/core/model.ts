/**
 * The model file: a JSON document with the architecture, the parameters in the notes' shapes
 * (W1 is n_1 rows of n_x numbers, b1 is n_1 rows of one number), the feature names, the label
 * mapping and the feature scaling — everything needed to predict or to continue training.
 * A model file is user data: parseModelFile checks every part of it before anything is built.
 */
import type { Hyper } from './types';
import { HYPER_RULES, LIMITS } from './hyper';
import { type Matrix, fromRows, toRows } from './matrix';
import { type Parameters, layerDimsOfParameters } from './network';

/** Standardisation of the features: x_scaled = (x − mean) / std, per feature. */
export interface Scaling {
  mean: number[];
  std: number[];
}

export const MODEL_FORMAT = 'backprop-map-model';

export interface ModelFile {
  format: 'backprop-map-model';
  version: 1;
  /** [n_x, n_1, …, n_L], n_L = 1. */
  layerDims: number[];
  activations: { hidden: 'relu'; output: 'sigmoid' };
  /** "W1" … "WL" and "b1" … "bL" as nested arrays in the notes' shapes. */
  parameters: Record<string, number[][]>;
  featureNames: string[];
  labelName: string;
  /** The original label value that became 0 and the one that became 1. */
  labels: { '0': string; '1': string };
  scaling: Scaling | null;
  training?: { epochs: number; hyper?: Hyper; cost?: number };
}

export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

export function createModelFile(args: {
  params: Parameters;
  featureNames: string[];
  labelName: string;
  labels: { '0': string; '1': string };
  scaling: Scaling | null;
  training?: ModelFile['training'];
}): ModelFile {
  const { params } = args;
  const layerDims = layerDimsOfParameters(params);
  if (args.featureNames.length !== layerDims[0]) throw new RangeError(`${args.featureNames.length} feature names for n_x = ${layerDims[0]} inputs`);
  const parameters: Record<string, number[][]> = {};
  params.W.forEach((W, i) => {
    parameters[`W${i + 1}`] = toRows(W);
    parameters[`b${i + 1}`] = toRows(params.b[i]!);
  });
  const model: ModelFile = {
    format: MODEL_FORMAT,
    version: 1,
    layerDims,
    activations: { hidden: 'relu', output: 'sigmoid' },
    parameters,
    featureNames: [...args.featureNames],
    labelName: args.labelName,
    labels: { '0': args.labels['0'], '1': args.labels['1'] },
    scaling: args.scaling === null ? null : { mean: [...args.scaling.mean], std: [...args.scaling.std] },
  };
  if (args.training !== undefined) model.training = args.training;
  return model;
}

// ---------------------------------------------------------------- reading

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(o: Record<string, Json>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** The value of an own key only: a `constructor` or `__proto__` in the file never reaches Object.prototype. */
function own(o: Record<string, Json>, key: string): Json {
  return has(o, key) ? o[key] : undefined;
}

/** A short rendering of an unexpected value for an error message. */
function show(v: Json): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v); // JSON would print Infinity as null
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

/** A positive whole number that is exact in a double: 1e308 is an integer, but no count. */
function isCount(v: Json): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

/** The first name that occurs twice, with its two 1-based positions, or null. */
function firstRepeat(names: readonly string[]): { name: string; first: number; second: number } | null {
  const seen = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const before = seen.get(names[i]!);
    if (before !== undefined) return { name: names[i]!, first: before + 1, second: i + 1 };
    seen.set(names[i]!, i);
  }
  return null;
}

/** Why hidden layer sizes exceed what a run may use, or null when they are within LIMITS. */
function hiddenBeyondLimits(hidden: readonly number[]): string | null {
  if (hidden.length > LIMITS.hiddenLayers) return `it has ${hidden.length} hidden layers, but at most ${LIMITS.hiddenLayers} are supported`;
  const i = hidden.findIndex((n) => n > LIMITS.hiddenUnits);
  return i < 0 ? null : `hidden layer ${i + 1} has ${hidden[i]} units, but at most ${LIMITS.hiddenUnits} are supported`;
}

/**
 * Reads and checks a model file. Every problem becomes a ModelError whose message names the file
 * and says what is wrong where, e.g. `"m.json" is not a usable model file: W2 has 3 columns, …`.
 */
export function parseModelFile(text: string, fileName: string): { model: ModelFile; params: Parameters } {
  const fail = (what: string): never => {
    throw new ModelError(`"${fileName}" is not a usable Backprop Map model file: ${what}.`);
  };

  let doc: Json;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return fail(`it is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(doc)) return fail(`it holds ${Array.isArray(doc) ? 'a list' : show(doc)} where a JSON object was expected`);
  if (own(doc, 'format') !== MODEL_FORMAT) return fail(`"format" is ${show(own(doc, 'format'))}, expected "${MODEL_FORMAT}"`);
  if (own(doc, 'version') !== 1) {
    const v = own(doc, 'version');
    return fail(typeof v === 'number' && v > 1 ? `it has version ${v}, newer than this version of Backprop Map reads (1)` : `"version" is ${show(v)}, but this version of Backprop Map reads version 1 only`);
  }

  // Architecture.
  const dims = own(doc, 'layerDims');
  if (!Array.isArray(dims) || dims.length < 2 || !dims.every(isCount)) {
    return fail(`"layerDims" is ${show(dims)}, expected a list of at least two positive whole numbers such as [2, 4, 1]`);
  }
  const layerDims = dims as number[];
  if (layerDims[layerDims.length - 1] !== 1) return fail(`"layerDims" ends in ${layerDims[layerDims.length - 1]}, but a binary classifier has exactly 1 output unit`);
  const beyond = hiddenBeyondLimits(layerDims.slice(1, -1));
  if (beyond !== null) return fail(`"layerDims" is ${show(layerDims)}; ${beyond}`);
  const act = own(doc, 'activations');
  if (!isObject(act) || own(act, 'hidden') !== 'relu' || own(act, 'output') !== 'sigmoid') {
    return fail(`"activations" is ${show(act)}; only {"hidden": "relu", "output": "sigmoid"} is supported`);
  }
  const L = layerDims.length - 1;

  // Parameters, in the notes' shapes.
  const raw = own(doc, 'parameters');
  if (!isObject(raw)) return fail(`"parameters" is ${show(raw)}, expected an object with W1, b1, … W${L}, b${L}`);
  const expected = new Set<string>();
  for (let l = 1; l <= L; l++) expected.add(`W${l}`).add(`b${l}`);
  for (const key of Object.keys(raw)) {
    if (!expected.has(key)) return fail(`"parameters" has "${key}", which a network with layerDims [${layerDims.join(', ')}] does not have (it has ${[...expected].join(', ')})`);
  }
  const readMatrix = (name: string, rows: number, cols: number): Matrix => {
    if (!has(raw, name)) return fail(`"parameters" lacks ${name}`);
    const v = raw[name];
    const shape = `(${rows} × ${cols})`;
    if (!Array.isArray(v) || v.length !== rows) {
      return fail(`${name} must be ${shape}, a list of ${rows} rows, but it is ${Array.isArray(v) ? `a list of ${v.length}` : show(v)}`);
    }
    v.forEach((row: Json, i: number) => {
      if (!Array.isArray(row) || row.length !== cols) {
        fail(`row ${i + 1} of ${name} must hold ${cols} number${cols === 1 ? '' : 's'} for the shape ${shape}, but it is ${Array.isArray(row) ? `a list of ${row.length}` : show(row)}`);
      }
      (row as Json[]).forEach((x, j) => {
        if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${name}[${i + 1}][${j + 1}] is ${show(x)}, not a finite number`);
      });
    });
    return fromRows(v as number[][]);
  };
  const params: Parameters = { W: [], b: [] };
  for (let l = 1; l <= L; l++) {
    params.W.push(readMatrix(`W${l}`, layerDims[l]!, layerDims[l - 1]!));
    params.b.push(readMatrix(`b${l}`, layerDims[l]!, 1));
  }

  // Data description.
  const nX = layerDims[0]!;
  const names = own(doc, 'featureNames');
  if (!Array.isArray(names) || !names.every((s) => typeof s === 'string')) return fail(`"featureNames" is ${show(names)}, expected a list of ${nX} names`);
  if (names.length !== nX) return fail(`"featureNames" lists ${names.length} name${names.length === 1 ? '' : 's'}, but the network has n_x = ${nX} inputs`);
  const repeat = firstRepeat(names as string[]);
  if (repeat !== null) return fail(`"featureNames" names ${show(repeat.name)} twice (entries ${repeat.first} and ${repeat.second}); each input needs a column of its own name`);
  const labelName = own(doc, 'labelName');
  if (typeof labelName !== 'string') return fail(`"labelName" is ${show(labelName)}, expected the label column's name`);
  const labels = own(doc, 'labels');
  if (!isObject(labels) || typeof own(labels, '0') !== 'string' || typeof own(labels, '1') !== 'string') {
    return fail(`"labels" is ${show(labels)}, expected {"0": "…", "1": "…"} naming the original label values`);
  }
  const label0 = labels['0'] as string;
  const label1 = labels['1'] as string;
  if (label0 === label1) return fail(`"labels" maps both 0 and 1 to ${show(label0)}; the two classes need two different label values`);
  const scaling = readScaling(own(doc, 'scaling'), nX, fail);
  const training = readTraining(doc, fail);

  const model: ModelFile = {
    format: MODEL_FORMAT,
    version: 1,
    layerDims: [...layerDims],
    activations: { hidden: 'relu', output: 'sigmoid' },
    parameters: Object.fromEntries([...expected].map((k) => [k, raw[k] as number[][]])),
    featureNames: names as string[],
    labelName,
    labels: { '0': label0, '1': label1 },
    scaling,
  };
  if (training !== undefined) model.training = training;
  return { model, params };
}

function readScaling(v: Json, nX: number, fail: (what: string) => never): Scaling | null {
  if (v === null) return null;
  if (!isObject(v)) return fail(`"scaling" is ${show(v)}, expected null or {"mean": […], "std": […]}`);
  const list = (key: 'mean' | 'std'): number[] => {
    const xs = own(v, key);
    if (!Array.isArray(xs) || xs.length !== nX) return fail(`"scaling.${key}" must list ${nX} numbers, one per feature, but it is ${show(xs)}`);
    xs.forEach((x: Json, i: number) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) fail(`"scaling.${key}"[${i + 1}] is ${show(x)}, not a finite number`);
      if (key === 'std' && (x as number) <= 0) fail(`"scaling.std"[${i + 1}] is ${show(x)}; a standard deviation used for scaling must be above 0`);
    });
    return xs as number[];
  };
  return { mean: list('mean'), std: list('std') };
}

function readTraining(doc: Record<string, Json>, fail: (what: string) => never): ModelFile['training'] | undefined {
  if (!has(doc, 'training') || doc['training'] === undefined) return undefined;
  const t = doc['training'];
  if (!isObject(t)) return fail(`"training" is ${show(t)}, expected an object such as {"epochs": 1000}`);
  const epochs = own(t, 'epochs');
  if (typeof epochs !== 'number' || !Number.isSafeInteger(epochs) || epochs < 0) {
    return fail(`"training.epochs" must be a whole number of epochs from 0 up to 2^53 − 1, not ${show(epochs)}`);
  }
  const out: NonNullable<ModelFile['training']> = { epochs };
  const cost = own(t, 'cost');
  if (cost !== undefined) {
    if (typeof cost !== 'number' || !Number.isFinite(cost)) return fail(`"training.cost" is ${show(cost)}, not a finite number`);
    out.cost = cost;
  }
  const hyper = own(t, 'hyper');
  if (hyper !== undefined) out.hyper = readHyper(hyper, fail);
  return out;
}

function readHyper(h: Json, fail: (what: string) => never): Hyper {
  if (!isObject(h)) return fail(`"training.hyper" is ${show(h)}, expected an object`);
  const num = (key: string, ok: (x: number) => boolean, what: string): number => {
    const x = own(h, key);
    if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) return fail(`"training.hyper.${key}" is ${show(x)}, expected ${what}`);
    return x;
  };
  const hidden = own(h, 'hidden');
  if (!Array.isArray(hidden) || !hidden.every(isCount)) return fail(`"training.hyper.hidden" is ${show(hidden)}, expected a list of layer sizes`);
  const beyond = hiddenBeyondLimits(hidden as number[]);
  if (beyond !== null) return fail(`"training.hyper.hidden" is ${show(hidden)}; ${beyond}`);
  const batch = own(h, 'batchSize');
  if (typeof batch !== 'number' ? batch !== null : !HYPER_RULES.batchSize.ok(batch)) return fail(`"training.hyper.batchSize" is ${show(batch)}, expected null or a positive whole number`);
  const standardize = own(h, 'standardize');
  if (typeof standardize !== 'boolean') return fail(`"training.hyper.standardize" is ${show(standardize)}, expected true or false`);
  return {
    hidden: hidden as number[],
    learningRate: num('learningRate', HYPER_RULES.learningRate.ok, 'a positive number'),
    epochs: num('epochs', HYPER_RULES.epochs.ok, `a whole number of epochs from 0 to ${LIMITS.epochs}`),
    batchSize: batch as number | null,
    // Wider than HYPER_RULES.seed: model files of earlier versions, whose editor took any whole seed, still load.
    seed: num('seed', Number.isSafeInteger, 'a whole number below 2^53 in size'),
    validationSplit: num('validationSplit', HYPER_RULES.validationSplit.ok, 'a fraction in 0 … <1'),
    standardize,
  };
}
