/**
 * "Write the backward pass yourself": an exercise file for a network of given layer sizes, with
 * the notes' forward run written out and every term of the map's backward run left as `...`, its
 * shape in the notes' notation beside it. The derivation checker reports each `...` as a term not
 * written yet, and checks the rest. Pure: no I/O, no vscode.
 */
import type { Locale } from '../shared/locale';
import { buildMap, quantityTex } from '../shared/tex';

export interface ExerciseOptions {
  /** [n_x, n_h1, …, n_y]: at least one hidden layer. */
  layerDims: readonly number[];
  /** The run's number of examples, for the shapes in the comments; absent: written as m. */
  m?: number;
  lang: Locale;
}

/** One term of the backward run the learner writes: `dZ2`, its layer and its kind. */
export interface ExerciseTerm {
  name: string;
  key: 'dA' | 'dZ' | 'dW' | 'db';
  layer: number;
}

/** The notes' name of layer l's size: n_x, n_h (one hidden layer) or n_h1 …, n_y. */
function dimName(l: number, L: number): string {
  if (l === 0) return 'n_x';
  if (l === L) return 'n_y';
  return L === 2 ? 'n_h' : `n_h${l}`;
}

/** The map's backward terms in the order they are computed: dZ^[L], dW^[L], db^[L], dA^[L−1], dZ^[L−1], … db^[1]. */
export function exerciseTerms(layerDims: readonly number[]): ExerciseTerm[] {
  const L = layerDims.length - 1;
  const terms: ExerciseTerm[] = [];
  for (let l = L; l >= 1; l--) {
    const keys = l === L ? (['dZ', 'dW', 'db'] as const) : (['dA', 'dZ', 'dW', 'db'] as const);
    for (const key of keys) terms.push({ name: `${key}${l}`, key, layer: l });
  }
  return terms;
}

/** `dW2 (n_y × n_h) = (1 × 16)`: a term's shape, in the notes' names and in numbers. */
export function termShape(term: ExerciseTerm, layerDims: readonly number[], m?: number): string {
  const L = layerDims.length - 1;
  const l = term.layer;
  const cols = term.key === 'dW' ? l - 1 : null;
  const sym = [dimName(l, L), cols !== null ? dimName(cols, L) : term.key === 'db' ? '1' : 'm'];
  const num = [String(layerDims[l]), cols !== null ? String(layerDims[cols]) : term.key === 'db' ? '1' : m === undefined ? 'm' : String(m)];
  return `${term.name} (${sym.join(' × ')}) = (${num.join(' × ')})`;
}

const TEXT = {
  en: {
    title: (dims: string) => `Write the backward pass yourself: the network ${dims}`,
    intro: [
      'The forward run, the cost and the initialisation are written out as in the lecture notes',
      '(X is n_x × m, ReLU hidden layers, a sigmoid output, binary cross-entropy).',
      'Replace every `...` in the backward pass with its formula from the backprop map; the comment',
      'beside it gives the shape the term must have. Check it with',
    ],
    editor: 'or open it in VS Code with Backprop Map, which checks each term as you write it.',
    setup: 'Setup: numpy and the activations.',
    init: 'The parameters: W^[l] is n_l × n_(l−1), b^[l] is n_l × 1.',
    forward: 'The forward run, layer by layer.',
    cost: 'The cost: the mean binary cross-entropy over the m examples.',
    backward: 'The backward run, from the output layer down: your part.',
    check: 'Checking',
    checkText: (file: string) => `Check the backward pass with \`backprop-map check ${file}\`, or in VS Code with Backprop Map: each term is marked right, wrong or not written yet.`,
    derivation: 'Your derivation',
    derivationText:
      'Derive each term of the backward run as a chain of steps, from what it is to the formula you code: replace the `\\dots` in its cell, e.g. ' +
      '`$$dZ^{[2]} = \\frac{\\partial \\mathcal{L}}{\\partial Z^{[2]}} = \\ldots$$`, and go on with `=` in a new line. Each step is checked like the code: ' +
      'the map\'s terms on a random network (dA and dZ per example, of L; dW and db of J), scalar steps at random points with these definitions in force:',
  },
  de: {
    title: (dims: string) => `Schreib die Rückwärtsrechnung selbst: das Netz ${dims}`,
    intro: [
      'Vorwärtsrechnung, Kosten und Initialisierung stehen schon da, wie im Skript',
      '(X ist n_x × m, ReLU in den verborgenen Schichten, Sigmoid am Ausgang, binäre Kreuzentropie).',
      'Ersetze jedes `...` in der Rückwärtsrechnung durch seine Formel aus der Backprop-Map; der',
      'Kommentar daneben nennt die Form, die der Term haben muss. Prüfen mit',
    ],
    editor: 'oder in VS Code mit Backprop Map, das jeden Term prüft, sobald er dasteht.',
    setup: 'Vorbereitung: numpy und die Aktivierungsfunktionen.',
    init: 'Die Parameter: W^[l] ist n_l × n_(l−1), b^[l] ist n_l × 1.',
    forward: 'Die Vorwärtsrechnung, Schicht für Schicht.',
    cost: 'Die Kosten: die mittlere binäre Kreuzentropie über die m Beispiele.',
    backward: 'Die Rückwärtsrechnung, von der Ausgabeschicht abwärts: dein Teil.',
    check: 'Prüfen',
    checkText: (file: string) => `Prüfe die Rückwärtsrechnung mit \`backprop-map check ${file}\` oder in VS Code mit Backprop Map: jeder Term wird als richtig, falsch oder noch nicht geschrieben markiert.`,
    derivation: 'Deine Herleitung',
    derivationText:
      'Leite jeden Term der Rückwärtsrechnung als Kette von Schritten her, von dem, was er ist, bis zur Formel, die du programmierst: ersetze das `\\dots` in seiner Zelle, z. B. ' +
      '`$$dZ^{[2]} = \\frac{\\partial \\mathcal{L}}{\\partial Z^{[2]}} = \\ldots$$`, und schreib weiter mit `=` in einer neuen Zeile. Jeder Schritt wird geprüft wie der Code: ' +
      'die Terme der Map an einem zufälligen Netz (dA und dZ je Beispiel, für L; dW und db für J), skalare Schritte an zufälligen Punkten mit diesen Definitionen:',
  },
} as const;

/** The notes' scalar definitions, in force for the scalar steps of a derivation. */
const DEFINITIONS = ['$$\\mathcal{L}(a, y) = -y \\log(a) - (1-y) \\log(1-a)$$', '$$a = \\sigma(z) = \\frac{1}{1+e^{-z}}$$'].join('\n\n');

/** The code of each step, shared by the .py file and the notebook's code cells. */
function steps(opts: ExerciseOptions): { setup: string; init: string; forward: string; cost: string; backward: string } {
  const dims = opts.layerDims;
  const L = dims.length - 1;
  const two = L === 2;
  const prev = (l: number): string => (l === 1 ? 'X' : `A${l - 1}`);
  const setup = [
    'import numpy as np',
    '',
    '',
    'def sigmoid(Z):',
    '    return 1 / (1 + np.exp(-Z))',
    '',
    '',
    'def relu(Z):',
    '    return np.maximum(0, Z)',
  ].join('\n');

  const init = two
    ? [
        'def initialize_parameters(n_x, n_h, n_y):',
        '    np.random.seed(1)',
        '    W1 = np.random.randn(n_h, n_x) * np.sqrt(2 / n_x)  # (n_h × n_x)',
        '    b1 = np.zeros((n_h, 1))                             # (n_h × 1)',
        '    W2 = np.random.randn(n_y, n_h) * np.sqrt(2 / n_h)  # (n_y × n_h)',
        '    b2 = np.zeros((n_y, 1))                             # (n_y × 1)',
        '    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}',
      ].join('\n')
    : [
        'def initialize_parameters_deep(layer_dims):',
        '    np.random.seed(1)',
        '    parameters = {}',
        '    for l in range(1, len(layer_dims)):',
        '        # W^[l] (n_l × n_(l−1)), b^[l] (n_l × 1)',
        '        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2 / layer_dims[l - 1])',
        '        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))',
        '    return parameters',
      ].join('\n');

  const fwd: string[] = [two ? 'def forward_propagation(X, parameters):' : 'def L_model_forward(X, parameters):'];
  for (let l = 1; l <= L; l++) {
    const shape = `(${dimName(l, L)} × m)`;
    fwd.push(`    Z${l} = np.dot(parameters["W${l}"], ${prev(l)}) + parameters["b${l}"]  # ${shape}`);
    fwd.push(`    A${l} = ${l === L ? 'sigmoid' : 'relu'}(Z${l})  # ${shape}`);
  }
  const cached = [...(two ? [] : ['"A0": X']), ...Array.from({ length: L }, (_, i) => `"Z${i + 1}": Z${i + 1}, "A${i + 1}": A${i + 1}`)];
  fwd.push(`    cache = {${cached.join(', ')}}`, `    return A${L}, cache`);

  const out = two ? 'A2' : 'AL';
  const cost = [
    `def compute_cost(${out}, Y):`,
    '    m = Y.shape[1]',
    `    return float(-np.sum(Y * np.log(${out}) + (1 - Y) * np.log(1 - ${out})) / m)`,
  ].join('\n');

  const bwd: string[] = two ? ['def backward_propagation(parameters, cache, X, Y):'] : ['def L_model_backward(AL, Y, parameters, cache):'];
  bwd.push(two ? '    m = X.shape[1]' : '    m = AL.shape[1]');
  if (!two) bwd.push('    X = cache["A0"]');
  // dA^[l] needs W^[l+1]; dZ^[l] the mask of Z^[l]; dW^[l] the layer's input A^[l−1].
  for (let l = 2; l <= L; l++) bwd.push(`    W${l} = parameters["W${l}"]`);
  for (let l = 1; l < L; l++) bwd.push(`    Z${l}, A${l} = cache["Z${l}"], cache["A${l}"]`);
  bwd.push(`    A${L} = cache["A${L}"]`);
  for (const term of exerciseTerms(dims)) {
    if (term.key === 'dA' || (term.key === 'dZ' && term.layer === L)) bwd.push('');
    bwd.push(`    ${term.name} = ...  # TODO ${termShape(term, dims, opts.m)}`);
  }
  const grads = Array.from({ length: L }, (_, i) => `"dW${i + 1}": dW${i + 1}, "db${i + 1}": db${i + 1}`).join(', ');
  bwd.push('', `    return {${grads}}`);
  return { setup, init, forward: fwd.join('\n'), cost, backward: bwd.join('\n') };
}

function dimsText(layerDims: readonly number[]): string {
  return `[${layerDims.join(', ')}]`;
}

function validate(layerDims: readonly number[]): void {
  if (layerDims.length < 3 || !layerDims.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new RangeError(`an exercise needs layer sizes [n_x, n_h, …, n_y] with at least one hidden layer, got ${dimsText(layerDims)}`);
  }
}

/** The exercise as one Python file; `fileName` is the name the check command is shown with. */
export function exercisePython(opts: ExerciseOptions, fileName: string): string {
  validate(opts.layerDims);
  const t = TEXT[opts.lang];
  const s = steps(opts);
  const doc = ['"""' + t.title(dimsText(opts.layerDims)), '', ...t.intro, '', `    backprop-map check ${fileName}`, '', t.editor, '"""'];
  return [doc.join('\n'), s.setup, s.init, s.forward, s.cost, s.backward].join('\n\n\n') + '\n';
}

/** The map's TeX of the terms with these ids, one display formula each. */
function equations(layerDims: readonly number[], m: number | undefined, ids: (id: string) => boolean): string {
  return buildMap(layerDims, m ?? 1, 0, '')
    .filter((term) => ids(term.id))
    .map((term) => `$$${term.tex.replace(/\\allowbreak /g, '')}$$`)
    .join('\n\n');
}

interface Cell {
  id: string;
  cell_type: 'markdown' | 'code';
  metadata: Record<string, never>;
  source: string[];
  execution_count?: null;
  outputs?: never[];
}

/** nbformat keeps a cell's text as its lines, each but the last with its line end. */
function lines(text: string): string[] {
  return text.split('\n').map((l, i, all) => (i < all.length - 1 ? `${l}\n` : l));
}

/** The exercise as a Jupyter notebook (nbformat 4.5): a markdown cell with the notes' equations before each step's code. */
export function exerciseNotebook(opts: ExerciseOptions, fileName: string): string {
  validate(opts.layerDims);
  const t = TEXT[opts.lang];
  const s = steps(opts);
  const dims = opts.layerDims;
  const L = dims.length - 1;
  const backwardIds = new Set(exerciseTerms(dims).map((x) => x.name));
  const shapes = exerciseTerms(dims).map((x) => `- \`${termShape(x, dims, opts.m)}\``).join('\n');
  const cells: Cell[] = [];
  const md = (text: string): void => void cells.push({ id: `cell-${cells.length + 1}`, cell_type: 'markdown', metadata: {}, source: lines(text) });
  const code = (text: string): void =>
    void cells.push({ id: `cell-${cells.length + 1}`, cell_type: 'code', metadata: {}, source: lines(text), execution_count: null, outputs: [] });
  md(`# ${t.title(dimsText(dims))}\n\n${t.intro.join(' ')} \`backprop-map check\` ${t.editor}`);
  md(`## ${t.setup}`);
  code(s.setup);
  md(`## ${t.init}`);
  code(s.init);
  md(`## ${t.forward}\n\n${equations(dims, opts.m, (id) => /^[ZA]\d+$/.test(id))}`);
  code(s.forward);
  md(`## ${t.cost}\n\n${equations(dims, opts.m, (id) => id === 'L' || id === 'J')}`);
  code(s.cost);
  md(`## ${t.backward}\n\n${equations(dims, opts.m, (id) => backwardIds.has(id) || id === `dA${L}`)}\n\n${shapes}`);
  code(s.backward);
  // The learner's own derivation of each term, checked as the code is (src/derivations).
  md(`## ${t.derivation}\n\n${t.derivationText}\n\n${DEFINITIONS}`);
  for (const term of exerciseTerms(dims)) {
    const name = quantityTex({ key: term.key, layer: term.layer }, L);
    md(`### $${name}$\n\n$$${name} = \\dots$$`);
  }
  md(`## ${t.check}\n\n${t.checkText(fileName)}`);
  const notebook = {
    cells,
    metadata: {
      kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
      language_info: { name: 'python' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(notebook, null, 1) + '\n';
}
