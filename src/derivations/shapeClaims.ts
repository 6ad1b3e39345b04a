/**
 * Shape claims: a side written in shapes (`(1 \times 3) = (1 \times 7) \circ (7 \times 3)`) checked
 * by the rules of matrix products; a shape right after a quantity or an equation on the same line,
 * or under a quantity (`Z^{[1]}_{(3 \times 7)}`), checked against the sizes the document's other
 * claims give the same symbols.
 */
import { type Node, NotUnderstood } from './ast';
import { type Quantity, quantityOf } from './about';
import type { DocumentState } from './document';
import { locate, locOf, type ParsedSide, skipOf, tex } from './located';
import { ClaimError, isShapeSide, productOperands, quantitySizes, type Shape, sameShape as sameClaim, shapeOf, shapeText, type Size } from './shapes';
import type { EquationReport, MathLocation } from './types';

export function claimWithoutEquation(doc: DocumentState, side: ParsedSide, loc: MathLocation): void {
  const report: EquationReport = { ...loc, tex: tex(side), world: 'shape', verdict: 'skipped', sides: [doc.sideReport(side)], relations: [] };
  const bound = bindToLine(doc, side, null, report);
  report.verdict = bound ? (report.verdict === 'wrong' ? 'wrong' : 'ok') : 'skipped';
  doc.equations.push(report);
}

export function shapeChain(doc: DocumentState, report: EquationReport, sides: ParsedSide[]): void {
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
        const message = e.kind === 'product' ? doc.say('claimProduct', { shapes: shapesText, a: String(l.c), b: String(r.r) }) : doc.say('claimBroadcast', { shapes: shapesText });
        doc.finding({ ...at, severity: 'error', code: 'claim-shape', message, related: [] });
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
      r.message = doc.say('claimSides', { left: shapeText(a), right: shapeText(b) });
      doc.finding({ ...locOf(r), severity: 'error', code: 'claim-shape', message: r.message, related: [] });
    }
  });
  if (sides[0]!.node) bindToLine(doc, sides[0]!, sides[sides.length - 1]!.node ? sides[sides.length - 1]! : null, report);
}

/**
 * A claim right after a quantity or an equation on the same line: its first side is the shape of
 * that quantity (the equation's left side), its last side's operands those of the equation's last
 * side. Returns whether it spoke of anything.
 */
function bindToLine(doc: DocumentState, first: ParsedSide, last: ParsedSide | null, report: EquationReport): boolean {
  const before = doc.prev;
  const loc = locate(first.source, first.span, first.s);
  if (!before || before.line !== doc.lineKey(loc) || first.node?.k !== 'shape') return false;
  let spoke = false;
  const check = (q: Quantity, shape: Extract<Node, { k: 'shape' }>, side: ParsedSide): void => {
    const sizes = quantitySizes(q.key, q.layer);
    if (!sizes) return;
    spoke = true;
    // With examples in rows every quantity is the notes' one transposed.
    const ordered: [Size, Size] = q.T !== doc.rows ? [sizes[1], sizes[0]] : sizes;
    const where = locate(side.source, side.span, shape.s);
    for (const c of doc.sizes.bind(ordered, shape, where)) {
      const message = doc.say('claimSize', { quantity: q.tex, symbolic: doc.sizes.symbolic(ordered), claimed: `${shape.r} × ${shape.c}`, name: c.name, value: c.value, before: c.before.value, line: c.before.line });
      report.verdict = 'wrong';
      doc.finding({ ...where, severity: 'error', code: 'claim-size', message, related: [] });
    }
  };
  if (before.quantity) check(before.quantity, first.node, first);
  if (last?.node && before.operands) {
    const claimed = productOperands(last.node).filter((n): n is Extract<Node, { k: 'shape' }> => n.k === 'shape');
    if (claimed.length === before.operands.length) {
      claimed.forEach((c, i) => {
        const op = before.operands![i]!;
        const q = quantityOf(op.node, doc.L);
        if (q) check({ ...q, tex: op.tex }, c, last);
      });
    }
  }
  return spoke;
}

/** `Z^{[1]}_{(3 \times 7)}`: the claim under a quantity binds its sizes. */
export function bindClaim(doc: DocumentState, c: Extract<Node, { k: 'claimed' }>, sides: ParsedSide[], loc: MathLocation): void {
  const q = quantityOf(c.a, doc.L);
  if (!q) return;
  const sizes = quantitySizes(q.key, q.layer);
  if (!sizes) return;
  const side = sides.find((s) => s.node && s.s.start <= c.s.start && c.s.end <= s.s.end) ?? sides[0]!;
  const where = locate(side.source, side.span, c.claim);
  // With examples in rows every quantity is the notes' one transposed.
  const ordered: [Size, Size] = q.T !== doc.rows ? [sizes[1], sizes[0]] : sizes;
  for (const k of doc.sizes.bind(ordered, { r: c.r, c: c.c }, { line: where.line, ...(loc.cell !== undefined ? { cell: loc.cell } : {}) })) {
    const message = doc.say('claimSize', { quantity: tex(side, c.a.s), symbolic: doc.sizes.symbolic(ordered), claimed: `${c.r} × ${c.c}`, name: k.name, value: k.value, before: k.before.value, line: k.before.line });
    doc.finding({ ...where, severity: 'error', code: 'claim-size', message, related: [] });
  }
}
