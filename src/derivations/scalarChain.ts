/**
 * A chain in the scalar world (`a`, `y`, `z`, `\mathcal{L}`, …): a definition where it starts with a
 * symbol or `f(x, y)`, else each step compared at random test points with the document's
 * definitions in force; a break reported at its `=` with both sides' values and, on evidence, why.
 */
import { type Node, NotUnderstood } from './ast';
import type { Walked } from './about';
import type { DocumentState } from './document';
import { evaluate, OperandShapeError } from './evaluate';
import { close, type Hint, scalarHint } from './explain';
import { capital, locOf, type ParsedSide, show, skipOf, tex } from './located';
import { formatNumber } from './messages';
import { isCrossEntropy, lossParams } from './loss';
import { NARROW, Point, POINTS, ScalarScope, symbolsOf } from './scalarScope';
import type { EquationReport, MathFinding, RelationVerdict, SkipReason } from './types';
import * as V from './values';
import type { Value } from './values';

/** Letters of the map's quantities: with a subscript they are entries, with a d a gradient. */
const MAP_LETTERS = /^(?:[AZWXazwxb]|dW|dZ|dA|db)$/;

/** What f(x, y) or x defines: its name and parameters, or null. */
function definable(n: Node): { name: string; params: string[] | null } | null {
  if (n.k === 'sym' && n.layer === undefined && n.example === undefined && n.prime === 0 && n.name !== 'e' && n.name !== 'pi') return { name: n.name, params: null };
  if (n.k === 'apply' && n.f.layer === undefined && n.f.prime === 0 && n.args.length >= 1) {
    const params = n.args.map((a) => (a.k === 'sym' && a.layer === undefined && a.example === undefined && !a.d ? a.name : null));
    if (params.every((p) => p !== null) && new Set(params).size === params.length && (params.length > 1 || ['f', 'g', 'h', 'F', 'G', '𝓛', 'J', 'phi', 'varphi', 'psi'].includes(n.f.name))) return { name: n.f.name, params: params as string[] };
  }
  return null;
}

export function scalarChain(doc: DocumentState, report: EquationReport, sides: ParsedSide[], ops: ('=' | ':=')[], w: Walked): void {
  report.world = 'scalar';
  doc.blanks(report, sides);
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
  // So does each name right after it: `\hat{y} = a = \sigma(z)` names σ(z) twice. The symbol a
  // chain starts with is defined by its first side that is read: in `A = RELU(Z) = max(0, Z)`,
  // max(0, Z) (RELU(Z) is not read, and A is no free symbol to compare it with).
  for (let k = sides.findIndex((s) => s.node !== null), first = true; k >= 0 && k < ops.length; k++, first = false) {
    const left = sides[k]!.node;
    let to = k + 1;
    while (first && to < ops.length && !sides[to]!.node && !report.relations[to - 1]!.skipped) to++;
    const right = sides[to]?.node;
    const def = left && right && report.relations.slice(k, to).every((r) => !r.skipped) ? definable(left) : null;
    if (!def || (!first && def.params)) break;
    const name = folds.get(def.name) ?? def.name;
    const ok = doc.defs.define(name, def.params ? { kind: 'fn', params: def.params, body: right!, line: report.line } : { kind: 'value', node: right!, line: report.line });
    // The relation into the defining side: the one between the symbol and it where nothing is between.
    const r = report.relations[to - 1]!;
    if (!ok) {
      r.skipped = { kind: ops[k] === ':=' ? 'update' : 'condition', detail: tex(sides[k]!) };
      break;
    }
    r.verdict = 'definition';
    r.note = doc.say('definition', { name: tex(sides[k]!) });
    defined.add(to - 1);
    if (name === '𝓛' || name === 'L') {
      const params = lossParams(def.params ?? symbolsOf(right!));
      doc.otherLoss = params && isCrossEntropy(doc.defs, right!, params) ? null : `${tex(sides[k]!)} = ${tex(sides[to]!)}`;
    }
    k = to - 1;
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
        const v = evaluate(node, new ScalarScope(doc.defs, p, folds));
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
      if (shown.has(name) || doc.defs.defs.get(name)?.kind !== 'value' || x.layer || x.example || name === '𝓛' || name === 'L' || name === 'J') continue;
      try {
        const v = evaluate(x, new ScalarScope(doc.defs, p, folds));
        if (V.isOne(v)) shown.set(name, v);
      } catch {
        /* not a number here */
      }
    }
    return [...shown.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([n, v]) => `${n} = ${formatNumber(v.data[0]!, doc.lang)}`).join(', ');
  };
  report.testPoint = pointText(points[0]!);
  sides.forEach((s, i) => {
    const v = values[i]?.[0];
    if (s.node && v) report.sides[i]!.value = show(v, doc.lang);
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
    const local = changedPart(doc, sides[i]!, sides[j]!, points[k0]!, folds);
    if (local) hints.push(local);
    const h = scalarHint(res.at.map((p) => [values[i]![p]!, values[j]![p]!]), doc.say, doc.lang);
    if (h) hints.push(h);
    const related: MathFinding['related'] = [];
    // The next side agrees with the side before again: one wrong side, not two wrong steps.
    const next = j + 1 < sides.length && sides[j + 1]!.node ? agree(i, j + 1) : null;
    if (next?.verdict === 'ok' && k + 1 < ops.length && !defined.has(k + 1)) {
      const r2 = report.relations[k + 1]!;
      r2.verdict = 'wrong';
      r2.left = j;
      r2.message = doc.say('hintReturns', { side: tex(sides[j]!) });
      hints.push({ code: 'wrong-side', text: doc.say('hintReturns', { side: tex(sides[j]!) }) });
      related.push({ ...r2, message: doc.say('hintReturns', { side: tex(sides[j]!) }) });
      handled.add(k + 1);
    }
    const message = doc.say(i === k ? 'chainBreaks' : 'chainBreaksBridged', { left: show(values[i]![k0]!, doc.lang), right: show(values[j]![k0]!, doc.lang), point }) + (hints.length ? ` ${capital(hints.map((x) => x.text).join('; '))}.` : '');
    r.message = message;
    const code = hints.find((x) => x.code === 'sign-flipped' || x.code === 'constant-factor' || x.code === 'reciprocal')?.code ?? 'math-wrong';
    doc.finding({ ...locOf(r), severity: 'error', code, message, related });
  }
}

/** Two products (or sums) of the same length that differ in one factor (term): that one. */
function changedPart(doc: DocumentState, a: ParsedSide, b: ParsedSide, point: Point, folds: Map<string, string>): Hint | null {
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
      const u = evaluate(px[i]!, new ScalarScope(doc.defs, point, folds));
      const v = evaluate(py[i]!, new ScalarScope(doc.defs, point, folds));
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
    text: doc.say(x.k === 'mul' ? 'hintFactorChanged' : 'hintTermChanged', {
      now: tex(b, py[i]!.s),
      before: tex(a, px[i]!.s),
      nowValue: show(vals[i]![1], doc.lang),
      beforeValue: show(vals[i]![0], doc.lang),
    }),
  };
}
