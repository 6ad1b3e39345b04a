/**
 * What a statement is about: its symbols, layer indices, calls, sums and shape claims (walk), and
 * from them its world — the backprop map's notation or the scalar one, all m examples or one — the
 * layer a letter written without an index has, and the quantity of the map a side names.
 */
import { children, type Layer, type Node, type SymbolNode } from './ast';
import { layerValue, letterKey } from './mapScope';

export interface Walked {
  syms: SymbolNode[];
  layers: Layer[];
  calls: Set<string>;
  sums: boolean;
  claims: Extract<Node, { k: 'claimed' }>[];
  applies: Extract<Node, { k: 'apply' }>[];
  transposes: boolean;
}

export function walk(nodes: Node[]): Walked {
  const w: Walked = { syms: [], layers: [], calls: new Set(), sums: false, claims: [], applies: [], transposes: false };
  const visit = (n: Node): void => {
    if (n.k === 'sym') {
      w.syms.push(n);
      if (n.layer) w.layers.push(n.layer);
    } else if (n.k === 'apply') w.applies.push(n);
    else if (n.k === 'call') {
      w.calls.add(n.fn);
      if (n.layer) w.layers.push(n.layer);
    } else if (n.k === 'sum') w.sums = true;
    else if (n.k === 'claimed') w.claims.push(n);
    else if (n.k === 'T') w.transposes = true;
    children(n).forEach(visit);
  };
  nodes.forEach(visit);
  return w;
}

const BATCH_NAMES = new Set(['X', 'Y', 'Ŷ', 'hatY', 'A', 'Z', 'J', 'm']);

/** The backprop map's notation: a layer index, the data X and Y, J, np.sum, a sum over the examples. */
export function isMapWorld(w: Walked): boolean {
  if (w.layers.length > 0 || w.sums || w.calls.has('np.sum') || w.calls.has('np.dot')) return true;
  return w.syms.some((s) => s.example !== undefined || s.name === 'X' || s.name === 'Y' || s.name === 'Ŷ' || s.name === 'J' || (s.d && s.base === 'X'));
}

/** Uppercase (or J, m, np.sum): all m examples; only lowercase a, z, x, y: one example. */
export function isBatch(w: Walked): boolean {
  if (w.sums || w.calls.has('np.sum')) return true;
  return w.syms.some((s) => BATCH_NAMES.has(s.d ? s.base : s.name) || (s.d && /^[AZX]$/.test(s.base)) || ((s.name === '𝓛' || s.name === 'L') && w.syms.some((t) => t.name === 'J')));
}

export function layerKey(l: Layer): string {
  return 'n' in l ? `n${l.n}` : `${l.v}${l.off}`;
}

/** For a letter written without a layer index: the one layer the statement uses it with. */
export function bareLayers(w: Walked, l: number | null, L: number): Map<string, number> {
  const byKey = new Map<string, Map<string, Layer>>();
  for (const s of w.syms) {
    if (!s.layer) continue;
    const k = letterKey(s.d ? s.base : s.name);
    if (!k) continue;
    const key = s.d ? `d${k}` : k;
    if (!byKey.has(key)) byKey.set(key, new Map());
    byKey.get(key)!.set(layerKey(s.layer), s.layer);
  }
  const out = new Map<string, number>();
  for (const [key, layers] of byKey) {
    if (layers.size !== 1) continue;
    try {
      out.set(key, layerValue([...layers.values()][0]!, l, L));
    } catch {
      /* no value of l */
    }
  }
  return out;
}

/** Whether a node names a quantity of the map with a written layer: `{key: 'dW', layer: 2}`, transposed or not. */
export function quantityOf(n: Node, L: number): { key: string; layer: number; T: boolean } | null {
  let T = false;
  let x = n;
  if (x.k === 'T') {
    T = true;
    x = x.a;
  }
  if (x.k === 'claimed') x = x.a;
  if (x.k !== 'sym' || x.sub !== undefined || x.example !== undefined) return null;
  const k = letterKey(x.d ? x.base : x.name);
  if (k === 'X') return { key: x.d ? 'dA' : 'A', layer: 0, T };
  if (k === 'Y' || k === 'Yhat') return x.d ? null : { key: 'A', layer: L, T };
  if (!k || !x.layer || !('n' in x.layer)) return null;
  return { key: x.d ? `d${k}` : k, layer: x.layer.n, T };
}

/** A quantity of the map written with its layer (`A^{[1]T}`), and its TeX. */
export type Quantity = { key: string; layer: number; T: boolean; tex: string };

/** The matrix operands of a product at the top of a side (numbers and 1/m left out): `dZ^{[2]}`, `A^{[1]T}`. */
export function matrixOperands(n: Node): Node[] {
  if (n.k !== 'mul' || !n.ops.every((o) => o === 'dot' || o === 'juxt')) return [n];
  return n.factors.filter((f) => f.k !== 'num' && f.k !== 'div' && !(f.k === 'sym' && f.name === 'm'));
}
