/**
 * The panel's numbers that are not DOM: a quantity of the map from a snapshot (also the derived
 * ones, the loss L and the ReLU mask), a matrix's corner, the notes' parameter names.
 */
import { exampleLoss } from '../core/loss';
import type { MapSnapshot, MatrixData } from '../core/types';
import type { QuantityRef } from '../shared/tex';

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
