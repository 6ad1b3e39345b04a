/**
 * The notes' loss of one example, L(ŷ, y) = −y·log(ŷ) − (1−y)·log(1−ŷ) with ŷ = σ(z), computed from
 * the logit z = Z^[L] as max(z, 0) − z·y + log(1 + e^−|z|): the same number, but exact and finite
 * where σ(z) rounds to 0 or 1. J is its mean (network.ts); the panel shows it per example as L.
 */
export function exampleLoss(z: number, y: number): number {
  return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
}
