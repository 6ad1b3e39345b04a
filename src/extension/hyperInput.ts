// The hyper-parameters as the editor takes them: from the settings, and typed into the fields of
// "Train DNN"'s dialog. Both check each value by the hyper-parameter's one rule (HYPER_RULES, which
// the command line uses too). No `vscode` here, so node:test holds both against the command line.
import { HYPER_RULES } from '../core/hyper';
import type { Hyper } from '../core/types';

const isNumber = (v: unknown): v is number => typeof v === 'number';

/**
 * The hyper-parameters from the settings' values (`get` reads one key of `backpropMap.training`);
 * a hand-edited value the rule refuses falls back to the default rather than starting a run that
 * cannot work.
 */
export function hyperFromConfiguration(get: (key: string) => unknown, defaults: Hyper): Hyper {
  const pick = <K extends keyof Hyper>(key: K, isType: (v: unknown) => v is Hyper[K]): Hyper[K] => {
    const v = get(key);
    return isType(v) && HYPER_RULES[key].ok(v) ? v : defaults[key];
  };
  return {
    hidden: pick('hidden', (v): v is number[] => Array.isArray(v) && v.every(isNumber)),
    learningRate: pick('learningRate', isNumber),
    epochs: pick('epochs', isNumber),
    batchSize: pick('batchSize', (v): v is number | null => v === null || isNumber(v)),
    seed: pick('seed', isNumber),
    validationSplit: pick('validationSplit', isNumber),
    standardize: pick('standardize', (v): v is boolean => typeof v === 'boolean'),
  };
}

export interface HyperField {
  key: keyof Hyper;
  label: string;
  show(h: Hyper): string;
  /** The new value, or an error message. */
  parse(s: string): { value: Hyper[keyof Hyper] } | { error: string };
}

function number(s: string): number {
  return s.trim() === '' ? Number.NaN : Number(s.trim());
}

/** The rule's "expected" as the dialog's message: `A whole number from 0 to 10000000.` */
function expected(key: keyof Hyper, example = ''): string {
  const e = HYPER_RULES[key].expected;
  return `${e[0]!.toUpperCase()}${e.slice(1)}${example}.`;
}

/** A field whose text is one number. */
function numberField(key: 'learningRate' | 'epochs' | 'seed' | 'validationSplit', label: string): HyperField {
  return {
    key,
    label,
    show: (h) => String(h[key]),
    parse: (s) => {
      const n = number(s);
      return HYPER_RULES[key].ok(n) ? { value: n } : { error: expected(key) };
    },
  };
}

export const HYPER_FIELDS: HyperField[] = [
  {
    key: 'hidden',
    label: 'Hidden layers',
    show: (h) => h.hidden.join(', '),
    parse: (s) => {
      const sizes = s.split(/[\s,;]+/).filter(Boolean).map(number);
      return HYPER_RULES.hidden.ok(sizes) ? { value: sizes } : { error: expected('hidden', ', e.g. "3" or "5, 3"') };
    },
  },
  numberField('learningRate', 'Learning rate α'),
  numberField('epochs', 'Epochs'),
  {
    key: 'batchSize',
    label: 'Batch size',
    show: (h) => (h.batchSize === null ? 'full batch' : String(h.batchSize)),
    parse: (s) => {
      if (/^\s*(|full( batch)?|none|null)\s*$/i.test(s)) return { value: null };
      const n = number(s);
      return HYPER_RULES.batchSize.ok(n) ? { value: n } : { error: expected('batchSize', ' (examples per step), or "full" for full-batch gradient descent') };
    },
  },
  numberField('seed', 'Seed'),
  numberField('validationSplit', 'Validation split'),
  {
    key: 'standardize',
    label: 'Standardise features',
    show: (h) => (h.standardize ? 'yes' : 'no'),
    parse: (s) => {
      if (/^\s*(yes|y|true|on|1)\s*$/i.test(s)) return { value: true };
      if (/^\s*(no|n|false|off|0)\s*$/i.test(s)) return { value: false };
      return { error: '"yes" or "no".' };
    },
  },
];
