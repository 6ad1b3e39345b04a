/**
 * Why two sides differ, said only on evidence: a constant ratio (a sign, m for a missing 1/m, 1/m
 * for one too many, another factor), a reciprocal, a missing ReLU mask, a transpose, np.sum's
 * axis and keepdims.
 */
import { formatNumber, type Lang, type Say } from './messages';
import type { Net } from './network';
import { symbolicShape } from './network';
import * as V from './values';
import type { Value } from './values';

export interface Hint {
  code: string;
  text: string;
}

export function close(a: Value, b: Value, rtol = 1e-7): boolean {
  if (!V.sameShape(a.shape, b.shape) || a.data.length !== b.data.length) return false;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!, y = b.data[i]!;
    if (x === y) continue;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
    diff = Math.max(diff, Math.abs(x - y));
    scale = Math.max(scale, Math.abs(x), Math.abs(y));
  }
  return diff <= rtol * scale + 1e-12;
}

/** The one ratio right/left shared by all values (pairs of scalars or entries), else null. */
export function constantRatio(pairs: [number, number][]): number | null {
  const scale = Math.max(...pairs.map(([l]) => Math.abs(l)));
  const ratios = pairs.filter(([l]) => Math.abs(l) > 1e-9 * scale).map(([l, r]) => r / l);
  if (ratios.length === 0 || scale === 0) return null;
  const k = ratios[0]!;
  if (!Number.isFinite(k) || k === 0) return null;
  // Entries where the left is 0 must stay 0 on the right.
  if (pairs.some(([l, r]) => Math.abs(l) <= 1e-9 * scale && Math.abs(r) > 1e-7 * Math.abs(k) * scale)) return null;
  return ratios.every((x) => Math.abs(x - k) <= 1e-6 * Math.abs(k)) ? k : null;
}

/** 3, 1/2, −2/3, or 0.1234. */
export function formatFactor(k: number, lang: Lang): string {
  for (let q = 1; q <= 16; q++) {
    const p = Math.round(k * q);
    if (p !== 0 && Math.abs(k * q - p) < 1e-6 * q) return (q === 1 ? String(p) : `${p}/${q}`).replace(/^-/, '−');
  }
  return formatNumber(k, lang);
}

function pairsOf(a: Value, b: Value): [number, number][] {
  return Array.from(a.data, (x, i) => [x, b.data[i]!] as [number, number]);
}

/** Scalar steps: sign, constant factor, reciprocal, from the values at the test points. */
export function scalarHint(points: [Value, Value][], say: Say, lang: Lang): Hint | null {
  const pairs = points.flatMap(([l, r]) => (l.data.length === r.data.length ? pairsOf(l, r) : []));
  if (pairs.length < 2) return null;
  const k = constantRatio(pairs);
  if (k !== null) {
    if (Math.abs(k + 1) < 1e-6) return { code: 'sign-flipped', text: say('hintSign') };
    return { code: 'constant-factor', text: say('hintFactor', { k: formatFactor(k, lang) }) };
  }
  if (pairs.every(([l, r]) => Math.abs(l * r - 1) < 1e-6)) return { code: 'reciprocal', text: say('hintReciprocal') };
  return null;
}

/** Map steps on one network: the side before is what the map says, the side after is what is written. */
export function mapHint(left: Value, right: Value, net: Net, say: Say, lang: Lang): Hint | null {
  const ls = left.shape;
  const rs = right.shape;
  if (V.sameShape(ls, rs) && left.data.length === right.data.length) {
    const k = constantRatio(pairsOf(left, right));
    if (k !== null) {
      if (Math.abs(k - net.m) < 1e-6 * net.m && net.m > 1) return { code: 'missing-1-over-m', text: say('hintMissingM', { m: net.m }) };
      if (Math.abs(k - 1 / net.m) < 1e-6 / net.m && net.m > 1) return { code: 'extra-1-over-m', text: say('hintExtraM') };
      if (Math.abs(k + 1) < 1e-6) return { code: 'sign-flipped', text: say('hintSign') };
      return { code: 'constant-factor', text: say('hintFactor', { k: formatFactor(k, lang) }) };
    }
    for (let l = 1; l < net.L; l++) {
      const Z = net.Z[l - 1]!;
      if (!V.sameShape(Z.shape, ls) || net.hidden[l - 1] !== 'relu') continue;
      const mask = V.map(Z, (z) => (z > 0 ? 1 : 0));
      if (close(V.times(right, mask), left)) return { code: 'missing-mask', text: say('hintMaskMissing', { k: l }) };
      if (close(V.times(left, mask), right)) return { code: 'extra-mask', text: say('hintMaskExtra', { k: l }) };
    }
    return null;
  }
  if (ls.length === 2 && rs.length === 2 && ls[0] === rs[1] && ls[1] === rs[0] && close(V.transpose(right), left)) return { code: 'transposed-product', text: say('hintTransposed') };
  if (ls.length === 2 && ls[1] === 1 && rs.length === 1 && rs[0] === ls[0]) {
    return { code: 'missing-keepdims', text: say('hintKeepdims', { short: symbolicShape(net, rs), long: symbolicShape(net, ls) }) };
  }
  if (ls.length === 2 && ls[1] === 1 && ls[0]! > 1 && ((rs.length === 2 && rs[0] === 1 && rs[1] === net.m) || (rs.length === 1 && rs[0] === net.m))) return { code: 'wrong-axis', text: say('hintAxis0') };
  if (ls.length === 2 && ls[1] === 1 && ls[0]! > 1 && right.data.length === 1) return { code: 'missing-sum-axis', text: say('hintSumAll') };
  return null;
}
