/**
 * The panel's numbers that are not DOM: a quantity of the map from a snapshot (also the derived
 * ones, the loss L and the ReLU mask), the map's terms by id, a matrix's corner, the notes'
 * parameter names.
 */
import { exampleLoss } from '../core/loss';
import type { MapSnapshot, MatrixData } from '../core/types';
import type { RunInfo } from '../core/types';
import { type MapTerm, type QuantityRef, quantityShape, refId, shapeTex } from '../shared/tex';

/** A quantity's values in a snapshot (derived ones computed from their neighbours). */
export function quantity(snap: MapSnapshot | null, ref: QuantityRef): MatrixData | null {
  if (!snap) return null;
  const L = snap.layers.length;
  switch (ref.key) {
    case 'X':
      return snap.X;
    case 'Y':
      return snap.Y;
    case 'J':
      return { rows: 1, cols: 1, data: [snap.cost] };
    case 'L': {
      // From the logits, with the core's loss: exact where A^[L] has rounded to 0 or 1, and its mean is J.
      const Z = snap.layers[L - 1]?.Z;
      if (!Z) return null;
      const data = Z.data.map((z, j) => exampleLoss(z, snap.Y.data[j]!));
      return { rows: 1, cols: Z.cols, data, ...(Z.totalCols !== undefined ? { totalCols: Z.totalCols } : {}) };
    }
    case 'mask': {
      const Z = snap.layers[ref.layer - 1]?.Z;
      if (!Z) return null;
      return { rows: Z.rows, cols: Z.cols, data: Z.data.map((z) => (z > 0 ? 1 : 0)), ...(Z.totalCols !== undefined ? { totalCols: Z.totalCols } : {}) };
    }
    default: {
      const layer = snap.layers[ref.layer - 1];
      if (ref.key === 'A' && ref.layer === 0) return snap.X;
      return layer ? layer[ref.key] : null;
    }
  }
}

/** Rows × columns of a matrix's top-left corner. */
export function corner(md: MatrixData, rows: number, cols: number): MatrixData {
  const r = Math.min(rows, md.rows);
  const c = Math.min(cols, md.cols);
  const data: number[] = [];
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data.push(md.data[i * md.cols + j]!);
  return { rows: r, cols: c, data };
}

/** The notes' parameter names, θ = [w11[1] … b1[1] … w11[2] … b[2]], in the order W1, b1, W2, b2, …. */
export function parameterNames(dims: readonly number[]): string[] {
  const names: string[] = [];
  for (let l = 1; l < dims.length; l++) {
    for (let i = 1; i <= dims[l]!; i++) for (let j = 1; j <= dims[l - 1]!; j++) names.push(`w${i},${j}[${l}]`);
    for (let i = 1; i <= dims[l]!; i++) names.push(`b${i}[${l}]`);
  }
  return names;
}

/** The mask [Z[l] > 0] is not a term of the map's own, but it is clickable from dZ and the ReLU example. */
function auxTerm(id: string, info: RunInfo): MapTerm | null {
  const m = /^mask(\d+)$/.exec(id);
  if (!m) return null;
  const l = Number(m[1]);
  const s = quantityShape({ key: 'mask', layer: l }, info.layerDims, info.m);
  return {
    id,
    ref: { key: 'mask', layer: l },
    section: 'backward',
    phase: 'backward',
    layer: l,
    tex: `[Z^{[${l}]} > 0]`,
    shapeTex: `[Z^{[${l}]} > 0]\\;${shapeTex(s.sym[0], s.sym[1])} = ${shapeTex(s.num[0], s.num[1])}`,
    productTex: null,
    inputs: [{ key: 'Z', layer: l }],
    explain: 'mask',
  };
}

/** The term of the map (or the mask) with this id, for the run's network. */
export function termById(terms: readonly MapTerm[], id: string | null, info: RunInfo | null): MapTerm | null {
  if (!id || !info) return null;
  return terms.find((x) => x.id === id) ?? auxTerm(id, info);
}

/** The map's term that shows a quantity: W and b are shown by their update terms. */
export function termIdFor(ref: QuantityRef): string {
  if (ref.key === 'W' || ref.key === 'b') return `u${ref.key}${ref.layer}`;
  if (ref.key === 'A' && ref.layer === 0) return 'X';
  return refId(ref);
}
