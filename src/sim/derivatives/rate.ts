/**
 * Rates (maintenance margin ratios, funding rates, premium indexes) as exact fixed-point bigints.
 *
 * A rate r is held as the integer r × 10^RATE_SCALE, so 0.4 % ("0.004") is 4_000_000_000n. Twelve
 * decimals hold every rate a venue publishes (Binance gives at most eight) with room to spare, so
 * parsing a published rate never rounds: more than RATE_SCALE decimals is an InvalidInputError.
 * Values computed from rates (an average premium, a scaled funding rate) round once, half-even,
 * to RATE_SCALE, and each caller says so where it happens.
 */
import { InvalidInputError } from "../../domain/errors.js";
import { formatDecimal, parseDecimal } from "../../domain/fixed.js";

export const RATE_SCALE = 12;
/** The rate 1 (100 %). */
export const RATE_ONE = 10n ** BigInt(RATE_SCALE);

/** A rate's decimal text → its fixed-point units; `what` names the field in the error. */
export function parseRate(text: string, what: string): bigint {
  try {
    return parseDecimal(text, RATE_SCALE);
  } catch (cause) {
    throw new InvalidInputError(`${what}: ${JSON.stringify(text)} is not a rate`, { cause });
  }
}

export function formatRate(units: bigint): string {
  return formatDecimal(units, RATE_SCALE);
}

export function clamp(value: bigint, low: bigint, high: bigint): bigint {
  if (low > high) throw new InvalidInputError(`clamp: low ${low} is above high ${high}`);
  return value < low ? low : value > high ? high : value;
}

export function minOf(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** The middle value of three: exact, no rounding. */
export function median3(a: bigint, b: bigint, c: bigint): bigint {
  return maxOf(minOf(a, b), minOf(maxOf(a, b), c));
}

/**
 * The median of a list. With an even count it is the mean of the two middle values, which may not
 * be whole: it rounds half-even, the only rounding here.
 */
export function median(values: readonly bigint[]): bigint {
  if (values.length === 0) throw new InvalidInputError("median of no values");
  const sorted = [...values].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid]!;
  const twice = sorted[mid - 1]! + sorted[mid]!;
  const half = twice / 2n;
  const rest = twice - half * 2n; // 0, or ±1 when the two middle values differ in parity
  if (rest === 0n) return half;
  // twice is odd: the exact mean is half + rest/2 (BigInt division truncates toward zero).
  const below = rest > 0n ? half : half - 1n;
  return below % 2n === 0n ? below : below + 1n;
}
