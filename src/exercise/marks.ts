/**
 * The checker's result for an exercise file as marks on the map's terms. A gradient is right or
 * wrong as the checker found it; a term left as `...` is missing; an intermediate is right once what
 * is computed from it is (dZ^[l] when dW^[l] and db^[l] are, a hidden dA^[l] when dZ^[l] is); a term whose
 * state the check does not show gets no mark.
 */
import type { CheckResult } from '../checker/types';

/** How the derivation checker found one term of the map in the learner's exercise file. */
export interface ExerciseMark {
  /** The map term's id: `dZ2`, `dW1`, `dA1`. */
  term: string;
  status: 'right' | 'wrong' | 'missing';
  /** The line of the term, when known (in a notebook, the line within its cell). */
  line: number | null;
}

export function exerciseMarks(result: CheckResult): ExerciseMark[] {
  const marks = new Map<string, ExerciseMark>();
  for (const r of result.reports) {
    if (r.code === 'not-written' && r.term) marks.set(r.term, { term: r.term, status: 'missing', line: r.line });
  }
  const right = (term: string): boolean => marks.get(term)?.status === 'right';
  for (const g of result.gradients) {
    if (marks.has(g.name)) continue;
    if (g.status === 'ok') marks.set(g.name, { term: g.name, status: 'right', line: g.line });
    else if (g.status === 'value' || g.status === 'shape') marks.set(g.name, { term: g.name, status: 'wrong', line: g.line });
  }
  const layers = result.gradients.filter((g) => g.name.startsWith('dW')).length;
  const lineOf = (name: string): number | null => result.traces.find((x) => x.name === name)?.line ?? null;
  for (let l = layers; l >= 1; l--) {
    if (!marks.has(`dZ${l}`) && right(`dW${l}`) && right(`db${l}`)) marks.set(`dZ${l}`, { term: `dZ${l}`, status: 'right', line: lineOf(`dZ${l}`) });
    // dA of the output layer is not a line of the exercise: dZ^[L] = A^[L] − Y is written directly.
    if (l < layers && !marks.has(`dA${l}`) && right(`dZ${l}`)) marks.set(`dA${l}`, { term: `dA${l}`, status: 'right', line: lineOf(`dA${l}`) });
  }
  return [...marks.values()];
}
