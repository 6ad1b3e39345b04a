/**
 * The backprop map's world: symbols are the quantities of a random network (X, Y, W^[l], b^[l],
 * Z^[l], A^[l], and dA, dZ per example of L, dW, db of J), read as the notes mean them.
 */
import { type Layer, type Node, NotUnderstood, type SymbolNode } from './ast';
import { binary, evaluate, juxtapose, type Scope } from './evaluate';
import { activation, type Net } from './network';
import * as V from './values';
import type { Value } from './values';

/** The quantities a letter names in the map: `A` and `a` are A^[l] (lowercase: of one example). */
type Key = 'A' | 'Z' | 'W' | 'b' | 'X' | 'Y' | 'Yhat';

const LETTER: Record<string, Key> = { a: 'A', A: 'A', z: 'Z', Z: 'Z', w: 'W', W: 'W', b: 'b', x: 'X', X: 'X', y: 'Y', Y: 'Y', 'ŷ': 'Yhat', 'Ŷ': 'Yhat', hatY: 'Yhat', hata: 'Yhat' };
const LOSS = new Set(['𝓛', 'L']);

export function letterKey(name: string): Key | undefined {
  return LETTER[name];
}

/** The layer a symbol (or a bare letter, by the layers the statement uses) stands for. */
export interface LayerContext {
  /** The value of l. */
  l: number | null;
  /** For a letter written without a layer index: the one layer the statement uses it with. */
  bare: Map<string, number>;
}

export function layerValue(layer: Layer, l: number | null, L: number): number {
  if ('n' in layer) return layer.n;
  if (layer.v === 'L') return L + layer.off;
  if (l === null) throw new NotUnderstood('no-layer', 'l without a value');
  return l + layer.off;
}


export class MapScope implements Scope {
  /** Inside 𝓛(…): a bare `a` is the output ŷ, as in 𝓛(a, y). */
  private lossArgs = false;
  private readonly index = new Map<string, number>();

  constructor(
    readonly net: Net,
    private readonly ctx: LayerContext,
    readonly elementwise = false,
  ) {}

  private layerOf(node: SymbolNode, key: string): number | null {
    if (node.layer !== undefined) return layerValue(node.layer, this.ctx.l, this.net.L);
    const bare = this.ctx.bare.get(key);
    return bare ?? null;
  }

  private column(v: Value, node: SymbolNode): Value {
    if (node.example === undefined) return v;
    if (this.net.rows) throw new NotUnderstood('index', `an example index (${node.example}) with examples in rows`, node.s);
    const j = /^\d+$/.test(node.example) ? Number(node.example) - 1 : this.index.get(node.example);
    if (j === undefined) throw new NotUnderstood('index', `the example index (${node.example}) outside a sum`, node.s);
    if (j < 0 || j >= this.net.m) throw new NotUnderstood('layer-range', `example ${j + 1} of ${this.net.m}`, node.s);
    return V.column(v, j);
  }

  private range(node: SymbolNode, l: number, lo: number, hi: number): number {
    if (l < lo || l > hi) throw new NotUnderstood('layer-range', `${node.name}^{[${l}]} in a network of ${this.net.L} layers`, node.s);
    return l;
  }

  /** A quantity of the map, or undefined when the symbol names none. */
  quantity(node: SymbolNode): Value {
    const net = this.net;
    const { L } = net;
    if (node.prime > 0) throw new NotUnderstood('unsupported', `${node.name}′ without an argument`, node.s);
    if (node.sub !== undefined) {
      if (node.base === 'n' && !node.d) {
        const l = { x: 0, h: L === 2 ? 1 : -1, y: L }[node.sub] ?? -1;
        if (l >= 0) return V.scalar(net.dims[l]!);
      }
      throw new NotUnderstood('index', `${node.name}: entries and indices are not checked`, node.s);
    }
    const letter = node.d ? node.base : node.name;
    const key = LETTER[letter];
    if (node.d) {
      if (key === 'A' || key === 'Z' || key === 'W' || key === 'b' || key === 'X') {
        if (key === 'X') return this.column(net.dA[0]!, node);
        let l = this.layerOf(node, `d${key}`) ?? this.layerOf(node, key);
        if (l === null) throw new NotUnderstood('no-layer', `${node.name} without a layer index`, node.s);
        if (key === 'A') return this.column(net.dA[this.range(node, l, 0, L)]!, node);
        l = this.range(node, l, 1, L);
        const v = key === 'Z' ? net.dZ[l - 1]! : key === 'W' ? net.dW[l - 1]! : net.db[l - 1]!;
        return key === 'Z' ? this.column(v, node) : v;
      }
      throw new NotUnderstood('ambiguous-d', `${node.name}`, node.s);
    }
    if (key === 'X') {
      if (node.layer !== undefined) throw new NotUnderstood('unsupported', `${node.name} with a layer index`, node.s);
      return this.column(net.X, node);
    }
    if (key === 'Y') {
      if (node.layer !== undefined) throw new NotUnderstood('unsupported', `${node.name} with a layer index`, node.s);
      return this.column(net.Y, node);
    }
    if (key === 'Yhat') return this.column(net.A[L]!, node);
    if (key === 'A' || key === 'Z' || key === 'W' || key === 'b') {
      let l = this.layerOf(node, key);
      if (l === null && key === 'A' && this.lossArgs) l = L;
      if (l === null) throw new NotUnderstood('no-layer', `${node.name} without a layer index`, node.s);
      if (key === 'A') return this.column(net.A[this.range(node, l, 0, L)]!, node);
      l = this.range(node, l, 1, L);
      if (key === 'Z') return this.column(net.Z[l - 1]!, node);
      return key === 'W' ? net.W[l - 1]! : net.b[l - 1]!;
    }
    if (node.layer !== undefined && node.name === 'n') return V.scalar(net.dims[this.range(node, layerValue(node.layer, this.ctx.l, L), 0, L)]!);
    if (node.layer !== undefined) throw new NotUnderstood('undefined', `${node.name}^{[…]} is not a quantity of the map`, node.s);
    if (node.name === 'm') return V.scalar(net.m);
    if (node.name === 'J') return V.scalar(net.J);
    if (LOSS.has(node.name)) return this.column(net.losses, node);
    if (node.name === 'e') return V.scalar(Math.E);
    if (node.name === 'pi') return V.scalar(Math.PI);
    if (this.index.has(node.name)) return V.scalar(this.index.get(node.name)! + 1);
    throw new NotUnderstood('undefined', `${node.name} is not a quantity of the map`, node.s);
  }

  symbol(node: SymbolNode): Value {
    return this.quantity(node);
  }

  apply(node: Extract<Node, { k: 'apply' }>): Value {
    const f = node.f;
    if (LOSS.has(f.name) && f.layer === undefined && !f.d) {
      if (node.args.length !== 2) throw new NotUnderstood('unsupported', `${f.name} of ${node.args.length} values`, node.s);
      const inner = this.child();
      inner.lossArgs = true;
      const a = evaluate(node.args[0]!, inner);
      const y = evaluate(node.args[1]!, inner);
      return binary('elem', node.s, node.args[0]!, node.args[1]!, a, y, (p, t) => V.zip('elem', p, t, (x, u) => -u * Math.log(x) - (1 - u) * Math.log(1 - x)));
    }
    if (f.name === 'J' && !f.d) return V.scalar(this.net.J);
    if (f.name === 'g' && !f.d) {
      if (node.args.length !== 1) throw new NotUnderstood('unsupported', `g of ${node.args.length} values`, node.s);
      const arg = node.args[0]!;
      let l = f.layer !== undefined ? layerValue(f.layer, this.ctx.l, this.net.L) : null;
      if (l === null && arg.k === 'sym' && LETTER[arg.name] === 'Z' && !arg.d) l = this.layerOf(arg, 'Z');
      if (l === null) throw new NotUnderstood('no-layer', 'g without its layer', node.s);
      if (l < 1 || l > this.net.L) throw new NotUnderstood('layer-range', `g^{[${l}]}`, node.s);
      const z = evaluate(arg, this);
      if (f.prime > 1) throw new NotUnderstood('unsupported', 'a second derivative', node.s);
      const act = activation(this.net, l);
      return V.map(z, f.prime === 1 ? act.dg : act.g);
    }
    if (node.args.length !== 1) throw new NotUnderstood('undefined', `${f.name} is not a function of the map`, node.s);
    // W^{[2]}(…), A^{[2]}(1 - A^{[2]}): a product by juxtaposition.
    return juxtapose(node.s, f, node.args[0]!, this.symbol(f), evaluate(node.args[0]!, this), this);
  }

  /** What the map says a derivative is: dA, dZ per example of L; dW, db of J; g′ for ∂A/∂Z. */
  derivative(node: Extract<Node, { k: 'deriv' }>): Value {
    const { f, x } = node;
    const net = this.net;
    const xKey = x.d ? undefined : LETTER[x.name];
    const fSym = f.k === 'sym' ? f : f.k === 'apply' ? f.f : null;
    const isLoss = fSym !== null && LOSS.has(fSym.name) && fSym.layer === undefined && !fSym.d && (f.k === 'sym' || (f.k === 'apply' && f.args.length === 2));
    const isCost = fSym !== null && fSym.name === 'J' && !fSym.d;
    if (x.sub !== undefined || (f.k === 'sym' && f.sub !== undefined)) throw new NotUnderstood('index', 'a derivative of entries', node.s);
    if (!xKey) throw new NotUnderstood(x.d ? 'ambiguous-d' : 'undefined', `${x.name} is not a quantity of the map`, x.s);
    if ((isLoss || isCost) && xKey) {
      const perExample = (key: Key): Value => {
        if (key === 'X') return this.column(net.dA[0]!, x);
        if (key === 'Yhat') return this.column(net.dA[net.L]!, x);
        const l = this.layerOf(x, key);
        if (l === null) throw new NotUnderstood('no-layer', `∂/∂${x.name} without a layer index`, node.s);
        if (key === 'A') return this.column(net.dA[this.range(x, l, 0, net.L)]!, x);
        return this.column(net.dZ[this.range(x, l, 1, net.L) - 1]!, x);
      };
      if (xKey === 'W' || xKey === 'b') {
        if (isLoss && net.m !== 1) throw new NotUnderstood('sum-of-losses', `∂L/∂${x.name}: L is one loss per example (∂J/∂${x.name} is d${x.name})`, node.s);
        const l = this.layerOf(x, xKey);
        if (l === null) throw new NotUnderstood('no-layer', `∂/∂${x.name} without a layer index`, node.s);
        const k = this.range(x, l, 1, net.L) - 1;
        return xKey === 'W' ? net.dW[k]! : net.db[k]!;
      }
      if (xKey === 'Y') throw new NotUnderstood('unsupported', 'a derivative by the labels', node.s);
      const v = perExample(xKey);
      return isCost ? V.map(v, (t) => t / net.m) : v;
    }
    // ∂A^[l]/∂Z^[l] (or dŷ/dZ^[L]) element by element: g′(Z^[l]).
    if (fSym && f.k === 'sym' && !fSym.d && xKey === 'Z') {
      const fKey = LETTER[fSym.name];
      const lz = this.layerOf(x, 'Z');
      const la = fKey === 'Yhat' ? net.L : fKey === 'A' ? this.layerOf(fSym, 'A') : null;
      if (lz !== null && la !== null && lz === la && lz >= 1 && lz <= net.L) {
        const z = this.column(net.Z[lz - 1]!, x);
        return V.map(z, activation(net, lz).dg);
      }
    }
    throw new NotUnderstood('jacobian', 'a derivative that is not element by element', node.s);
  }

  sumOver(node: Extract<Node, { k: 'sum' }>): Value {
    const from = evaluate(node.from, this);
    const to = evaluate(node.to, this);
    if (!V.isOne(from) || !V.isOne(to) || from.data[0] !== 1 || to.data[0] !== this.net.m) throw new NotUnderstood('unsupported', 'a sum not over the m examples', node.s);
    let acc: Value | null = null;
    for (let j = 0; j < this.net.m; j++) {
      this.index.set(node.index, j);
      const v = evaluate(node.body, this);
      acc = acc === null ? v : V.add(acc, v);
    }
    this.index.delete(node.index);
    return acc!;
  }

  private child(): MapScope {
    const c = new MapScope(this.net, this.ctx, this.elementwise);
    for (const [k, v] of this.index) c.index.set(k, v);
    return c;
  }
}
