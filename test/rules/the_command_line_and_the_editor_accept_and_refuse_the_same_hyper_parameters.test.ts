// One rule for the hyper-parameters: the command line's options, the editor's settings, the values
// typed into "Train DNN"'s dialog and the settings' JSON schema in package.json accept exactly the
// same values, the ones listed here as accepted; and a model file records any of them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError, parseArgs } from '../../src/cli/args';
import { TRAIN_SPEC, trainRequestOf } from '../../src/cli/train';
import { DEFAULT_HYPER, HYPER_RULES } from '../../src/core/hyper';
import { createModelFile, parseModelFile } from '../../src/core/model';
import { initParameters } from '../../src/core/network';
import type { Hyper } from '../../src/core/types';
import { HYPER_FIELDS, hyperFromConfiguration } from '../../src/extension/hyperInput';

type Key = Exclude<keyof Hyper, 'standardize'>;
type Value = number | number[] | null;

/** Each value with whether a run may use it. */
const CASES: Record<Key, [Value, boolean][]> = {
  hidden: [
    [[1], true], [[16, 8], true], [[4096], true], [[1024], true], [[1025], true], [[4097], false], [[0], false], [[2.5], false], [[], false],
    [Array<number>(10).fill(2), true], [Array<number>(11).fill(2), true], [Array<number>(32).fill(2), true], [Array<number>(33).fill(2), false],
  ],
  learningRate: [[0.3, true], [1e-9, true], [100, true], [150, true], [0, false], [-0.1, false]],
  epochs: [[1, true], [2000, true], [10_000_000, true], [0, true], [10_000_001, false], [2.5, false], [-1, false]],
  batchSize: [[null, true], [1, true], [64, true], [Number.MAX_SAFE_INTEGER, true], [0, false], [2.5, false], [2 ** 53, false]],
  seed: [[0, true], [1, true], [2 ** 32 - 1, true], [2 ** 32, false], [-1, false], [2.5, false]],
  validationSplit: [[0, true], [0.2, true], [0.9, true], [0.95, true], [1, false], [-0.1, false]],
};

const text = (v: Value): string => (v === null ? '' : Array.isArray(v) ? v.join(',') : String(v));

function cliAccepts(key: Key, v: Value): boolean {
  const option = { hidden: 'hidden', learningRate: 'lr', epochs: 'epochs', batchSize: 'batch-size', seed: 'seed', validationSplit: 'val' }[key];
  const argv = v === null ? [] : [`--${option}`, text(v)];
  try {
    assert.deepEqual(trainRequestOf(parseArgs(argv, TRAIN_SPEC), {}).hyper[key], v);
    return true;
  } catch (e) {
    if (e instanceof UsageError) return false;
    throw e;
  }
}

/** A setting outside the rule falls back to the default: the defaults here are values no case uses. */
const SENTINEL: Hyper = { hidden: [7, 7, 7], learningRate: 0.123, epochs: 123, batchSize: 123, seed: 123, validationSplit: 0.123, standardize: true };

function settingAccepted(key: Key, v: Value): boolean {
  const got = hyperFromConfiguration((k) => (k === key ? v : undefined), SENTINEL)[key];
  return JSON.stringify(got) === JSON.stringify(v);
}

function dialogAccepts(key: Key, v: Value): boolean {
  const field = HYPER_FIELDS.find((f) => f.key === key)!;
  const r = field.parse(v === null ? 'full' : Array.isArray(v) ? v.join(', ') : String(v));
  return 'value' in r && JSON.stringify(r.value) === JSON.stringify(v);
}

// ---------------------------------------------------------------- package.json's schema

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const props = pkg.contributes.configuration.properties as Record<string, Schema>;

interface Schema {
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
}

const WORDS = new Set(['description', 'markdownDescription', 'default', 'scope', 'type', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'items', 'minItems', 'maxItems']);

/** The JSON-schema keywords the training settings use; any other keyword fails the test rather than pass unchecked. */
function valid(s: Schema, v: unknown): boolean {
  for (const k of Object.keys(s)) assert.ok(WORDS.has(k), `the schema uses ${k}, which this test does not evaluate`);
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  const typeOf = (x: unknown): string[] =>
    x === null ? ['null'] : Array.isArray(x) ? ['array'] : typeof x === 'number' ? (Number.isInteger(x) ? ['integer', 'number'] : ['number']) : [typeof x];
  if (types.length > 0 && !typeOf(v).some((t) => types.includes(t))) return false;
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) return false;
    if (s.maximum !== undefined && v > s.maximum) return false;
    if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) return false;
    if (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum) return false;
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) return false;
    if (s.maxItems !== undefined && v.length > s.maxItems) return false;
    if (s.items && !v.every((x) => valid(s.items!, x))) return false;
  }
  return true;
}

for (const key of Object.keys(CASES) as Key[]) {
  test(`${key}: the command line, the settings, the dialog and the settings' schema take the same values`, () => {
    for (const [v, ok] of CASES[key]) {
      const what = `${key} = ${JSON.stringify(v)}`;
      assert.equal((HYPER_RULES[key].ok as (x: Value) => boolean)(v), ok, `the rule, ${what}`);
      assert.equal(cliAccepts(key, v), ok, `the command line, ${what}`);
      assert.equal(settingAccepted(key, v), ok, `the settings, ${what}`);
      assert.equal(dialogAccepts(key, v), ok, `the dialog, ${what}`);
      assert.equal(valid(props[`backpropMap.training.${key}`]!, v), ok, `package.json's schema, ${what}`);
    }
  });
}

test('a model file records every accepted value, and is read back with it', () => {
  const params = initParameters([2, 3, 1], 1);
  for (const key of Object.keys(CASES) as Key[]) {
    for (const [v] of CASES[key].filter(([, ok]) => ok)) {
      const hyper = { ...DEFAULT_HYPER, [key]: v };
      const file = createModelFile({ params, featureNames: ['a', 'b'], labelName: 'y', labels: { '0': 'n', '1': 'p' }, scaling: null, training: { epochs: 1, hyper } });
      assert.deepEqual(parseModelFile(JSON.stringify(file), 'm.json').model.training?.hyper, hyper, `${key} = ${JSON.stringify(v)}`);
    }
  }
});
