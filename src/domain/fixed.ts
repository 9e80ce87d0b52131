/**
 * Exact fixed-point decimals. Prices and quantities are decimal strings at the edges and bigint
 * units inside: a value v at scale s is the integer v × 10^s (ticks, lots, minor units).
 *
 * Invariants:
 * - No floating point anywhere: text is read digit by digit into a bigint, so
 *   "0.1" + "0.2" is exactly "0.3".
 * - Every operation is exact or rounds exactly once, in the caller's stated direction. An inexact
 *   result with no rounding given is an InvalidInputError, never a silent truncation. Trailing
 *   zeros are not "decimals": "50000.01000000" parses at scale 2, because venues pad that way.
 * - `formatDecimal` has one spelling per value (no exponent, no trailing zeros, no "-0"), so
 *   `parseDecimal(formatDecimal(u, s), s) === u` and `formatDecimal(parseDecimal(t, s), s)` is the
 *   canonical spelling of t.
 * - Rounding: "down" and "up" are toward −∞ and +∞ (floor and ceil), not toward/away from zero, so
 *   a rounded-down price is never above the input, whatever its sign. "half-even" and "half-up"
 *   round to the nearest; ties go to the even neighbour, or toward +∞ respectively.
 * - Text, exponents and scales are bounded (LIMIT) so hostile input cannot build a giant bigint.
 */

import { InvalidInputError } from "./errors.js";

/**
 * "down"/"up": toward −∞/+∞ (floor/ceil). "half-even": nearest, ties to the even neighbour.
 * "half-up": nearest, ties toward +∞ (so -0.125 → -0.12 at scale 2, like Math.round).
 */
export type Rounding = "down" | "up" | "half-even" | "half-up";

/** A tick or lot size: the value `step × 10^-scale`, with `step > 0`. */
export interface Increment {
  scale: number;
  step: bigint;
}

/** Bound on text length, |exponent| and scale. */
const LIMIT = 1000;

/*
 * The grammar of decimal text (parseExact reads it by hand): sign, integer digits, optional
 * fraction, optional exponent. Nothing else: no "+", no ".5". As a RegExp:
 * /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/
 */

/** value = mantissa × 10^exponent, exactly as written. */
interface Exact {
  mantissa: bigint;
  exponent: number;
}

/**
 * Decimal text → integer units at `scale`. More significant decimals than `scale` is an error
 * unless a rounding is given.
 *
 * @example
 * parseDecimal("123.45", 2); // 12345n
 * parseDecimal("1e-8", 8); // 1n
 * parseDecimal("0.125", 2, "half-even"); // 12n
 */
export function parseDecimal(text: string, scale: number, rounding?: Rounding): bigint {
  checkScale(scale);
  const { mantissa, exponent } = parseExact(text);
  const shift = exponent + scale;
  if (shift >= 0) return mantissa * pow10(shift);
  const units = divideOrUndefined(mantissa, pow10(-shift), rounding);
  if (units === undefined) {
    throw new InvalidInputError(`decimal ${JSON.stringify(text)} has more than ${scale} decimals`);
  }
  return units;
}

/**
 * Integer units at `scale` → canonical decimal text.
 *
 * @example
 * formatDecimal(12340n, 3); // "12.34"
 * formatDecimal(5n, 8); // "0.00000005"
 */
export function formatDecimal(units: bigint, scale: number): string {
  checkScale(scale);
  const sign = units < 0n ? "-" : "";
  const digits = (units < 0n ? -units : units).toString();
  if (scale === 0) return sign + digits;
  const padded = digits.padStart(scale + 1, "0");
  const whole = padded.slice(0, -scale);
  // Trailing zeros trimmed by index, not a regex: every order, fill and balance passes here.
  let end = padded.length;
  while (end > padded.length - scale && padded.charCodeAt(end - 1) === 48 /* "0" */) end--;
  const fraction = padded.slice(padded.length - scale, end);
  return fraction === "" ? sign + whole : `${sign}${whole}.${fraction}`;
}

/**
 * A tick or lot size from its decimal text, at the smallest scale that holds it exactly.
 *
 * @example
 * parseIncrement("0.01"); // { scale: 2, step: 1n }
 * parseIncrement("0.5"); // { scale: 1, step: 5n }
 * parseIncrement("5"); // { scale: 0, step: 5n }
 */
export function parseIncrement(text: string): Increment {
  let { mantissa, exponent } = parseExact(text);
  if (mantissa <= 0n) throw new InvalidInputError(`increment ${JSON.stringify(text)} must be > 0`);
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent += 1;
  }
  const scale = Math.max(0, -exponent);
  checkScale(scale);
  return { scale, step: mantissa * pow10(exponent + scale) };
}

/**
 * Decimal text → a whole number of steps (ticks or lots), rounded once from the exact value.
 *
 * @example
 * toSteps("101.5", parseIncrement("0.5")); // 203n
 * toSteps("0.014", parseIncrement("0.02"), "half-even"); // 1n
 */
export function toSteps(text: string, inc: Increment, rounding?: Rounding): bigint {
  checkIncrement(inc);
  const { mantissa, exponent } = parseExact(text);
  // steps = mantissa × 10^(exponent + scale) / step, kept as one fraction so it rounds once.
  const shift = exponent + inc.scale;
  const numerator = shift >= 0 ? mantissa * pow10(shift) : mantissa;
  const denominator = shift >= 0 ? inc.step : inc.step * pow10(-shift);
  const steps = divideOrUndefined(numerator, denominator, rounding);
  if (steps === undefined) {
    const size = formatDecimal(inc.step, inc.scale);
    throw new InvalidInputError(
      `${JSON.stringify(text)} is not a whole number of steps of ${size}`,
    );
  }
  return steps;
}

/**
 * A number of steps → canonical decimal text.
 *
 * @example
 * fromSteps(203n, parseIncrement("0.5")); // "101.5"
 */
export function fromSteps(steps: bigint, inc: Increment): string {
  checkIncrement(inc);
  return formatDecimal(steps * inc.step, inc.scale);
}

/**
 * Rounds units to a multiple of `step` (both at the same scale).
 *
 * @example
 * roundToStep(1234n, 5n, "down"); // 1230n
 * roundToStep(-1234n, 5n, "down"); // -1235n
 */
export function roundToStep(units: bigint, step: bigint, rounding: Rounding): bigint {
  if (step <= 0n) throw new InvalidInputError(`step ${step} must be > 0`);
  return divide(units, step, rounding) * step;
}

/**
 * `a × b / d`, computed exactly and rounded once: notional = price × qty, rescaled.
 *
 * @example
 * // price 101.25 (scale 2) × qty 0.003 (scale 3) → cost at scale 2
 * mulDiv(10125n, 3n, 1000n, "half-even"); // 30n, i.e. "0.3"
 */
export function mulDiv(a: bigint, b: bigint, d: bigint, rounding: Rounding): bigint {
  if (d === 0n) throw new InvalidInputError("mulDiv: division by zero");
  return d < 0n ? divide(-(a * b), -d, rounding) : divide(a * b, d, rounding);
}

/**
 * Units at one scale → units at another; going to fewer decimals needs a rounding unless exact.
 *
 * @example
 * rescale(12345n, 2, 4); // 1234500n
 * rescale(12345n, 2, 1, "down"); // 1234n
 */
export function rescale(
  units: bigint,
  fromScale: number,
  toScale: number,
  rounding?: Rounding,
): bigint {
  checkScale(fromScale);
  checkScale(toScale);
  if (toScale >= fromScale) return units * pow10(toScale - fromScale);
  const result = divideOrUndefined(units, pow10(fromScale - toScale), rounding);
  if (result === undefined) {
    const text = formatDecimal(units, fromScale);
    throw new InvalidInputError(`decimal "${text}" has more than ${toScale} decimals`);
  }
  return result;
}

/**
 * `part / whole` as a number, computed exactly and rounded half-even once to `decimals`: a ratio
 * of two money amounts (a return) for analytics, never a float division of money. 0 when `whole`
 * is not positive.
 *
 * @example
 * ratioOf(1n, 3n); // 0.33333333
 */
export function ratioOf(part: bigint, whole: bigint, decimals = 8): number {
  if (whole <= 0n) return 0;
  return Number(formatDecimal(mulDiv(part, 10n ** BigInt(decimals), whole, "half-even"), decimals));
}

function parseExact(text: string): Exact {
  if (typeof text !== "string") {
    throw new InvalidInputError(`decimal ${String(text)} is not a string`);
  }
  const n = text.length;
  if (n > LIMIT) {
    throw new InvalidInputError(`decimal "${text.slice(0, 20)}…" is longer than ${LIMIT} chars`);
  }
  // Read by hand, not by a RegExp: every price and amount of every order passes here. The
  // grammar is the one at the top of this file, and nothing else.
  const negative = n > 0 && text.charCodeAt(0) === MINUS;
  let i = negative ? 1 : 0;
  const wholeStart = i;
  i = digitsFrom(text, i);
  const wholeEnd = i;
  if (wholeEnd === wholeStart) invalidDecimal(text);
  let fractionStart = i;
  if (i < n && text.charCodeAt(i) === DOT) {
    fractionStart = i + 1;
    i = digitsFrom(text, fractionStart);
    if (i === fractionStart) invalidDecimal(text);
  }
  const fractionEnd = i;
  let written = 0;
  if (i < n) {
    const e = text.charCodeAt(i);
    if (e !== LOWER_E && e !== UPPER_E) invalidDecimal(text);
    const signed = i + 1;
    const c = signed < n ? text.charCodeAt(signed) : 0;
    const digits = c === PLUS || c === MINUS ? signed + 1 : signed;
    i = digitsFrom(text, digits);
    if (i === digits || i !== n) invalidDecimal(text);
    written = Number(text.slice(signed, n));
  }
  if (Math.abs(written) > LIMIT) {
    throw new InvalidInputError(`decimal ${JSON.stringify(text)}: exponent beyond ±${LIMIT}`);
  }
  const fractionLength = fractionEnd - fractionStart;
  const magnitude = magnitudeOf(text, wholeStart, wholeEnd, fractionStart, fractionEnd);
  return { mantissa: negative ? -magnitude : magnitude, exponent: written - fractionLength };
}

const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const LOWER_E = 101;
const UPPER_E = 69;
const ZERO = 48;
/** Digits a double holds exactly (2^53 > 10^15): shorter numbers are summed, not parsed as text. */
const EXACT_DIGITS = 15;

/** The index after the ASCII digits starting at `i`. */
function digitsFrom(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) break;
    i++;
  }
  return i;
}

/** The digits of [wholeStart, wholeEnd) then [fractionStart, fractionEnd), as one integer. */
function magnitudeOf(
  text: string,
  wholeStart: number,
  wholeEnd: number,
  fractionStart: number,
  fractionEnd: number,
): bigint {
  if (wholeEnd - wholeStart + fractionEnd - fractionStart > EXACT_DIGITS) {
    return BigInt(text.slice(wholeStart, wholeEnd) + text.slice(fractionStart, fractionEnd));
  }
  let value = 0;
  for (let k = wholeStart; k < wholeEnd; k++) value = value * 10 + (text.charCodeAt(k) - ZERO);
  for (let k = fractionStart; k < fractionEnd; k++) {
    value = value * 10 + (text.charCodeAt(k) - ZERO);
  }
  return BigInt(value);
}

function invalidDecimal(text: string): never {
  throw new InvalidInputError(
    `invalid decimal ${JSON.stringify(text)}: expected [-]digits[.digits][e[±]digits]`,
  );
}

/** n / d exactly, or rounded if a rounding is given; undefined when inexact and none is. */
function divideOrUndefined(n: bigint, d: bigint, rounding?: Rounding): bigint | undefined {
  if (rounding !== undefined) return divide(n, d, rounding);
  return n % d === 0n ? n / d : undefined;
}

/** n / d rounded once; d > 0. BigInt division truncates toward zero, so fix up by the remainder. */
function divide(n: bigint, d: bigint, rounding: Rounding): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const below = r < 0n ? q - 1n : q; // floor
  const above = below + 1n; // ceil
  switch (rounding) {
    case "down":
      return below;
    case "up":
      return above;
    case "half-even":
    case "half-up": {
      // Distance from `below`, doubled so the midpoint compares as an integer.
      const twice = 2n * (n - below * d);
      if (twice < d) return below;
      if (twice > d) return above;
      if (rounding === "half-up") return above;
      return below % 2n === 0n ? below : above;
    }
    default:
      throw new InvalidInputError(`unknown rounding ${JSON.stringify(rounding)}`);
  }
}

/** 10^0 … 10^(POW10.length - 1), built once: scales and shifts are almost always small. */
const POW10: readonly bigint[] = Array.from({ length: 41 }, (_, k) => 10n ** BigInt(k));

/**
 * 10^exponent as a bigint, for exponent >= 0: from a table for the small ones every order uses.
 *
 * @example
 * pow10(8); // 100000000n
 */
export function pow10(exponent: number): bigint {
  return exponent < POW10.length ? (POW10[exponent] as bigint) : 10n ** BigInt(exponent);
}

function checkScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > LIMIT) {
    throw new InvalidInputError(`scale ${scale} must be an integer in 0..${LIMIT}`);
  }
}

function checkIncrement(inc: Increment): void {
  checkScale(inc.scale);
  if (typeof inc.step !== "bigint" || inc.step <= 0n) {
    throw new InvalidInputError(`increment step ${String(inc.step)} must be a bigint > 0`);
  }
}
