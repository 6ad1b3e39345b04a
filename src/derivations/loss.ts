/**
 * The document's loss. The random network's gradients are those of the notes' cross-entropy
 * −y log a − (1 − y) log(1 − a); a document may define another (𝓛(a, y) = ½(a − y)², or its cost
 * J = 1/(2m) Σ (a − y)²). Its chain-rule steps between gradients still hold on the network, but a
 * step from a gradient to a formula of its own loss does not: such steps are not checked.
 */
import type { Node } from './ast';
import { NotUnderstood } from './ast';
import { evaluate, OperandShapeError } from './evaluate';
import { close, constantRatio } from './explain';
import { type Definitions, Point, ScalarScope } from './scalarScope';
import * as V from './values';
import type { Value } from './values';

/** (prediction, label) pairs at which a loss is compared with the cross-entropy. */
const SAMPLES: [number, number][] = [[0.3, 0], [0.3, 1], [0.8, 0.25], [0.55, 0.9], [0.15, 0.6]];

/** The prediction and the label among a loss's two parameters (or free symbols): the label is y or Y. */
export function lossParams(names: string[]): { prediction: string; label: string } | null {
  const unique = [...new Set(names)];
  const label = unique.find((n) => n === 'y' || n === 'Y');
  const others = unique.filter((n) => n !== label);
  return unique.length === 2 && label !== undefined && others.length === 1 ? { prediction: others[0]!, label } : null;
}

/** Whether body, a formula in a prediction and a label, is the cross-entropy; a formula not read is not. */
export function isCrossEntropy(defs: Definitions, body: Node, p: { prediction: string; label: string }): boolean {
  try {
    return SAMPLES.every(([a, y]) => {
      const at = new Map([[p.prediction, V.scalar(a)], [p.label, V.scalar(y)]]);
      return close(evaluate(body, new ScalarScope(defs, new Point(0), new Map(), at)), V.scalar(-y * Math.log(a) - (1 - y) * Math.log(1 - a)));
    });
  } catch (e) {
    if (e instanceof NotUnderstood || e instanceof OperandShapeError) return false;
    throw e;
  }
}

const LOSS_NAMES = new Set(['𝓛', 'L', 'J']);

/** `J`, `\mathcal{L}`, `\mathcal{L}(A^{[2]}, Y)`, `J(W, b)`: the loss or the cost itself. */
export function namesLoss(n: Node): boolean {
  const f = n.k === 'apply' ? n.f : n;
  return f.k === 'sym' && !f.d && f.layer === undefined && f.example === undefined && LOSS_NAMES.has(f.name);
}

/**
 * A cost written against the cross-entropy's, on every network asked: a slip of the cross-entropy
 * when one ratio (−1, m, 1/m) holds throughout, else another loss.
 */
export function isCrossEntropySlip(pairs: [Value, Value][], m: number): boolean {
  const k = constantRatio(pairs.flatMap(([a, b]) => Array.from(a.data, (x, i) => [x, b.data[i]!] as [number, number])));
  return k !== null && [-1, m, 1 / m].some((s) => Math.abs(k - s) <= 1e-6 * Math.abs(s));
}
