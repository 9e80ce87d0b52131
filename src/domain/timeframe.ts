/** Candle timeframes as ccxt writes them ("1m", "15m", "4h", "1d", "1w") and their length. */
import { InvalidInputError } from "./errors.js";

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * A timeframe in milliseconds.
 *
 * @example
 * parseTimeframe("4h") // 14_400_000
 */
export function parseTimeframe(timeframe: string): number {
  const match = /^([1-9][0-9]*)([smhdw])$/.exec(timeframe);
  if (match === null) {
    throw new InvalidInputError(
      `timeframe ${JSON.stringify(timeframe)} is not valid: use e.g. 1m, 5m, 15m, 1h, 4h, 1d`,
    );
  }
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}
