/**
 * The trained network as a standalone Python script: `numpy` (the notes' forward run) or `torch`
 * (an nn.Module of the same layers). Both predict on a CSV file exactly as `backprop-map predict`
 * does. Everything from the model file enters the script as data: numbers as float literals that
 * read back as the same doubles, names and labels as ASCII-only string literals, never in a comment.
 */
import type { ModelFile } from '../core/model';
import { csvField } from '../data/csvWrite';
import numpyForward from './python/numpy_forward.py';
import readCsv from './python/read_csv.py';
import torchModule from './python/torch_module.py';
import writeCsv from './python/write_csv.py';

export type ScriptKind = 'numpy' | 'torch';

export const SCRIPT_KINDS: readonly ScriptKind[] = ['numpy', 'torch'];

/**
 * A Python string literal of `s` in ASCII only: a quote, a backslash, a line break or any other
 * character outside printable ASCII is an escape, so no text can end the literal or start code.
 */
export function pythonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c < 0x100) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** A float literal that Python reads as exactly `x`: the shortest digits that round-trip, -0 kept. */
export function pythonFloat(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`${x} has no Python float literal`);
  if (Object.is(x, -0)) return '-0.0';
  const s = String(x);
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

function pythonArray(rows: readonly (readonly number[])[], comment: string): string {
  return `np.array([  # ${comment}\n${rows.map((r) => `        [${r.map(pythonFloat).join(', ')}],\n`).join('')}    ])`;
}

/** The notes' names of the layer sizes in plain text: n_x, n_h (one hidden layer) or n_h1 …, n_y. */
function sizeName(l: number, L: number): string {
  if (l === 0) return 'n_x';
  if (l === L) return 'n_y';
  return L === 2 ? 'n_h' : `n_h${l}`;
}

function modelBlock(model: ModelFile): string {
  const dims = model.layerDims;
  const L = dims.length - 1;
  const parameters: string[] = [];
  for (let l = 1; l <= L; l++) {
    const rows = sizeName(l, L);
    const cols = sizeName(l - 1, L);
    parameters.push(`    "W${l}": ${pythonArray(model.parameters[`W${l}`]!, `W${l} (${rows} × ${cols}) = (${dims[l]} × ${dims[l - 1]})`)},`);
    parameters.push(`    "b${l}": ${pythonArray(model.parameters[`b${l}`]!, `b${l} (${rows} × 1) = (${dims[l]} × 1)`)},`);
  }
  const vector = (xs: readonly number[]): string => `np.array([${xs.map(pythonFloat).join(', ')}])`;
  const scaling =
    model.scaling === null
      ? 'None  # the network was trained on the raw feature values'
      : `{\n    "mean": ${vector(model.scaling.mean)},  # (n_x)\n    "std": ${vector(model.scaling.std)},  # (n_x)\n}`;
  const labels = [model.labels['0'], model.labels['1']];
  return [
    '',
    '',
    '# ---------------------------------------------------------------- the trained model',
    '',
    `LAYER_DIMS = [${dims.join(', ')}]  # [n_x, ${dims.slice(1, -1).map((_, i) => sizeName(i + 1, L)).join(', ')}${L > 1 ? ', ' : ''}n_y]`,
    `FEATURE_NAMES = [${model.featureNames.map(pythonString).join(', ')}]  # the columns of X, in order`,
    `LABEL_NAME = ${pythonString(model.labelName)}`,
    `LABELS = {0: ${pythonString(labels[0]!)}, 1: ${pythonString(labels[1]!)}}  # the original label values of class 0 and 1`,
    '# The labels as fields of predict\'s CSV output: quoted, and defused where a spreadsheet would see a formula.',
    `LABEL_FIELDS = (${labels.map((s) => pythonString(csvField(s))).join(', ')})`,
    '# x_scaled = (x − mean) / std, with the training data\'s mean and standard deviation.',
    `SCALING = ${scaling}`,
    'PARAMETERS = {',
    ...parameters,
    '}',
    '',
    '',
    'if __name__ == "__main__":',
    '    sys.exit(main(sys.argv))',
    '',
  ].join('\n');
}

function docstring(kind: ScriptKind, model: ModelFile): string {
  const dims = model.layerDims;
  const what =
    kind === 'numpy'
      ? "the lecture notes' forward run in numpy"
      : 'a PyTorch nn.Module (BackpropMapNet) with the trained weights loaded (load_model())';
  return [
    '"""A trained Backprop Map network as code: ' + what + '.',
    '',
    `Layers [${dims.join(', ')}]: ReLU hidden layers, a sigmoid output; the parameters are at the end of the file.`,
    '',
    `Usage: python3 SCRIPT FILE.csv > predictions.csv`,
    '',
    'Writes the CSV that `backprop-map predict MODEL.json FILE.csv` writes: probability (P(y = 1)),',
    'class (0/1 at threshold 0.5) and label (the class as the original label value), one row per',
    "example. With a header row the model's feature columns are found by name, in any order; without",
    "one the file holds the feature columns in the model's order, optionally followed by a label column.",
    kind === 'numpy' ? 'Needs Python 3 with numpy.' : 'Needs Python 3 with numpy and torch.',
    '"""',
    'import math',
    'import os',
    'import re',
    'import sys',
    '',
    'import numpy as np',
    ...(kind === 'torch' ? ['import torch', 'from torch import nn'] : []),
  ].join('\n');
}

/** The script of `kind` for a model file that parseModelFile has checked. */
export function pythonScript(kind: ScriptKind, model: ModelFile): string {
  const network = kind === 'numpy' ? numpyForward : torchModule;
  return `${docstring(kind, model)}\n${readCsv}${network}${writeCsv.replace(/\n+$/, '\n')}${modelBlock(model)}`;
}
