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
 *
 * Here: reading a text's statements, choosing each one's world, and assembling the result (each
 * equation's verdict from its steps', the summary). The worlds are scalarChain.ts, mapChain.ts and
 * shapeClaims.ts; what a statement is about, about.ts; what a document carries along, document.ts.
 */
import { type Node, NotUnderstood, type SkipKind } from './ast';
import { isMapWorld, matrixOperands, quantityOf, walk } from './about';
import { DocumentState } from './document';
import { work } from './evaluate';
import { type Token, tokenize } from './lexer';
import { locate, type ParsedSide, skipOf, type SourceCtx, tex } from './located';
import { mapChain } from './mapChain';
import { LineIndex, type MathSpan, mathSpans } from './markdown';
import { type Lang, messages } from './messages';
import { MAX_LAYERS } from './network';
import { parseSide } from './parse';
import { scalarChain } from './scalarChain';
import { claimWithoutEquation, shapeChain } from './shapeClaims';
import { isShapeSide } from './shapes';
import { type Statement, statements } from './statements';
import type { EquationReport, EquationVerdict, MathResult, MathSummary, RelationVerdict } from './types';

/** A Markdown text to check: a file's, or one notebook cell's (`cell` 1-based among all cells). */
export interface MathSource {
  text: string;
  cell?: number;
}

export interface MathOptions {
  lang?: Lang;
  file?: string;
}

class Checker extends DocumentState {
  /** The last side of the chain before: a display that starts with `=` goes on from it. */
  private last: ParsedSide | null = null;

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
      if (side.node && !q && isShapeSide(side.node)) claimWithoutEquation(this, side, loc);
      this.prev = { line: this.lineKey(loc), quantity: q ? { ...q, tex: tex(side) } : null, operands: null };
      return;
    }
    // A display that starts with `=` goes on from the chain before; inline, `$= …$` follows words or
    // code outside the math (`dAL` $= \frac{∂L}{∂A^{[L]}}$): its left side is not written there.
    const goesOn = st.continues && span.display && this.last !== null;
    const sides: ParsedSide[] = st.sides.map((s, i) => (i === 0 && goesOn ? this.last! : this.parse(src, span, s)));
    if (st.continues && !goesOn) sides[0] = { ...sides[0]!, skip: { kind: 'incomplete', detail: '=' } };
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
      shapeChain(this, report, sides);
    } else if (isMapWorld(w)) {
      report.world = 'map';
      mapChain(this, report, sides, w, loc);
    } else {
      scalarChain(this, report, sides, rels.map((r) => r.op), w);
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
    return { equations: this.equations.length, checked, wrong, definitions, skipped, relations, skippedKinds, ...(this.rows ? { examples: 'rows' as const } : {}) };
  }
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
  const lang = options.lang ?? 'en';
  const read = (rows: boolean): Checker => {
    work.left = MAX_MATH_WORK;
    const checker = new Checker(depthOf(sources.map((s) => s.text)), lang, rows);
    for (const s of sources) checker.run({ lines: new LineIndex(s.text), ...(s.cell !== undefined ? { cell: s.cell } : {}) }, s.text);
    return checker;
  };
  let checker: Checker;
  const size = sources.reduce((n, s) => n + s.text.length, 0);
  if (size > MAX_MATH_CHARS) {
    checker = new Checker(2, lang);
    const at = { line: 1, column: 1, endLine: 1, endColumn: 1, ...(sources[0]?.cell !== undefined ? { cell: sources[0].cell } : {}) };
    checker.findings.push({ ...at, severity: 'info', code: 'too-large', message: messages(lang)('tooLarge', { chars: (size / 1e6).toFixed(1), max: MAX_MATH_CHARS / 1e6 }), related: [] });
  } else {
    // In the notes' convention (examples in columns), unless the document's forward run is written
    // with examples in rows (CS231n's Z = X W + b): then it is read so, not found wrong.
    checker = read(false);
    if (checker.forwardFitsOnly.rows > checker.forwardFitsOnly.columns) checker = read(true);
  }
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
