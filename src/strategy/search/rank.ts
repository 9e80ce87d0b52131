/**
 * Ranking results by an objective, and Spearman's rank correlation (to compare two rankings, e.g.
 * the fast path's against the full simulator's).
 */

/** Ranks (1 = smallest) with ties sharing their average rank. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]![1]] = rank;
    i = j + 1;
  }
  return out;
}

/** Spearman's ρ: the Pearson correlation of the two rank vectors (ties averaged). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) return Number.NaN;
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const mean = (n + 1) / 2;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = ra[i]! - mean;
    const db = rb[i]! - mean;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return va === 0 || vb === 0 ? Number.NaN : cov / Math.sqrt(va * vb);
}

/** Indices of `scores` from best to worst (higher is better; NaN last), stable. */
export function bestFirst(scores: readonly number[]): number[] {
  return scores
    .map((s, i) => [Number.isNaN(s) ? Number.NEGATIVE_INFINITY : s, i] as const)
    .sort((x, y) => y[0] - x[0] || x[1] - y[1])
    .map(([, i]) => i);
}
