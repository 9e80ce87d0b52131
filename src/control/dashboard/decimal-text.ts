/**
 * Decimal text, exactly, for the dashboard: money, amounts and ticker prices arrive as decimal
 * strings and stay strings until they are drawn.
 *
 * Invariants:
 * - No float anywhere: a value is read into a bigint by fixed.ts and rounded once, half-even, to
 *   the digits shown, so "123456789012345.678901234" shows as "123,456,789,012,345.68".
 * - Anything that is not decimal text (a number, "NaN", "", "1,5") has no Exact value, so it
 *   can only ever be drawn as the missing placeholder, never as "NaN".
 * - A value that rounds to zero has no sign: never "-0.00".
 */
import { formatDecimal, parseDecimal, parseIncrement, rescale } from "../../domain/fixed.js";

/** The value `units × 10^-scale`, at the smallest scale that holds it. */
export interface Exact {
  units: bigint;
  scale: number;
}

/**
 * The exact value of decimal text; undefined for anything else.
 *
 * @example
 * exactDecimal("-0.0500"); // { units: -5n, scale: 2 }
 * exactDecimal(0.05); // undefined: a number is not decimal text
 */
export function exactDecimal(text: unknown): Exact | undefined {
  if (typeof text !== "string") return undefined;
  try {
    parseDecimal(text, 0, "down"); // throws unless `text` is decimal text
    const negative = text.startsWith("-");
    const magnitude = negative ? text.slice(1) : text;
    if (parseDecimal(magnitude, 0, "up") === 0n) return { units: 0n, scale: 0 };
    const { scale, step } = parseIncrement(magnitude);
    return { units: negative ? -step : step, scale };
  } catch {
    return undefined;
  }
}

/**
 * `value` when it is decimal text, as sent (the feed's check at the edge); else undefined.
 *
 * @example
 * decimalText("10000.5"); // "10000.5"
 * decimalText(10000.5); // undefined
 */
export function decimalText(value: unknown): string | undefined {
  return exactDecimal(value) === undefined ? undefined : (value as string);
}

/**
 * `a − b` exactly, as canonical decimal text; undefined unless both are decimal text.
 *
 * @example
 * differenceText("20001.5", "20000.25"); // "1.25"
 */
export function differenceText(a: unknown, b: unknown): string | undefined {
  const x = exactDecimal(a);
  const y = exactDecimal(b);
  if (x === undefined || y === undefined) return undefined;
  const scale = Math.max(x.scale, y.scale);
  return formatDecimal(rescale(x.units, x.scale, scale) - rescale(y.units, y.scale, scale), scale);
}

/** ⌊log10 |x|⌋, the power of ten of the first significant digit; undefined for zero. */
export function magnitude(x: Exact): number | undefined {
  if (x.units === 0n) return undefined;
  const digits = (x.units < 0n ? -x.units : x.units).toString().length;
  return digits - 1 - x.scale;
}

/**
 * `x / 10^shift` rounded half-even to exactly `decimals` places, with thousands separators.
 *
 * @example
 * roundedText(exactDecimal("1234.565")!, 2); // "1,234.56"
 * roundedText(exactDecimal("1234567")!, 2, 6); // "1.23"
 */
export function roundedText(x: Exact, decimals: number, shift = 0): string {
  const units = rescale(x.units, x.scale + shift, decimals, "half-even");
  const digits = (units < 0n ? -units : units).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = decimals > 0 ? `.${digits.slice(digits.length - decimals)}` : "";
  return `${units < 0n ? "-" : ""}${thousands(whole)}${fraction}`;
}

/** "1234567" → "1,234,567" (a loop, not a regex: the text may be hundreds of digits long). */
function thousands(whole: string): string {
  let out = whole.slice(0, ((whole.length - 1) % 3) + 1);
  for (let i = out.length; i < whole.length; i += 3) out += `,${whole.slice(i, i + 3)}`;
  return out;
}
