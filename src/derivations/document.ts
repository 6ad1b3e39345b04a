/**
 * What the check of one document carries from statement to statement: its language, the depth of
 * the network it speaks of, its definitions (the scalar world), the hidden activations it gives,
 * the sizes its shape claims give, the statement just before, and the equations and findings so far.
 * The worlds' checks (scalarChain.ts, mapChain.ts, shapeClaims.ts) read and add to it.
 */
import type { Node } from './ast';
import { type Quantity, quantityOf } from './about';
import { locate, type ParsedSide, tex } from './located';
import { type Lang, messages, type Say } from './messages';
import type { Activation } from './network';
import { Definitions } from './scalarScope';
import { DocSizes } from './shapes';
import type { EquationReport, MathFinding, MathLocation, SideReport } from './types';

export class DocumentState {
  readonly say: Say;
  readonly lang: Lang;
  readonly defs = new Definitions();
  readonly equations: EquationReport[] = [];
  readonly findings: MathFinding[] = [];
  readonly sizes: DocSizes;
  /** Hidden activations the document gives (by layer, or 'l' for all): ReLU unless it says otherwise. */
  readonly hidden = new Map<number | 'l', Activation>();
  /**
   * The document's own loss where it is not the notes' cross-entropy (its definition's TeX), else
   * null: the map's gradients are the cross-entropy's.
   */
  otherLoss: string | null = null;
  /** The statement just before: a shape claim right after it on the same line speaks of it (a quantity, or an equation's sides). */
  prev: { line: string; quantity: Quantity | null; operands: { node: Node; tex: string }[] | null } | null = null;

  /**
   * The forward run's equations (`Z^{[1]} = …`) with a shape error in one convention and none in the
   * other, by the one they fit: they say how the document writes (check.ts). A backward equation
   * does not: the notes' `X^T dZ^{[1]}` fits only in rows, and is a shape error of the map.
   */
  readonly forwardFitsOnly = { columns: 0, rows: 0 };

  constructor(
    readonly L: number,
    lang: Lang,
    /** Examples in rows (X is m × n_x, Z = X W + b): every quantity of the map transposed. */
    readonly rows = false,
  ) {
    this.lang = lang;
    this.say = messages(lang);
    this.sizes = new DocSizes(L);
  }

  lineKey(loc: MathLocation): string {
    return `${loc.cell ?? 0}:${loc.line}`;
  }

  sideReport(s: ParsedSide): SideReport {
    return { ...locate(s.source, s.span, s.s), tex: tex(s), ...(s.skip ? { skipped: s.skip } : {}) };
  }

  finding(f: MathFinding): void {
    this.findings.push(f);
  }

  /**
   * An exercise's `…` after a term of the map (`dZ^{[2]} = \dots`): the term to write, said once, as
   * the code checker says it; elsewhere `…` is an ellipsis. Either way the side is not evaluated;
   * the rest of the chain is.
   */
  blanks(report: EquationReport, sides: ParsedSide[]): void {
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
}
