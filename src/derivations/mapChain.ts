/**
 * A chain in the backprop map's notation (`W^{[l]}`, `dZ^{[2]}`, `X`, `Y`, …): each side evaluated
 * on random networks of the notes' kind (for every layer where `l` appears), its left side the true
 * quantity; a shape error reported at its operands, differing sides with the worst entry and, on
 * evidence, why. A hidden activation the document gives (`A^{[1]} = \tanh(Z^{[1]})`) defines the
 * network for what follows.
 */
import { type Node, NotUnderstood } from './ast';
import { bareLayers, isBatch, layerKey, walk, type Walked } from './about';
import type { DocumentState } from './document';
import { evaluate, OperandShapeError } from './evaluate';
import { close, mapHint } from './explain';
import { capital, locate, locOf, type ParsedSide, show, skipOf, tex } from './located';
import { type LayerContext, letterKey, MapScope } from './mapScope';
import { isCrossEntropy, isCrossEntropySlip, lossParams, namesLoss } from './loss';
import { formatNumber } from './messages';
import { type Activation, inRows, MAX_LAYERS, type Net, oneExample, randomNet, symbolicShape } from './network';
import { symbolsOf } from './scalarScope';
import { bindClaim } from './shapeClaims';
import type { EquationReport, MathLocation, RelationReport } from './types';
import * as V from './values';
import type { Value } from './values';

const SEEDS = [1, 2];

const nets = new Map<string, Net>();
function net(L: number, seed: number, perExample: boolean, hidden: Activation[], rows: boolean): Net {
  const key = `${L}:${seed}:${perExample}:${hidden.join(',')}:${rows}`;
  let n = nets.get(key);
  if (!n) {
    n = randomNet(L, seed, hidden);
    if (perExample) n = oneExample(n);
    if (rows) n = inRows(n);
    nets.set(key, n);
  }
  return n;
}

/** A step of the forward run (`Z^{[1]} = …`, `A^{[l]} = …`): it shows in which convention the document writes. */
function isForward(n: Node | null): boolean {
  const x = n?.k === 'claimed' ? n.a : n;
  return x?.k === 'sym' && !x.d && x.layer !== undefined && (letterKey(x.name) === 'Z' || letterKey(x.name) === 'A');
}

/** Whether the sides evaluate without a shape error on these networks (notation not read does not count). */
function fits(sides: ParsedSide[], instances: { l: number | null; net: Net }[], w: Walked): boolean {
  for (const s of sides) {
    if (!s.node) continue;
    for (const inst of instances) {
      try {
        evaluate(s.node, new MapScope(inst.net, { l: inst.l, bare: bareLayers(w, inst.l, inst.net.L) }));
      } catch (e) {
        if (e instanceof OperandShapeError) return false;
        if (!(e instanceof NotUnderstood)) throw e;
      }
    }
  }
  return true;
}

const ACTIVATIONS: Record<string, Activation> = { relu: 'relu', tanh: 'tanh', sigma: 'sigma' };

export function mapChain(doc: DocumentState, report: EquationReport, sides: ParsedSide[], w: Walked, loc: MathLocation): void {
  doc.blanks(report, sides);
  // As parsed, before a side that is not evaluated is set aside: a loss of the document's own may be read without the network.
  const parsed = sides.map((s) => s.node);
  const hasVar = w.layers.some((l) => 'v' in l && l.v === 'l');
  const hasBigL = w.layers.some((l) => 'v' in l && l.v === 'L');
  const explicit = Math.max(0, ...w.layers.map((l) => ('n' in l ? l.n : 0)));
  const L = Math.min(MAX_LAYERS, hasVar || hasBigL ? Math.max(3, doc.L) : Math.max(2, doc.L, explicit));
  const perExample = !isBatch(w);
  const ls: (number | null)[] = hasVar ? Array.from({ length: L }, (_, i) => i + 1) : [null];
  const layered = w.layers.length > 0;
  for (const c of w.claims) bindClaim(doc, c, sides, loc);
  // values[side][instance]; an instance is (l, seed).
  type Result = { v: Value } | { range: true } | { shape: OperandShapeError } | null;
  activations(doc, report, sides, L);
  const hidden = Array.from({ length: L - 1 }, (_, i) => doc.hidden.get(i + 1) ?? doc.hidden.get('l') ?? 'relu');
  const instances = ls.flatMap((l) => SEEDS.map((seed) => ({ l, net: net(L, seed, perExample, hidden, doc.rows) })));
  const results: Result[][] = sides.map((s, i) => {
    if (!s.node) return [];
    const out: Result[] = [];
    for (const inst of instances) {
      const ctx: LayerContext = { l: inst.l, bare: bareLayers(w, inst.l, inst.net.L) };
      try {
        out.push({ v: evaluate(s.node, new MapScope(inst.net, ctx)) });
      } catch (e) {
        if (e instanceof NotUnderstood && e.kind === 'layer-range') {
          out.push({ range: true });
          continue;
        }
        if (e instanceof NotUnderstood) {
          sides[i] = { ...s, node: null, skip: skipOf(e, s) };
          report.sides[i]!.skipped = sides[i]!.skip!;
          return [];
        }
        if (e instanceof OperandShapeError) {
          if (!layered) {
            sides[i] = { ...s, node: null, skip: { kind: 'unsupported', detail: tex(s) } };
            report.sides[i]!.skipped = sides[i]!.skip!;
            return [];
          }
          out.push({ shape: e });
          continue;
        }
        throw e;
      }
    }
    return out;
  });
  if (layered && isForward(parsed[0] ?? null)) {
    const here = !results.some((r) => r.some((x) => x !== null && 'shape' in x));
    const there = fits(sides, ls.flatMap((l) => SEEDS.map((seed) => ({ l, net: net(L, seed, perExample, hidden, !doc.rows) }))), w);
    if (here !== there) doc.forwardFitsOnly[here === doc.rows ? 'rows' : 'columns']++;
  }
  const first = instances[0]!.net;
  const hiddenText = first.dims
    .slice(1, -1)
    .map((n, i) => `${symbolicShape(first, [n]).replace(/^\(|,\)$/g, '')} = ${n}${first.hidden[i] !== 'relu' ? ` (${first.hidden[i] === 'sigma' ? 'σ' : first.hidden[i]})` : ''}, `)
    .join('');
  const netText = (n: Net, l: number | null): string => `${doc.say('network', { nx: n.dims[0]!, hidden: hiddenText, m: n.m })}${l !== null ? `; l = ${l}` : ''}`;
  report.testPoint = `${netText(first, null)}${hasVar ? `; l = 1 … ${L}` : ''}${doc.rows ? `; ${doc.say('inRows')}` : ''}`;
  sides.forEach((s, i) => {
    const firstValue = results[i]?.find((x): x is { v: Value } => x !== null && 'v' in x);
    if (s.node && firstValue) {
      const k = results[i]!.indexOf(firstValue);
      const n = instances[k]!.net;
      report.sides[i]!.shape = `${symbolicShape(n, firstValue.v.shape)}${firstValue.v.shape.length ? ` = (${firstValue.v.shape.join(' × ')}${firstValue.v.shape.length === 1 ? ',' : ''})` : ''}`;
      report.sides[i]!.value = show(firstValue.v, doc.lang);
    }
  });
  // A shape error inside a side: reported once, at its operands.
  const shapeSides = new Set<number>();
  sides.forEach((s, i) => {
    const bad = results[i]?.map((x, k) => ({ x, k })).find(({ x }) => x !== null && 'shape' in x);
    if (!bad) return;
    const e = (bad.x as { shape: OperandShapeError }).shape;
    const n = instances[bad.k]!.net;
    const opText = e.op === 'dot' ? '·' : e.op === 'elem' ? ' * ' : e.op === 'add' ? ' + ' : ' / ';
    const shapes = `${symbolicShape(n, e.left.shape)}${opText}${symbolicShape(n, e.right.shape)}`;
    const inner = e.op === 'dot' && e.left.shape.length === 2 && e.right.shape.length >= 1 ? doc.say('hintInner', { a: symbolicShape(n, [e.left.shape[1]!]).replace(/^\(|,\)$/g, ''), b: symbolicShape(n, [e.right.shape[0]!]).replace(/^\(|,\)$/g, '') }) : e.op === 'elem' || e.op === 'add' || e.op === 'div' ? doc.say('hintElementwise') : '';
    const where = instances[bad.k]!.l !== null ? doc.say('forLayer', { l: instances[bad.k]!.l! }) : '';
    const message = `${doc.say('shapeOperands', { expr: tex(s, { start: e.left.s.start, end: e.right.s.end }), shapes, where })}${inner ? ` ${capital(inner)}.` : ''}`;
    shapeSides.add(i);
    for (const r of report.relations) {
      if (r.left === i || r.right === i) {
        r.verdict = 'shape';
        r.message = message;
      }
    }
    doc.finding({ ...locate(s.source, s.span, { start: e.left.s.start, end: e.right.s.end }), severity: 'error', code: 'map-shape', message, related: [] });
  });
  for (let k = 0; k < report.relations.length; k++) {
    const r = report.relations[k]!;
    if (r.skipped || r.verdict === 'shape' || r.verdict === 'not-written' || r.verdict === 'definition') continue;
    let i = k;
    while (i >= 0 && !sides[i]!.node) i--;
    const j = k + 1;
    if (!sides[j]!.node && isOwnLoss(doc, parsed[k] ?? null, parsed[j] ?? null)) {
      ownLoss(doc, r, sides, k, j);
      continue;
    }
    if (i < 0 || !sides[j]!.node || shapeSides.has(i) || shapeSides.has(j)) continue;
    r.left = i;
    // `J = 0.693`, `m = 7`: a number of one run or one example, not an identity of the map.
    if ((walk([sides[i]!.node!]).syms.length === 0) !== (walk([sides[j]!.node!]).syms.length === 0)) {
      r.skipped = { kind: 'condition', detail: tex(sides[j]!) };
      continue;
    }
    // The document's own loss (𝓛 = ½(a − y)²): the network's gradients are the cross-entropy's, so only
    // steps between gradients on both sides (the chain rule, the same for every loss) are asked.
    if (doc.otherLoss !== null && involvesLoss(sides[i]!.node!) !== involvesLoss(sides[j]!.node!)) {
      r.skipped = { kind: 'other-loss', detail: doc.otherLoss };
      continue;
    }
    // Per l: does it hold on every network? A layer the network does not have is not asked.
    const byL = new Map<number | null, 'ok' | 'shape' | 'wrong' | 'range'>();
    let firstBad: { k: number; verdict: 'shape' | 'wrong' } | null = null;
    instances.forEach((inst, idx) => {
      const a = results[i]![idx];
      const b = results[j]![idx];
      if (!a || !b || !('v' in a) || !('v' in b)) {
        if (a && b && ('range' in a || 'range' in b) && !byL.has(inst.l)) byL.set(inst.l, 'range');
        return;
      }
      const verdict = !V.sameShape(a.v.shape, b.v.shape) ? 'shape' : close(a.v, b.v) ? 'ok' : 'wrong';
      if (verdict !== 'ok' && !firstBad) firstBad = { k: idx, verdict };
      const before = byL.get(inst.l);
      byL.set(inst.l, before === undefined || before === 'range' || before === 'ok' ? verdict : before);
    });
    const asked = [...byL.entries()].filter(([, v]) => v !== 'range');
    if (asked.length === 0) {
      r.skipped = { kind: 'layer-range', detail: '' };
      continue;
    }
    const holds = asked.filter(([, v]) => v === 'ok').map(([l]) => l);
    if (holds.length === asked.length) {
      r.verdict = 'ok';
      continue;
    }
    // A cost or loss of the document's own (J = 1/(2m) Σ (a − y)²) is its definition; a slip of the
    // cross-entropy (a sign, the 1/m) is a finding.
    if (namesLoss(sides[i]!.node!) && !involvesLoss(sides[j]!.node!)) {
      const pairs = instances.flatMap((_, idx): [Value, Value][] => {
        const a = results[i]![idx];
        const b = results[j]![idx];
        return a && b && 'v' in a && 'v' in b && V.sameShape(a.v.shape, b.v.shape) ? [[a.v, b.v]] : [];
      });
      if (!isCrossEntropySlip(pairs, first.m)) {
        ownLoss(doc, r, sides, i, j);
        continue;
      }
    }
    const hiddenAsked = asked.filter(([l]) => l !== null && l < L);
    if (hasVar && hiddenAsked.length > 0 && hiddenAsked.every(([, v]) => v === 'ok')) {
      r.verdict = 'ok';
      r.note = doc.say('holdsHidden', { ls: hiddenAsked.map(([l]) => l).join(', ') });
      continue;
    }
    // Holding for some layers only: the output layer's formulas (with Y, ŷ, σ) written with l are
    // meant for l = L, not a fault; a formula that holds at the output only because n_y = 1 is one.
    const outputOnly = holds.length === 1 && holds[0] === L;
    const aboutOutput = w.calls.has('sigma') || w.syms.some((x) => !x.d && (letterKey(x.name) === 'Y' || letterKey(x.name) === 'Yhat'));
    if (holds.length > 0 && (!outputOnly || aboutOutput)) {
      r.verdict = 'partly';
      r.note = doc.say('holdsOnly', { ls: holds.join(', ') });
      continue;
    }
    const bad = firstBad as { k: number; verdict: 'shape' | 'wrong' } | null;
    if (!bad) continue;
    const inst = instances[bad.k]!;
    const a = (results[i]![bad.k] as { v: Value }).v;
    const b = (results[j]![bad.k] as { v: Value }).v;
    const hint = mapHint(a, b, inst.net, doc.say, doc.lang);
    let message: string;
    if (bad.verdict === 'shape') {
      message = doc.say('shapeSides', { left: symbolicShape(inst.net, a.shape), right: symbolicShape(inst.net, b.shape), net: netText(inst.net, inst.l) });
    } else {
      const worst = worstEntry(a, b);
      const entry = worst.at ? doc.say('entry', { i: worst.at[0], j: worst.at[1] }) : '';
      message = doc.say('mapDiffers', { net: netText(inst.net, inst.l), entry, left: formatNumber(worst.left, doc.lang), right: formatNumber(worst.right, doc.lang) });
    }
    if (hint) message += ` ${capital(hint.text)}.`;
    r.verdict = bad.verdict;
    r.message = message;
    doc.finding({ ...locOf(r), severity: 'error', code: hint?.code ?? (bad.verdict === 'shape' ? 'map-shape' : 'map-wrong'), message, related: [] });
  }
}

/**
 * `A^{[1]} = \tanh(Z^{[1]})`: a hidden layer's activation other than the notes' ReLU defines it
 * for what follows (the planar course's tanh), rather than being reported wrong.
 */
function activations(doc: DocumentState, report: EquationReport, sides: ParsedSide[], L: number): void {
  report.relations.forEach((r, k) => {
    if (r.skipped) return;
    const [a, b] = [sides[k]!.node, sides[k + 1]!.node];
    for (const [q, f] of [[a, b], [b, a]] as const) {
      if (q?.k !== 'sym' || q.d || !q.layer || letterKey(q.name) !== 'A' || f?.k !== 'call' || f.prime !== 0 || f.args.length !== 1) continue;
      const z = f.args[0]!;
      const act = ACTIVATIONS[f.fn];
      if (!act || z.k !== 'sym' || z.d || letterKey(z.name) !== 'Z' || !z.layer || layerKey(z.layer) !== layerKey(q.layer)) continue;
      const layer = 'n' in q.layer ? q.layer.n : q.layer.v === 'l' && q.layer.off === 0 ? 'l' : null;
      if (layer === null || layer === L || layer === doc.L) continue; // the output is the sigmoid of the notes' kind
      const now = doc.hidden.get(layer) ?? doc.hidden.get('l') ?? 'relu';
      if (act === now) continue;
      doc.hidden.set(layer, act);
      r.verdict = 'definition';
      r.note = doc.say('definition', { name: tex(sides[k]!) });
      r.skipped = undefined;
    }
  });
}

/** `\mathcal{L}(A, Y) = \frac{1}{2}(A - Y)^2`, read as a formula of numbers: a loss that is not the cross-entropy. */
function isOwnLoss(doc: DocumentState, left: Node | null, right: Node | null): boolean {
  if (!left || !right || !namesLoss(left) || involvesLoss(right)) return false;
  const args = left.k === 'apply' ? left.args.map((a) => (a.k === 'sym' && a.layer === undefined && a.example === undefined ? a.name : null)) : null;
  if (args?.includes(null)) return false;
  const params = lossParams(args ? (args as string[]) : symbolsOf(right));
  return params !== null && !isCrossEntropy(doc.defs, right, params);
}

/** The step defines the document's own loss: said so, and from here on its gradients against formulas are not asked. */
function ownLoss(doc: DocumentState, r: RelationReport, sides: ParsedSide[], i: number, j: number): void {
  r.verdict = 'definition';
  r.skipped = undefined;
  r.left = i;
  r.note = doc.say('definition', { name: tex(sides[i]!) });
  doc.otherLoss = `${tex(sides[i]!)} = ${tex(sides[j]!)}`;
}

/** Whether a side speaks of the loss: a gradient (dA, dZ, dW, db, ∂L/∂…, ∂J/∂…), 𝓛 or J. */
function involvesLoss(n: Node): boolean {
  return walk([n]).syms.some((s) => s.d || s.name === '𝓛' || s.name === 'L' || s.name === 'J');
}

function worstEntry(a: Value, b: Value): { at: [number, number] | null; left: number; right: number } {
  let k = 0;
  let worst = -1;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (d > worst) {
      worst = d;
      k = i;
    }
  }
  if (a.shape.length < 2 || a.data.length === 1) return { at: null, left: a.data[k]!, right: b.data[k]! };
  const c = a.shape[1]!;
  return { at: [Math.floor(k / c) + 1, (k % c) + 1], left: a.data[k]!, right: b.data[k]! };
}
