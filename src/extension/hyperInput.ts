// The hyper-parameters as the editor takes them: from the settings, and typed into the fields of
// "Train DNN"'s dialog. No `vscode` here, so node:test checks both against the command line's.
import type { Hyper } from '../core/types';

export function finiteOr(value: unknown, fallback: number, ok: (n: number) => boolean): number {
  return typeof value === 'number' && Number.isFinite(value) && ok(value) ? value : fallback;
}

/** The hyper-parameters from the settings' values (`get` reads one key of `backpropMap.training`). */
export function hyperFromConfiguration(get: (key: string) => unknown, defaults: Hyper): Hyper {
  const hidden = get('hidden');
  const batch = get('batchSize');
  const standardize = get('standardize');
  return {
    hidden:
      Array.isArray(hidden) && hidden.length > 0 && hidden.every((n) => Number.isInteger(n) && n >= 1 && n <= 1024)
        ? (hidden as number[])
        : defaults.hidden,
    learningRate: finiteOr(get('learningRate'), defaults.learningRate, (n) => n > 0),
    epochs: finiteOr(get('epochs'), defaults.epochs, (n) => Number.isInteger(n) && n >= 1),
    batchSize: typeof batch === 'number' && Number.isInteger(batch) && batch >= 1 ? batch : batch === null ? null : defaults.batchSize,
    seed: finiteOr(get('seed'), defaults.seed, Number.isInteger),
    validationSplit: finiteOr(get('validationSplit'), defaults.validationSplit, (n) => n >= 0 && n < 1),
    standardize: (standardize === undefined ? defaults.standardize : standardize) !== false,
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

export const HYPER_FIELDS: HyperField[] = [
  {
    key: 'hidden',
    label: 'Hidden layers',
    show: (h) => h.hidden.join(', '),
    parse: (s) => {
      const parts = s.split(/[\s,;]+/).filter(Boolean).map(number);
      if (parts.length === 0 || parts.length > 10 || !parts.every((n) => Number.isInteger(n) && n >= 1 && n <= 1024)) {
        return { error: 'Sizes of 1 to 10 hidden layers, each a whole number from 1 to 1024, e.g. "3" or "5, 3".' };
      }
      return { value: parts };
    },
  },
  {
    key: 'learningRate',
    label: 'Learning rate α',
    show: (h) => String(h.learningRate),
    parse: (s) => {
      const n = number(s);
      return Number.isFinite(n) && n > 0 && n <= 100 ? { value: n } : { error: 'A number greater than 0, e.g. 0.1.' };
    },
  },
  {
    key: 'epochs',
    label: 'Epochs',
    show: (h) => String(h.epochs),
    parse: (s) => {
      const n = number(s);
      return Number.isInteger(n) && n >= 1 && n <= 10_000_000 ? { value: n } : { error: 'A whole number from 1 to 10,000,000.' };
    },
  },
  {
    key: 'batchSize',
    label: 'Batch size',
    show: (h) => (h.batchSize === null ? 'full batch' : String(h.batchSize)),
    parse: (s) => {
      if (/^\s*(|full( batch)?|none|null)\s*$/i.test(s)) return { value: null };
      const n = number(s);
      return Number.isInteger(n) && n >= 1 ? { value: n } : { error: 'A whole number of examples per step, or "full" for full-batch gradient descent.' };
    },
  },
  {
    key: 'seed',
    label: 'Seed',
    show: (h) => String(h.seed),
    parse: (s) => {
      const n = number(s);
      return Number.isSafeInteger(n) ? { value: n } : { error: 'A whole number.' };
    },
  },
  {
    key: 'validationSplit',
    label: 'Validation split',
    show: (h) => String(h.validationSplit),
    parse: (s) => {
      const n = number(s);
      return Number.isFinite(n) && n >= 0 && n <= 0.9 ? { value: n } : { error: 'A fraction from 0 (no validation data) to 0.9.' };
    },
  },
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
