/**
 * The backprop map as data: every term of the notes' map for a network of any depth, with its TeX,
 * its shape in the notes' notation (n_x, n_h or n_h1 …, m) and in the run's numbers, and the
 * neighbours it is computed from. Pure (no DOM), so it is cheap to test and to build.
 *
 * Nothing from the user's files goes into TeX: only our own symbols and numbers.
 */
import type { Phase } from '../core/types';

export type QuantityKey = 'X' | 'Y' | 'W' | 'b' | 'Z' | 'A' | 'dA' | 'dZ' | 'dW' | 'db' | 'mask' | 'L' | 'J';

/** A quantity of the map; `layer` is 1-based for per-layer quantities and 0 for X, Y, L, J. */
export interface QuantityRef {
  key: QuantityKey;
  layer: number;
}

export type Section = 'input' | 'forward' | 'cost' | 'backward' | 'update';

export interface MapTerm {
  /** Unique within the map, e.g. `dW1`, `uW1` for the update of W[1]. */
  id: string;
  ref: QuantityRef;
  section: Section;
  /** The phase of a step that computes this term (inputs: none). */
  phase: Phase | null;
  layer: number;
  tex: string;
  /** `dW^{[1]}\;(n_h \times n_x) = (3 \times 4)` */
  shapeTex: string;
  /** The shapes of the computation in numbers, e.g. `(3 \times 7) = (3 \times 1) \cdot (1 \times 7)`. */
  productTex: string | null;
  /** For Z: how b is broadcast over the m columns, `(3 \times 1) \to (3 \times 7)`. */
  broadcastTex?: string;
  /** The quantities this one is computed from (its neighbours in the map). */
  inputs: QuantityRef[];
  /** Key of the explanation text (see i18n). */
  explain: string;
}

const ALLOW_BREAK = '\\allowbreak ';

/**
 * Each side of `=` / `:=` as one group, so that a narrow panel breaks a formula only at its
 * equals signs, never inside a product or a parenthesis; a side too long for one line marks where it
 * may break with `\allowbreak`, which stays between the side's groups (a comma that ends a group
 * gets no space after it from KaTeX: the thin space is written out, `, \,`).
 */
function sides(tex: string): string {
  return tex
    .split(/ (:?=) /)
    .map((p, i) => (i % 2 === 1 ? ` ${p} ` : p.split(ALLOW_BREAK).map((q) => `{${q}}`).join(ALLOW_BREAK)))
    .join('');
}

/** Escapes a string for use inside \text{…}. */
export function texText(s: string): string {
  return s.replace(/[\\{}$&#^_%~]/g, (c) =>
    c === '\\' ? '\\textbackslash{}' : c === '^' ? '\\textasciicircum{}' : c === '~' ? '\\textasciitilde{}' : '\\' + c,
  );
}

const sup = (l: number): string => `^{[${l}]}`;

/** The notes' names for the layer sizes: n_x, n_h (one hidden layer) or n_{h1} …, and 1 for the output. */
export function dimSymbol(l: number, L: number): string {
  if (l === 0) return 'n_x';
  if (l === L) return '1';
  return L === 2 ? 'n_h' : `n_{h${l}}`;
}

export const shapeTex = (r: string | number, c: string | number): string => `(${r} \\times ${c})`;

/** Name of a quantity in TeX, e.g. dW^{[2]}; A^{[0]} is X. */
export function quantityTex(ref: QuantityRef, L: number): string {
  const { key, layer } = ref;
  switch (key) {
    case 'X':
      return 'X';
    case 'Y':
      return 'Y';
    case 'L':
      return '\\mathcal{L}(\\hat{y}, y)';
    case 'J':
      return 'J';
    case 'mask':
      return `[Z${sup(layer)} > 0]`;
    case 'A':
      return layer === 0 ? 'X' : layer === L ? `A${sup(layer)} = \\hat{y}` : `A${sup(layer)}`;
    default:
      return `${key}${sup(layer)}`;
  }
}

/** Symbolic and numeric shape of a quantity. */
export function quantityShape(ref: QuantityRef, dims: readonly number[], m: number): { sym: [string, string]; num: [number, number] } {
  const L = dims.length - 1;
  const l = ref.layer;
  const n = (k: number): number => dims[k]!;
  switch (ref.key) {
    case 'X':
      return { sym: [dimSymbol(0, L), 'm'], num: [n(0), m] };
    case 'Y':
    case 'L':
      return { sym: ['1', 'm'], num: [1, m] };
    case 'J':
      return { sym: ['1', '1'], num: [1, 1] };
    case 'W':
    case 'dW':
      return { sym: [dimSymbol(l, L), dimSymbol(l - 1, L)], num: [n(l), n(l - 1)] };
    case 'b':
    case 'db':
      return { sym: [dimSymbol(l, L), '1'], num: [n(l), 1] };
    default:
      return { sym: [dimSymbol(l, L), 'm'], num: [n(l), m] };
  }
}

function shapeLine(ref: QuantityRef, dims: readonly number[], m: number, name?: string): string {
  const L = dims.length - 1;
  const s = quantityShape(ref, dims, m);
  const label = name ?? quantityTex(ref, L).replace(/ = \\hat\{y\}$/, '');
  return `${label}\\;${shapeTex(s.sym[0], s.sym[1])} = ${shapeTex(s.num[0], s.num[1])}`;
}

/**
 * Every term of the map in reading order: the input, the forward run layer by layer, loss and cost,
 * the backward run from layer L down to 1, and the weight updates.
 */
export function buildMap(dims: readonly number[], m: number, learningRate: number, broadcastWord: string): MapTerm[] {
  const L = dims.length - 1;
  const n = (k: number): number => dims[k]!;
  const prev = (l: number): string => (l === 1 ? 'X' : `A${sup(l - 1)}`);
  const prevRef = (l: number): QuantityRef => (l === 1 ? { key: 'X', layer: 0 } : { key: 'A', layer: l - 1 });
  const terms: MapTerm[] = [];
  // A term's id and layer follow from the quantity it shows: `dW1`, `X`; an update is `uW1`.
  const add = (t: Omit<MapTerm, 'id' | 'layer' | 'shapeTex'> & { shapeTex?: string }): void => {
    const { key, layer } = t.ref;
    const id = t.section === 'update' ? `u${key}${layer}` : `${key}${layer || ''}`;
    const shape = t.shapeTex ?? shapeLine(t.ref, dims, m);
    terms.push({ ...t, id, layer, tex: sides(t.tex), shapeTex: sides(shape), productTex: t.productTex === null ? null : sides(t.productTex) });
  };

  add({ ref: { key: 'X', layer: 0 }, section: 'input', phase: null, tex: `X = A^{[0]}`, productTex: null, inputs: [], explain: 'X' });
  add({ ref: { key: 'Y', layer: 0 }, section: 'input', phase: null, tex: 'Y', productTex: null, inputs: [], explain: 'Y' });

  for (let l = 1; l <= L; l++) {
    const bw = texText(broadcastWord);
    add({
      ref: { key: 'Z', layer: l },
      section: 'forward',
      phase: 'forward',
      tex: `Z${sup(l)} = W${sup(l)} \\cdot ${prev(l)} + b${sup(l)}`,
      productTex: `${shapeTex(n(l), m)} = ${shapeTex(n(l), n(l - 1))} \\cdot ${shapeTex(n(l - 1), m)} ${ALLOW_BREAK}{} + ${shapeTex(n(l), 1)}`,
      broadcastTex: `b${sup(l)}\\; ${shapeTex(n(l), 1)} \\xrightarrow{\\text{${bw}}} ${shapeTex(n(l), m)}`,
      inputs: [{ key: 'W', layer: l }, prevRef(l), { key: 'b', layer: l }],
      explain: 'Z',
    });
    add({
      ref: { key: 'A', layer: l },
      section: 'forward',
      phase: 'forward',
      tex: l === L ? `A${sup(l)} = \\sigma(Z${sup(l)}) = \\hat{y}` : `A${sup(l)} = \\text{relu}(Z${sup(l)})`,
      productTex: `${shapeTex(n(l), m)} = ${l === L ? '\\sigma' : '\\text{relu}'}${shapeTex(n(l), m)}`,
      inputs: [{ key: 'Z', layer: l }],
      explain: l === L ? 'Aout' : 'Ahidden',
    });
  }

  add({
    ref: { key: 'L', layer: 0 },
    section: 'cost',
    phase: 'forward',
    tex: `\\mathcal{L}(\\hat{y}, y) = -Y * \\log(\\hat{y}) ${ALLOW_BREAK}{} - (1 - Y) * \\log(1 - \\hat{y})`,
    shapeTex: shapeLine({ key: 'L', layer: 0 }, dims, m, '\\mathcal{L}'),
    productTex: `${shapeTex(1, m)} = ${shapeTex(1, m)} * ${shapeTex(1, m)}`,
    inputs: [{ key: 'A', layer: L }, { key: 'Y', layer: 0 }],
    explain: 'L',
  });
  add({
    ref: { key: 'J', layer: 0 },
    section: 'cost',
    phase: 'forward',
    tex: `J = \\frac{1}{m} \\cdot \\text{np.sum}(\\mathcal{L}(\\hat{Y}, Y))`,
    shapeTex: `J\\;(1 \\times 1),\\; m = ${m}`,
    productTex: `${shapeTex(1, 1)} = \\tfrac{1}{${m}} \\cdot \\text{np.sum}${shapeTex(1, m)}`,
    inputs: [{ key: 'L', layer: 0 }],
    explain: 'J',
  });

  for (let l = L; l >= 1; l--) {
    if (l === L) {
      add({
        ref: { key: 'dA', layer: l },
        section: 'backward',
        phase: 'backward',
        tex: `dA${sup(l)} := \\frac{\\partial \\mathcal{L}}{\\partial A${sup(l)}} = -\\frac{Y}{A${sup(l)}} + \\frac{1 - Y}{1 - A${sup(l)}}`,
        productTex: `${shapeTex(1, m)} = ${shapeTex(1, m)} / ${shapeTex(1, m)}`,
        inputs: [{ key: 'A', layer: l }, { key: 'Y', layer: 0 }],
        explain: 'dAout',
      });
      add({
        ref: { key: 'dZ', layer: l },
        section: 'backward',
        phase: 'backward',
        tex: `dZ${sup(l)} := \\frac{\\partial \\mathcal{L}}{\\partial Z${sup(l)}} = dA${sup(l)} * A${sup(l)} * (1 - A${sup(l)}) = A${sup(l)} - Y`,
        productTex: `${shapeTex(1, m)} = ${shapeTex(1, m)} - ${shapeTex(1, m)}`,
        inputs: [{ key: 'dA', layer: l }, { key: 'A', layer: l }, { key: 'Y', layer: 0 }],
        explain: 'dZout',
      });
    } else {
      add({
        ref: { key: 'dA', layer: l },
        section: 'backward',
        phase: 'backward',
        tex: `dA${sup(l)} = W^{[${l + 1}]T} \\cdot dZ${sup(l + 1)}`,
        productTex: `${shapeTex(n(l), m)} = ${shapeTex(n(l), n(l + 1))} \\cdot ${shapeTex(n(l + 1), m)}`,
        inputs: [{ key: 'W', layer: l + 1 }, { key: 'dZ', layer: l + 1 }],
        explain: 'dAhidden',
      });
      add({
        ref: { key: 'dZ', layer: l },
        section: 'backward',
        phase: 'backward',
        tex: `dZ${sup(l)} := \\frac{\\partial \\mathcal{L}}{\\partial Z${sup(l)}} = dA${sup(l)} * [Z${sup(l)} > 0]`,
        productTex: `${shapeTex(n(l), m)} = ${shapeTex(n(l), m)} * ${shapeTex(n(l), m)}`,
        inputs: [{ key: 'dA', layer: l }, { key: 'mask', layer: l }, { key: 'Z', layer: l }],
        explain: 'dZhidden',
      });
    }
    add({
      ref: { key: 'dW', layer: l },
      section: 'backward',
      phase: 'backward',
      tex: `dW${sup(l)} = \\frac{1}{m} \\cdot dZ${sup(l)} \\cdot ${l === 1 ? 'X^{T}' : `A^{[${l - 1}]T}`}`,
      productTex: `${shapeTex(n(l), n(l - 1))} = ${shapeTex(n(l), m)} \\cdot ${shapeTex(m, n(l - 1))}`,
      inputs: [{ key: 'dZ', layer: l }, prevRef(l)],
      explain: 'dW',
    });
    add({
      ref: { key: 'db', layer: l },
      section: 'backward',
      phase: 'backward',
      tex: `db${sup(l)} = \\frac{1}{m} ${ALLOW_BREAK}{} \\cdot \\text{np.sum}(dZ${sup(l)}, \\, ${ALLOW_BREAK}\\text{axis}=1, \\, ${ALLOW_BREAK}\\text{keepdims}=\\text{True})`,
      productTex: `${shapeTex(n(l), 1)} = \\sum_{\\text{axis}=1} ${shapeTex(n(l), m)}`,
      inputs: [{ key: 'dZ', layer: l }],
      explain: 'db',
    });
  }

  const alpha = `\\alpha = ${formatTexNumber(learningRate)}`;
  for (let l = 1; l <= L; l++) {
    for (const k of ['W', 'b'] as const) {
      add({
        ref: { key: k, layer: l },
        section: 'update',
        phase: 'update',
        tex: `${k}${sup(l)} := ${k}${sup(l)} - \\alpha \\cdot d${k}${sup(l)}, \\quad ${alpha}`,
        productTex: null,
        inputs: [{ key: k, layer: l }, { key: k === 'W' ? 'dW' : 'db', layer: l }],
        explain: k === 'W' ? 'uW' : 'ub',
      });
    }
  }
  return terms;
}

/** The notes' stacked update, [W1; b1; …]_neu := […]_alt − α·[dW1; db1; …]. */
export function stackedUpdateTex(L: number, newWord: string, oldWord: string): string {
  const col = (p: string): string =>
    `\\begin{bmatrix} ${Array.from({ length: L }, (_, i) => `${p}W${sup(i + 1)} \\\\ ${p}b${sup(i + 1)}`).join(' \\\\ ')} \\end{bmatrix}`;
  return `${col('')}_{\\text{${texText(newWord)}}} := ${col('')}_{\\text{${texText(oldWord)}}} - \\alpha \\cdot ${col('d')}`;
}

/** A number for TeX: plain decimal or a × 10^k. */
export function formatTexNumber(v: number): string {
  if (!Number.isFinite(v)) return '\\text{NaN}';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) {
    const [mant, exp] = v.toExponential(2).split('e');
    return `${mant} \\times 10^{${Number(exp)}}`;
  }
  return String(Number(v.toPrecision(4)));
}

export function refId(r: QuantityRef): string {
  return r.layer === 0 ? r.key : `${r.key}${r.layer}`;
}
