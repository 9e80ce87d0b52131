/**
 * Exact integer arithmetic on doubles, for the mark's hot path (a BigInt operation allocates; a
 * double's does not).
 *
 * Rules:
 * - Every value here is an integer of magnitude ≤ Number.MAX_SAFE_INTEGER (2^53 − 1), which a
 *   double holds exactly; +, −, × of such integers are exact while the true result is in range.
 * - A function whose inputs or result would leave that range returns NaN, never a rounded value;
 *   the caller then computes with bigint (domain/fixed.ts), which gives the same value.
 * - `addDivHalfEven(base, n, d)` is base + n / d rounded half-even once (domain/fixed.ts's
 *   mulDiv(base × d + n, 1, d, "half-even") without forming base × d): the quotient of a double
 *   division is corrected with its exact remainder, so it is never off by one.
 */

const MAX = Number.MAX_SAFE_INTEGER;

/** a × b for safe integers when the product is safe, else NaN. */
export function safeMul(a: number, b: number): number {
  const p = a * b;
  // A product whose true value is ≤ MAX is exact; one above it rounds to ≥ 2^53 (rounding is
  // monotone and 2^53 is a double), so the test never passes a rounded product.
  return p <= MAX && p >= -MAX ? p : Number.NaN;
}

/** a + b for safe integers when the sum is safe, else NaN. */
export function safeAdd(a: number, b: number): number {
  const s = a + b;
  return s <= MAX && s >= -MAX ? s : Number.NaN;
}

/**
 * base + n / d rounded half-even, for safe integers base and n and a positive safe integer d;
 * NaN when any is not, or the result is not.
 */
export function addDivHalfEven(base: number, n: number, d: number): number {
  if (!(n <= MAX && n >= -MAX && d > 0 && d <= MAX) || Math.abs(n) > MAX - d) return Number.NaN;
  let q = Math.floor(n / d); // the true floor, or one off it
  let r = n - q * d; // |q × d| ≤ |n| + d ≤ MAX: exact
  if (r < 0) {
    q -= 1;
    r += d;
  } else if (r >= d) {
    q += 1;
    r -= d;
  }
  const k = safeAdd(base, q);
  const twice = 2 * r;
  const up = twice > d || (twice === d && k % 2 !== 0);
  return up ? safeAdd(k, 1) : k;
}

/** The median of three numbers. */
export function median3n(a: number, b: number, c: number): number {
  if (a > b) return b > c ? b : a > c ? c : a;
  return a > c ? a : b > c ? c : b;
}
