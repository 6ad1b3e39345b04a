/**
 * The derivation checker: reads the math of a Markdown text (or a notebook's Markdown cells, in
 * order) and answers with each equation's verdict, located. Editor-neutral: no vscode, no Python,
 * no I/O; the CLI and the extension call it.
 *
 * Each statement is a chain of sides joined by `=` / `:=`. A chain in the scalar world (`a`, `y`,
 * `z`, `\mathcal{L}`, …) is compared at random test points with the document's definitions in
 * force; one in the backprop map's notation (`W^{[l]}`, `dZ^{[2]}`, `X`, `Y`, …) on a random
 * network of the notes' kind; a shape claim by the rules of matrix products. Notation not read is
 * listed as not checked, never reported wrong.
 */
import { children, type Layer, type Node, NotUnderstood, type SkipKind, type Span, type SymbolNode } from './ast';
import { evaluate, OperandShapeError, work } from './evaluate';
import { close, type Hint, mapHint, scalarHint } from './explain';
import { type Token, tokenize } from './lexer';
import { LineIndex, type MathSpan, mathSpans } from './markdown';
import { type LayerContext, layerValue, letterKey, MapScope } from './mapScope';
import { formatNumber, type Lang, messages, type Say } from './messages';
import { type Activation, MAX_LAYERS, type Net, oneExample, randomNet, symbolicShape } from './network';
import { parseSide } from './parse';
import { type Statement, statements } from './statements';
import { Definitions, NARROW, Point, POINTS, ScalarScope } from './scalarScope';
import { ClaimError, DocSizes, isShapeSide, productOperands, quantitySizes, type Shape, sameShape as sameClaim, shapeOf, shapeText, type Size } from './shapes';
import type { EquationReport, EquationVerdict, MathFinding, MathLocation, MathResult, MathSummary, RelationVerdict, SideReport, SkipReason } from './types';
import * as V from './values';
import type { Value } from './values';

/** A Markdown text to check: a file's, or one notebook cell's (`cell` 1-based among all cells). */
export interface MathSource {
  text: string;
  cell?: number;
}

export interface MathOptions {
  lang?: Lang;
  file?: string;
}

/** One side as parsed, with where it is. */
interface ParsedSide {
  node: Node | null;
  skip: SkipReason | null;
  /** The math span's source and its place, for the TeX of the side's parts. */
  span: MathSpan;
  source: SourceCtx;
  s: Span;
}

interface SourceCtx {
  lines: LineIndex;
  cell?: number;
}

const SEEDS = [1, 2];

const nets = new Map<string, Net>();
function net(L: number, seed: number, perExample: boolean, hidden: Activation[]): Net {
  const key = `${L}:${seed}:${perExample}:${hidden.join(',')}`;
  let n = nets.get(key);
  if (!n) {
    n = randomNet(L, seed, hidden);
    if (perExample) n = oneExample(n);
    nets.set(key, n);
  }
  return n;
}

const ACTIVATIONS: Record<string, Activation> = { relu: 'relu', tanh: 'tanh', sigma: 'sigma' };

function locate(src: SourceCtx, span: MathSpan, s: Span): MathLocation {
  const a = src.lines.at(span.offset + s.start);
  const b = src.lines.at(span.offset + Math.max(s.end, s.start));
  return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column, ...(src.cell !== undefined ? { cell: src.cell } : {}) };
}

/** Why a side is not checked, with the part not read in the side's own TeX (the error may come from a definition elsewhere: then its words). */
function skipOf(e: NotUnderstood, side: { span: MathSpan; s: Span }): SkipReason {
  const s = e.span;
  const inside = s !== undefined && s.end > s.start && s.start >= side.s.start && s.end <= side.s.end;
  return { kind: e.kind, detail: inside ? side.span.src.slice(s.start, s.end).trim() : e.detail };
}

function tex(side: ParsedSide, s: Span = side.s): string {
  return side.span.src.slice(s.start, s.end).trim();
}

// ---------------------------------------------------------------- what a statement is about

interface Walked {
  syms: SymbolNode[];
  layers: Layer[];
  calls: Set<string>;
  sums: boolean;
  claims: Extract<Node, { k: 'claimed' }>[];
  applies: Extract<Node, { k: 'apply' }>[];
  transposes: boolean;
}

function walk(nodes: Node[]): Walked {
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
function isMapWorld(w: Walked): boolean {
  if (w.layers.length > 0 || w.sums || w.calls.has('np.sum') || w.calls.has('np.dot')) return true;
  return w.syms.some((s) => s.example !== undefined || s.name === 'X' || s.name === 'Y' || s.name === 'Ŷ' || s.name === 'J' || (s.d && s.base === 'X'));
}

/** Uppercase (or J, m, np.sum): all m examples; only lowercase a, z, x, y: one example. */
function isBatch(w: Walked): boolean {
  if (w.sums || w.calls.has('np.sum')) return true;
  return w.syms.some((s) => BATCH_NAMES.has(s.d ? s.base : s.name) || (s.d && /^[AZX]$/.test(s.base)) || ((s.name === '𝓛' || s.name === 'L') && w.syms.some((t) => t.name === 'J')));
}

function layerKey(l: Layer): string {
  return 'n' in l ? `n${l.n}` : `${l.v}${l.off}`;
}

/** For a letter written without a layer index: the one layer the statement uses it with. */
function bareLayers(w: Walked, l: number | null, L: number): Map<string, number> {
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
function quantityOf(n: Node, L: number): { key: string; layer: number; T: boolean } | null {
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

// ---------------------------------------------------------------- the check

class Checker {
  readonly say: Say;
  readonly lang: Lang;
  readonly defs = new Definitions();
  readonly equations: EquationReport[] = [];
  readonly findings: MathFinding[] = [];
  readonly sizes: DocSizes;
  /** Hidden activations the document gives (by layer, or 'l' for all): ReLU unless it says otherwise. */
  private readonly hidden = new Map<number | 'l', Activation>();
  /** The last side of the chain before: a display that starts with `=` goes on from it. */
  private last: ParsedSide | null = null;
  /** The statement just before: a shape claim right after it on the same line speaks of it (a quantity, or an equation's sides). */
  private prev: { line: string; quantity: Quantity | null; operands: { node: Node; tex: string }[] | null } | null = null;

  constructor(
    readonly L: number,
    lang: Lang,
  ) {
    this.lang = lang;
    this.say = messages(lang);
    this.sizes = new DocSizes(L);
  }

  run(src: SourceCtx, text: string): void {
    for (const span of mathSpans(text)) {
      for (const st of statements(tokenize(span.src))) {
        try {
          this.statement(src, span, st);
        } catch (e) {
          // Definitions nested thousands deep: not read, as any notation that is not.
          if (!(e instanceof RangeError)) throw e;
          const loc = locate(src, span, { start: st.start, end: st.end });
          this.equations.push({ ...loc, tex: span.src.slice(st.start, st.end).trim(), world: 'scalar', verdict: 'skipped', sides: [], relations: st.rels.map((r, i) => ({ ...locate(src, span, r), op: r.op, verdict: 'skipped', left: i, right: i + 1, skipped: { kind: 'unsupported', detail: 'nested too deep' } })) });
        }
      }
    }
  }

  private lineKey(loc: MathLocation): string {
    return `${loc.cell ?? 0}:${loc.line}`;
  }

  private parse(src: SourceCtx, span: MathSpan, side: { tokens: Token[]; start: number; end: number }): ParsedSide {
    const s = { start: side.start, end: side.end };
    try {
      return { node: parseSide(side.tokens), skip: null, span, source: src, s };
    } catch (e) {
      if (!(e instanceof NotUnderstood)) throw e;
      return { node: null, skip: skipOf(e, { span, s }), span, source: src, s };
    }
  }

  private statement(src: SourceCtx, span: MathSpan, st: Statement): void {
    const loc = locate(src, span, { start: st.start, end: st.end });
    if (st.rels.length === 0) {
      const side = this.parse(src, span, st.sides[0]!);
      if (!st.note) this.last = side;
      const q = side.node ? quantityOf(side.node, this.L) : null;
      if (side.node && !q && isShapeSide(side.node)) this.claimWithoutEquation(side, loc);
      this.prev = { line: this.lineKey(loc), quantity: q ? { ...q, tex: tex(side) } : null, operands: null };
      return;
    }
    const sides: ParsedSide[] = st.sides.map((s, i) => (i === 0 && st.continues && this.last ? this.last : this.parse(src, span, s)));
    if (st.continues && !this.last) sides[0] = { ...sides[0]!, skip: { kind: 'incomplete', detail: '=' } };
    const rels = st.rels.map((r) => ({ op: r.op, loc: locate(src, span, r) }));
    if (!st.note) this.last = sides[sides.length - 1]!;
    const report: EquationReport = {
      ...loc,
      tex: span.src.slice(st.start, st.end).trim(),
      world: 'scalar',
      verdict: 'skipped',
      sides: sides.map((s) => this.sideReport(s)),
      relations: rels.map((r, i) => ({ ...r.loc, op: r.op, verdict: 'skipped' as RelationVerdict, left: i, right: i + 1 })),
    };
    if (st.otherRelation) {
      for (const r of report.relations) r.skipped = { kind: 'relation', detail: st.otherRelation };
      this.finish(report);
      return;
    }
    // θ := θ − α·∇J, W := W − α·dW: an update, not an equation.
    const bare = (x: ParsedSide): string => tex(x).replace(/_\{\\text\{[^}]*\}\}/g, '').replace(/\s+/g, '');
    report.relations.forEach((r, k) => {
      if (r.op === ':=' && bare(sides[k]!) !== '' && bare(sides[k + 1]!).includes(bare(sides[k]!))) r.skipped = { kind: 'update', detail: tex(sides[k]!) };
    });
    const nodes = sides.map((s) => s.node).filter((n): n is Node => n !== null);
    const w = walk(nodes);
    if (nodes.some(isShapeSide)) {
      report.world = 'shape';
      this.shapeChain(report, sides);
    } else if (isMapWorld(w)) {
      report.world = 'map';
      this.mapChain(report, sides, w, loc);
    } else {
      this.scalarChain(report, sides, rels.map((r) => r.op), w);
    }
    this.finish(report);
    const lhs = report.world === 'map' && sides[0]!.node ? quantityOf(sides[0]!.node, this.L) : null;
    const lastSide = sides[sides.length - 1]!;
    this.prev = {
      line: this.lineKey(loc),
      quantity: lhs ? { ...lhs, tex: tex(sides[0]!) } : null,
      operands: report.world === 'map' && lastSide.node ? matrixOperands(lastSide.node).map((node) => ({ node, tex: tex(lastSide, node.s) })) : null,
    };
  }

  private sideReport(s: ParsedSide): SideReport {
    return { ...locate(s.source, s.span, s.s), tex: tex(s), ...(s.skip ? { skipped: s.skip } : {}) };
  }

  private finish(report: EquationReport): void {
    const v = report.relations.map((r) => r.verdict);
    const verdict: EquationVerdict = v.some((x) => x === 'wrong' || x === 'shape')
      ? 'wrong'
      : v.includes('not-written')
        ? 'not-written'
        : v.includes('ok')
          ? 'ok'
          : v.includes('partly')
            ? 'partly'
            : v.includes('definition')
              ? 'definition'
              : 'skipped';
    report.verdict = verdict;
    for (const r of report.relations) {
      if (r.verdict !== 'skipped' || r.skipped) continue;
      const side = [report.sides[r.left], report.sides[r.right]].find((s) => s?.skipped);
      r.skipped = side?.skipped ?? { kind: 'incomplete', detail: '' };
    }
    this.equations.push(report);
  }

  private finding(f: MathFinding): void {
    this.findings.push(f);
  }

  /**
   * An exercise's `…` after a term of the map (`dZ^{[2]} = \dots`): the term to write, said once, as
   * the code checker says it; elsewhere `…` is an ellipsis. Either way the side is not evaluated;
   * the rest of the chain is.
   */
  private blanks(report: EquationReport, sides: ParsedSide[]): void {
    sides.forEach((side, blank) => {
      if (side.node?.k !== 'blank') return;
      const first = sides[0]!.node;
      const q = blank > 0 && first?.k === 'sym' && first.layer ? quantityOf(first, this.L) : null;
      sides[blank] = { ...side, node: null, skip: { kind: 'incomplete', detail: tex(side) } };
      report.sides[blank]!.skipped = sides[blank]!.skip!;
      if (!q || report.term) return;
      report.term = `${q.key}${q.layer}`;
      for (const r of report.relations) if (r.left === blank || r.right === blank) r.verdict = 'not-written';
      this.finding({ ...locate(side.source, side.span, side.s), severity: 'warning', code: 'not-written', message: this.say('notWritten', { term: tex(sides[0]!) }), related: [], term: report.term });
    });
  }

  // ---- the scalar world

  private scalarChain(report: EquationReport, sides: ParsedSide[], ops: ('=' | ':=')[], w: Walked): void {
    report.world = 'scalar';
    this.blanks(report, sides);
    // The map's matrices without a layer index (W, a transpose, dW, dz) or their entries (w_{ij}, z_1): not scalars.
    const entry = w.syms.find((x) => x.sub !== undefined && MAP_LETTERS.test(x.d ? `d${x.base}` : x.base));
    const matrix = w.syms.find((x) => (x.d && /^[AZWXb]$/.test(x.base)) || x.name === 'W' || x.name === 'w');
    const differential = w.syms.find((x) => x.d);
    const why: SkipReason | null = entry
      ? { kind: 'index', detail: entry.name }
      : matrix || w.transposes
        ? { kind: 'no-layer', detail: matrix?.name ?? 'ᵀ' }
        : differential
          ? { kind: 'ambiguous-d', detail: differential.name }
          : null;
    if (why) {
      for (const r of report.relations) r.skipped ??= why;
      return;
    }
    // z and Z in one statement are the same quantity (z is a column of Z).
    const letters = new Set(w.syms.filter((s) => s.name.length === 1).map((s) => s.name));
    const folds = new Map<string, string>();
    for (const c of letters) if (/[a-z]/.test(c) && letters.has(c.toUpperCase())) folds.set(c, c.toUpperCase());
    const defined = new Set<number>();
    // A chain that starts with a symbol, or f(x, y) with bare arguments, defines it: notes restate and
    // reuse letters (a = σ(z) here, a = relu(z) in the next section), so a definition is never a claim.
    const k = sides.findIndex((s) => s.node !== null);
    const left = sides[k]?.node;
    const right = sides[k + 1]?.node;
    const def = left && right && k < ops.length && !report.relations[k]!.skipped ? definable(left) : null;
    if (def) {
      const name = folds.get(def.name) ?? def.name;
      const ok = this.defs.define(name, def.params ? { kind: 'fn', params: def.params, body: right!, line: report.line } : { kind: 'value', node: right!, line: report.line });
      const r = report.relations[k]!;
      if (ok) {
        r.verdict = 'definition';
        r.note = this.say('definition', { name: tex(sides[k]!) });
        defined.add(k);
      } else r.skipped = { kind: ops[k] === ':=' ? 'update' : 'condition', detail: tex(sides[k]!) };
    }
    const points = Array.from({ length: POINTS }, (_, k) => new Point(k));
    /** The free symbols each side depends on (those it drew at the first point). */
    const touched: Set<string>[] = sides.map(() => new Set());
    const values: (Value | null)[][] = sides.map((s, i) => {
      if (!s.node) return [];
      const node = s.node;
      const out: (Value | null)[] = [];
      for (const p of points) {
        try {
          p.touched = touched[i]!;
          const v = evaluate(node, new ScalarScope(this.defs, p, folds));
          p.touched = null;
          out.push(V.allFinite(v) ? v : null);
        } catch (e) {
          if (e instanceof NotUnderstood) {
            sides[i] = { ...s, node: null, skip: skipOf(e, s) };
            report.sides[i]!.skipped = sides[i]!.skip!;
            return [];
          }
          if (e instanceof OperandShapeError) {
            sides[i] = { ...s, node: null, skip: { kind: 'unsupported', detail: tex(s, { start: e.left.s.start, end: e.right.s.end }) } };
            report.sides[i]!.skipped = sides[i]!.skip!;
            return [];
          }
          throw e;
        }
      }
      return out;
    });
    for (const p of points) p.touched = null;
    // The point: the free symbols, and the statement's defined ones (a = σ(z)) at it.
    const pointText = (p: Point): string => {
      const shown = new Map<string, Value>(p.values);
      for (const x of w.syms) {
        const name = folds.get(x.name) ?? x.name;
        // The loss itself is no coordinate of the point.
        if (shown.has(name) || this.defs.defs.get(name)?.kind !== 'value' || x.layer || x.example || name === '𝓛' || name === 'L' || name === 'J') continue;
        try {
          const v = evaluate(x, new ScalarScope(this.defs, p, folds));
          if (V.isOne(v)) shown.set(name, v);
        } catch {
          /* not a number here */
        }
      }
      return [...shown.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([n, v]) => `${n} = ${formatNumber(v.data[0]!, this.lang)}`).join(', ');
    };
    report.testPoint = pointText(points[0]!);
    sides.forEach((s, i) => {
      const v = values[i]?.[0];
      if (s.node && v) report.sides[i]!.value = show(v, this.lang);
    });
    const agree = (i: number, j: number): { verdict: RelationVerdict; at: number[] } => {
      const valid = points.map((_, k) => k).filter((k) => values[i]![k] && values[j]![k]);
      if (valid.length === 0) return { verdict: 'skipped', at: [] };
      const wrongAt = valid.filter((k) => !close(values[i]![k]!, values[j]![k]!));
      const narrow = valid.filter((k) => k < NARROW);
      const narrowWrong = wrongAt.filter((k) => k < NARROW);
      if (wrongAt.length === 0) return { verdict: 'ok', at: [] };
      if (narrow.length > 0) {
        if (narrowWrong.length === 0) return { verdict: 'ok', at: [] }; // holds where logs and a(1 − a) are defined
        if (narrowWrong.length === narrow.length && narrow.length >= 2) return { verdict: 'wrong', at: wrongAt };
        return { verdict: 'partly', at: wrongAt };
      }
      return wrongAt.length === valid.length && valid.length >= 2 ? { verdict: 'wrong', at: wrongAt } : { verdict: 'partly', at: wrongAt };
    };
    const handled = new Set<number>();
    for (let k = 0; k < ops.length; k++) {
      const r = report.relations[k]!;
      if (defined.has(k) || r.skipped || handled.has(k) || r.verdict === 'not-written') continue;
      let i = k;
      while (i >= 0 && !sides[i]!.node) i--;
      const j = k + 1;
      if (i < 0 || !sides[j]!.node || (i < k && defined.has(i))) continue;
      r.left = i;
      // A side that depends on free symbols against one that does not is a condition (σ(z) = 0.5), not an identity.
      const [ti, tj] = [touched[i]!, touched[j]!];
      if ((ti.size === 0) !== (tj.size === 0)) {
        r.skipped = { kind: 'condition', detail: [...ti, ...tj].join(', ') };
        continue;
      }
      const res = agree(i, j);
      if (res.verdict === 'skipped') {
        r.skipped = { kind: 'domain', detail: '' };
        continue;
      }
      r.verdict = res.verdict;
      if (res.verdict !== 'wrong') continue;
      const k0 = res.at[0]!;
      const point = pointText(points[k0]!);
      const hints: Hint[] = [];
      const local = this.changedPart(sides[i]!, sides[j]!, points[k0]!, folds);
      if (local) hints.push(local);
      const h = scalarHint(res.at.map((p) => [values[i]![p]!, values[j]![p]!]), this.say, this.lang);
      if (h) hints.push(h);
      const related: MathFinding['related'] = [];
      // The next side agrees with the side before again: one wrong side, not two wrong steps.
      const next = j + 1 < sides.length && sides[j + 1]!.node ? agree(i, j + 1) : null;
      if (next?.verdict === 'ok' && k + 1 < ops.length && !defined.has(k + 1)) {
        const r2 = report.relations[k + 1]!;
        r2.verdict = 'wrong';
        r2.left = j;
        r2.message = this.say('hintReturns', { side: tex(sides[j]!) });
        hints.push({ code: 'wrong-side', text: this.say('hintReturns', { side: tex(sides[j]!) }) });
        related.push({ ...r2, message: this.say('hintReturns', { side: tex(sides[j]!) }) });
        handled.add(k + 1);
      }
      const message = this.say(i === k ? 'chainBreaks' : 'chainBreaksBridged', { left: show(values[i]![k0]!, this.lang), right: show(values[j]![k0]!, this.lang), point }) + (hints.length ? ` ${capital(hints.map((x) => x.text).join('; '))}.` : '');
      r.message = message;
      const code = hints.find((x) => x.code === 'sign-flipped' || x.code === 'constant-factor' || x.code === 'reciprocal')?.code ?? 'math-wrong';
      this.finding({ ...locOf(r), severity: 'error', code, message, related });
    }
  }

  /** Two products (or sums) of the same length that differ in one factor (term): that one. */
  private changedPart(a: ParsedSide, b: ParsedSide, point: Point, folds: Map<string, string>): Hint | null {
    const x = a.node!;
    const y = b.node!;
    const parts = (n: Node): Node[] | null => (n.k === 'mul' ? n.factors : n.k === 'add' ? n.terms.map((t) => (t.sign < 0 ? ({ k: 'neg', a: t.node, s: t.node.s } as Node) : t.node)) : null);
    const px = parts(x);
    const py = parts(y);
    if (!px || !py || px.length !== py.length || x.k !== y.k || px.length < 2) return null;
    const diff: number[] = [];
    const vals: [Value, Value][] = [];
    for (let i = 0; i < px.length; i++) {
      try {
        const u = evaluate(px[i]!, new ScalarScope(this.defs, point, folds));
        const v = evaluate(py[i]!, new ScalarScope(this.defs, point, folds));
        vals.push([u, v]);
        if (!close(u, v)) diff.push(i);
      } catch {
        return null;
      }
    }
    if (diff.length !== 1) return null;
    const i = diff[0]!;
    return {
      code: 'changed-part',
      text: this.say(x.k === 'mul' ? 'hintFactorChanged' : 'hintTermChanged', {
        now: tex(b, py[i]!.s),
        before: tex(a, px[i]!.s),
        nowValue: show(vals[i]![1], this.lang),
        beforeValue: show(vals[i]![0], this.lang),
      }),
    };
  }

  // ---- the map's world

  private mapChain(report: EquationReport, sides: ParsedSide[], w: Walked, loc: MathLocation): void {
    this.blanks(report, sides);
    const hasVar = w.layers.some((l) => 'v' in l && l.v === 'l');
    const hasBigL = w.layers.some((l) => 'v' in l && l.v === 'L');
    const explicit = Math.max(0, ...w.layers.map((l) => ('n' in l ? l.n : 0)));
    const L = Math.min(MAX_LAYERS, hasVar || hasBigL ? Math.max(3, this.L) : Math.max(2, this.L, explicit));
    const perExample = !isBatch(w);
    const ls: (number | null)[] = hasVar ? Array.from({ length: L }, (_, i) => i + 1) : [null];
    const layered = w.layers.length > 0;
    for (const c of w.claims) this.bindClaim(c, sides, loc);
    // values[side][instance]; an instance is (l, seed).
    type Result = { v: Value } | { range: true } | { shape: OperandShapeError } | null;
    this.activations(report, sides, L);
    const hidden = Array.from({ length: L - 1 }, (_, i) => this.hidden.get(i + 1) ?? this.hidden.get('l') ?? 'relu');
    const instances = ls.flatMap((l) => SEEDS.map((seed) => ({ l, net: net(L, seed, perExample, hidden) })));
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
    const first = instances[0]!.net;
    const hiddenText = first.dims
      .slice(1, -1)
      .map((n, i) => `${symbolicShape(first, [n]).replace(/^\(|,\)$/g, '')} = ${n}${first.hidden[i] !== 'relu' ? ` (${first.hidden[i] === 'sigma' ? 'σ' : first.hidden[i]})` : ''}, `)
      .join('');
    const netText = (n: Net, l: number | null): string => `${this.say('network', { nx: n.dims[0]!, hidden: hiddenText, m: n.m })}${l !== null ? `; l = ${l}` : ''}`;
    report.testPoint = `${netText(first, null)}${hasVar ? `; l = 1 … ${L}` : ''}`;
    sides.forEach((s, i) => {
      const firstValue = results[i]?.find((x): x is { v: Value } => x !== null && 'v' in x);
      if (s.node && firstValue) {
        const k = results[i]!.indexOf(firstValue);
        const n = instances[k]!.net;
        report.sides[i]!.shape = `${symbolicShape(n, firstValue.v.shape)}${firstValue.v.shape.length ? ` = (${firstValue.v.shape.join(' × ')}${firstValue.v.shape.length === 1 ? ',' : ''})` : ''}`;
        report.sides[i]!.value = show(firstValue.v, this.lang);
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
      const inner = e.op === 'dot' && e.left.shape.length === 2 && e.right.shape.length >= 1 ? this.say('hintInner', { a: symbolicShape(n, [e.left.shape[1]!]).replace(/^\(|,\)$/g, ''), b: symbolicShape(n, [e.right.shape[0]!]).replace(/^\(|,\)$/g, '') }) : e.op === 'elem' || e.op === 'add' || e.op === 'div' ? this.say('hintElementwise') : '';
      const where = instances[bad.k]!.l !== null ? this.say('forLayer', { l: instances[bad.k]!.l! }) : '';
      const message = `${this.say('shapeOperands', { expr: tex(s, { start: e.left.s.start, end: e.right.s.end }), shapes, where })}${inner ? ` ${capital(inner)}.` : ''}`;
      shapeSides.add(i);
      for (const r of report.relations) {
        if (r.left === i || r.right === i) {
          r.verdict = 'shape';
          r.message = message;
        }
      }
      this.finding({ ...locate(s.source, s.span, { start: e.left.s.start, end: e.right.s.end }), severity: 'error', code: 'map-shape', message, related: [] });
    });
    for (let k = 0; k < report.relations.length; k++) {
      const r = report.relations[k]!;
      if (r.skipped || r.verdict === 'shape' || r.verdict === 'not-written' || r.verdict === 'definition') continue;
      let i = k;
      while (i >= 0 && !sides[i]!.node) i--;
      const j = k + 1;
      if (i < 0 || !sides[j]!.node || shapeSides.has(i) || shapeSides.has(j)) continue;
      r.left = i;
      // `J = 0.693`, `m = 7`: a number of one run or one example, not an identity of the map.
      if ((walk([sides[i]!.node!]).syms.length === 0) !== (walk([sides[j]!.node!]).syms.length === 0)) {
        r.skipped = { kind: 'condition', detail: tex(sides[j]!) };
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
      const hiddenAsked = asked.filter(([l]) => l !== null && l < L);
      if (hasVar && hiddenAsked.length > 0 && hiddenAsked.every(([, v]) => v === 'ok')) {
        r.verdict = 'ok';
        r.note = this.say('holdsHidden', { ls: hiddenAsked.map(([l]) => l).join(', ') });
        continue;
      }
      // Holding for some layers only: the output layer's formulas (with Y, ŷ, σ) written with l are
      // meant for l = L, not a fault; a formula that holds at the output only because n_y = 1 is one.
      const outputOnly = holds.length === 1 && holds[0] === L;
      const aboutOutput = w.calls.has('sigma') || w.syms.some((x) => !x.d && (letterKey(x.name) === 'Y' || letterKey(x.name) === 'Yhat'));
      if (holds.length > 0 && (!outputOnly || aboutOutput)) {
        r.verdict = 'partly';
        r.note = this.say('holdsOnly', { ls: holds.join(', ') });
        continue;
      }
      const bad = firstBad as { k: number; verdict: 'shape' | 'wrong' } | null;
      if (!bad) continue;
      const inst = instances[bad.k]!;
      const a = (results[i]![bad.k] as { v: Value }).v;
      const b = (results[j]![bad.k] as { v: Value }).v;
      const hint = mapHint(a, b, inst.net, this.say, this.lang);
      let message: string;
      if (bad.verdict === 'shape') {
        message = this.say('shapeSides', { left: symbolicShape(inst.net, a.shape), right: symbolicShape(inst.net, b.shape), net: netText(inst.net, inst.l) });
      } else {
        const worst = worstEntry(a, b);
        const entry = worst.at ? this.say('entry', { i: worst.at[0], j: worst.at[1] }) : '';
        message = this.say('mapDiffers', { net: netText(inst.net, inst.l), entry, left: formatNumber(worst.left, this.lang), right: formatNumber(worst.right, this.lang) });
      }
      if (hint) message += ` ${capital(hint.text)}.`;
      r.verdict = bad.verdict;
      r.message = message;
      this.finding({ ...locOf(r), severity: 'error', code: hint?.code ?? (bad.verdict === 'shape' ? 'map-shape' : 'map-wrong'), message, related: [] });
    }
  }

  /**
   * `A^{[1]} = \tanh(Z^{[1]})`: a hidden layer's activation other than the notes' ReLU defines it
   * for what follows (the planar course's tanh), rather than being reported wrong.
   */
  private activations(report: EquationReport, sides: ParsedSide[], L: number): void {
    report.relations.forEach((r, k) => {
      if (r.skipped) return;
      const [a, b] = [sides[k]!.node, sides[k + 1]!.node];
      for (const [q, f] of [[a, b], [b, a]] as const) {
        if (q?.k !== 'sym' || q.d || !q.layer || letterKey(q.name) !== 'A' || f?.k !== 'call' || f.prime !== 0 || f.args.length !== 1) continue;
        const z = f.args[0]!;
        const act = ACTIVATIONS[f.fn];
        if (!act || z.k !== 'sym' || z.d || letterKey(z.name) !== 'Z' || !z.layer || layerKey(z.layer) !== layerKey(q.layer)) continue;
        const layer = 'n' in q.layer ? q.layer.n : q.layer.v === 'l' && q.layer.off === 0 ? 'l' : null;
        if (layer === null || layer === L || layer === this.L) continue; // the output is the sigmoid of the notes' kind
        const now = this.hidden.get(layer) ?? this.hidden.get('l') ?? 'relu';
        if (act === now) continue;
        this.hidden.set(layer, act);
        r.verdict = 'definition';
        r.note = this.say('definition', { name: tex(sides[k]!) });
        r.skipped = undefined;
      }
    });
  }

  // ---- shape claims

  private claimWithoutEquation(side: ParsedSide, loc: MathLocation): void {
    const report: EquationReport = { ...loc, tex: tex(side), world: 'shape', verdict: 'skipped', sides: [this.sideReport(side)], relations: [] };
    const bound = this.bindToLine(side, null, report);
    report.verdict = bound ? (report.verdict === 'wrong' ? 'wrong' : 'ok') : 'skipped';
    this.equations.push(report);
  }

  private shapeChain(report: EquationReport, sides: ParsedSide[]): void {
    const shapes: (Shape | null)[] = sides.map((s, i) => {
      if (!s.node) return null;
      if (!isShapeSide(s.node) && s.node.k !== 'num') {
        sides[i] = { ...s, node: null, skip: { kind: 'shape-unknown', detail: tex(s) } };
        report.sides[i]!.skipped = sides[i]!.skip!;
        return null;
      }
      try {
        const sh = shapeOf(s.node);
        report.sides[i]!.shape = shapeText(sh);
        return sh;
      } catch (e) {
        if (e instanceof ClaimError) {
          const at = locate(s.source, s.span, e.at);
          const shapesText = `${shapeText(e.left)} ${e.kind === 'product' ? '·' : '*'} ${shapeText(e.right)}`;
          const l = e.left as { c: unknown };
          const r = e.right as { r: unknown };
          const message = e.kind === 'product' ? this.say('claimProduct', { shapes: shapesText, a: String(l.c), b: String(r.r) }) : this.say('claimBroadcast', { shapes: shapesText });
          this.finding({ ...at, severity: 'error', code: 'claim-shape', message, related: [] });
          for (const rel of report.relations) if (rel.left === i || rel.right === i) Object.assign(rel, { verdict: 'shape', message });
          return null;
        }
        if (e instanceof NotUnderstood) {
          sides[i] = { ...s, node: null, skip: skipOf(e, s) };
          report.sides[i]!.skipped = sides[i]!.skip!;
          return null;
        }
        throw e;
      }
    });
    report.relations.forEach((r, k) => {
      if (r.verdict === 'shape') return;
      const a = shapes[k];
      const b = shapes[k + 1];
      if (!a || !b) return;
      if (sameClaim(a, b)) r.verdict = 'ok';
      else {
        r.verdict = 'shape';
        r.message = this.say('claimSides', { left: shapeText(a), right: shapeText(b) });
        this.finding({ ...locOf(r), severity: 'error', code: 'claim-shape', message: r.message, related: [] });
      }
    });
    if (sides[0]!.node) this.bindToLine(sides[0]!, sides[sides.length - 1]!.node ? sides[sides.length - 1]! : null, report);
  }

  /**
   * A claim right after a quantity or an equation on the same line: its first side is the shape of
   * that quantity (the equation's left side), its last side's operands those of the equation's last
   * side. Returns whether it spoke of anything.
   */
  private bindToLine(first: ParsedSide, last: ParsedSide | null, report: EquationReport): boolean {
    const before = this.prev;
    const loc = locate(first.source, first.span, first.s);
    if (!before || before.line !== this.lineKey(loc) || first.node?.k !== 'shape') return false;
    let spoke = false;
    const check = (q: Quantity, shape: Extract<Node, { k: 'shape' }>, side: ParsedSide): void => {
      const sizes = quantitySizes(q.key, q.layer);
      if (!sizes) return;
      spoke = true;
      const ordered: [Size, Size] = q.T ? [sizes[1], sizes[0]] : sizes;
      const where = locate(side.source, side.span, shape.s);
      for (const c of this.sizes.bind(ordered, shape, where)) {
        const message = this.say('claimSize', { quantity: q.tex, symbolic: this.sizes.symbolic(ordered), claimed: `${shape.r} × ${shape.c}`, name: c.name, value: c.value, before: c.before.value, line: c.before.line });
        report.verdict = 'wrong';
        this.finding({ ...where, severity: 'error', code: 'claim-size', message, related: [] });
      }
    };
    if (before.quantity) check(before.quantity, first.node, first);
    if (last?.node && before.operands) {
      const claimed = productOperands(last.node).filter((n): n is Extract<Node, { k: 'shape' }> => n.k === 'shape');
      if (claimed.length === before.operands.length) {
        claimed.forEach((c, i) => {
          const op = before.operands![i]!;
          const q = quantityOf(op.node, this.L);
          if (q) check({ ...q, tex: op.tex }, c, last);
        });
      }
    }
    return spoke;
  }

  /** `Z^{[1]}_{(3 \times 7)}`: the claim under a quantity binds its sizes. */
  private bindClaim(c: Extract<Node, { k: 'claimed' }>, sides: ParsedSide[], loc: MathLocation): void {
    const q = quantityOf(c.a, this.L);
    if (!q) return;
    const sizes = quantitySizes(q.key, q.layer);
    if (!sizes) return;
    const side = sides.find((s) => s.node && s.s.start <= c.s.start && c.s.end <= s.s.end) ?? sides[0]!;
    const where = locate(side.source, side.span, c.claim);
    for (const k of this.sizes.bind(q.T ? [sizes[1], sizes[0]] : sizes, { r: c.r, c: c.c }, { line: where.line, ...(loc.cell !== undefined ? { cell: loc.cell } : {}) })) {
      const message = this.say('claimSize', { quantity: tex(side, c.a.s), symbolic: this.sizes.symbolic(sizes), claimed: `${c.r} × ${c.c}`, name: k.name, value: k.value, before: k.before.value, line: k.before.line });
      this.finding({ ...where, severity: 'error', code: 'claim-size', message, related: [] });
    }
  }

  summary(): MathSummary {
    const relations: Record<RelationVerdict, number> = { ok: 0, wrong: 0, shape: 0, definition: 0, skipped: 0, partly: 0, 'not-written': 0 };
    const skippedKinds: Partial<Record<SkipKind, number>> = {};
    let checked = 0, wrong = 0, definitions = 0, skipped = 0;
    for (const e of this.equations) {
      for (const r of e.relations) {
        relations[r.verdict]++;
        if (r.verdict === 'skipped' && r.skipped) skippedKinds[r.skipped.kind] = (skippedKinds[r.skipped.kind] ?? 0) + 1;
      }
      if (e.verdict === 'wrong') wrong++;
      if (e.verdict === 'ok' || e.verdict === 'wrong' || e.verdict === 'partly') checked++;
      else if (e.verdict === 'definition') definitions++;
      else if (e.verdict === 'skipped') skipped++;
    }
    return { equations: this.equations.length, checked, wrong, definitions, skipped, relations, skippedKinds };
  }
}

/** A quantity of the map written with its layer (`A^{[1]T}`), and its TeX. */
type Quantity = { key: string; layer: number; T: boolean; tex: string };

/** Letters of the map's quantities: with a subscript they are entries, with a d a gradient. */
const MAP_LETTERS = /^(?:[AZWXazwxb]|dW|dZ|dA|db)$/;

function locOf(r: MathLocation): MathLocation {
  return { line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn, ...(r.cell !== undefined ? { cell: r.cell } : {}) };
}

/** A hint as a sentence: capitalised, unless it starts with code (`np.sum`). */
function capital(s: string): string {
  return /^[a-zäöü]+[\s,]/.test(s) ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

/** What f(x, y) or x defines: its name and parameters, or null. */
function definable(n: Node): { name: string; params: string[] | null } | null {
  if (n.k === 'sym' && n.layer === undefined && n.example === undefined && n.prime === 0 && n.name !== 'e' && n.name !== 'pi') return { name: n.name, params: null };
  if (n.k === 'apply' && n.f.layer === undefined && n.f.prime === 0 && n.args.length >= 1) {
    const params = n.args.map((a) => (a.k === 'sym' && a.layer === undefined && a.example === undefined && !a.d ? a.name : null));
    if (params.every((p) => p !== null) && new Set(params).size === params.length && (params.length > 1 || ['f', 'g', 'h', 'F', 'G', '𝓛', 'J', 'phi', 'varphi', 'psi'].includes(n.f.name))) return { name: n.f.name, params: params as string[] };
  }
  return null;
}

/** The matrix operands of a product at the top of a side (numbers and 1/m left out): `dZ^{[2]}`, `A^{[1]T}`. */
function matrixOperands(n: Node): Node[] {
  if (n.k !== 'mul' || !n.ops.every((o) => o === 'dot')) return [n];
  return n.factors.filter((f) => f.k !== 'num' && f.k !== 'div' && !(f.k === 'sym' && f.name === 'm'));
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

/** A value as the reports show it: a number, or a matrix's first entries. */
export function show(v: Value, lang: Lang): string {
  if (v.data.length === 1) return formatNumber(v.data[0]!, lang);
  const first = Array.from(v.data.slice(0, 3), (x) => formatNumber(x, lang)).join(lang === 'de' ? '; ' : ', ');
  return `[${first}${v.data.length > 3 ? ', …' : ''}]`;
}

/** The largest explicit layer index of the text: the depth of the network it speaks of. */
function depthOf(texts: string[]): number {
  let L = 2;
  for (const t of texts) for (const m of t.matchAll(/\^\s*\{\s*\[\s*(\d+)\s*\]/g)) L = Math.max(L, Number(m[1]));
  return Math.min(L, MAX_LAYERS);
}

/** The most text one check reads. */
export const MAX_MATH_CHARS = 1_000_000;
/** The most nodes one check evaluates: 85 times what the lecture notes need, about 2 s on a busy machine. */
export const MAX_MATH_WORK = 300_000;

/** Checks the math of Markdown sources in order (a notebook's Markdown cells, or one file). */
export function checkMath(sources: MathSource[], options: MathOptions = {}): MathResult {
  const t0 = Date.now();
  work.left = MAX_MATH_WORK;
  const lang = options.lang ?? 'en';
  const checker = new Checker(depthOf(sources.map((s) => s.text)), lang);
  const size = sources.reduce((n, s) => n + s.text.length, 0);
  if (size > MAX_MATH_CHARS) {
    const at = { line: 1, column: 1, endLine: 1, endColumn: 1, ...(sources[0]?.cell !== undefined ? { cell: sources[0].cell } : {}) };
    checker.findings.push({ ...at, severity: 'info', code: 'too-large', message: messages(lang)('tooLarge', { chars: (size / 1e6).toFixed(1), max: MAX_MATH_CHARS / 1e6 }), related: [] });
  } else for (const s of sources) checker.run({ lines: new LineIndex(s.text), ...(s.cell !== undefined ? { cell: s.cell } : {}) }, s.text);
  return {
    file: options.file ?? '',
    equations: checker.equations,
    findings: checker.findings,
    summary: checker.summary(),
    durationMs: Date.now() - t0,
  };
}

export function checkMarkdown(text: string, options: MathOptions = {}): MathResult {
  return checkMath([{ text }], options);
}
