/**
 * The time spellings config files use: instants (ISO 8601 with an explicit zone, so a run never
 * depends on the machine's time zone), candle timeframes ("1m", "4h") and durations ("90s", "1h").
 */

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2}))?$/;

const TIMEFRAME = /^([1-9]\d{0,3})([smhdw])$/;

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * An ISO 8601 instant → epoch ms, or undefined when it is not one. A date alone means midnight
 * UTC; a time needs `Z` or `±HH:MM`. Calendar dates are checked (no 30 February).
 *
 * @example
 * parseInstant("2024-01-01T00:00:00Z"); // 1704067200000
 * parseInstant("2024-01-01T01:00+01:00"); // 1704067200000
 * parseInstant("2024-01-01T00:00:00"); // undefined (no zone)
 */
export function parseInstant(text: string): number | undefined {
  const match = INSTANT.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "0", zone = "Z"] = match;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const [year, month, day, hour, minute, second] = fields;
  const local = Date.UTC(year, month, day, hour, minute, second, Number(fraction.padEnd(3, "0")));
  const check = new Date(local);
  const real =
    year >= 1970 &&
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month &&
    check.getUTCDate() === day &&
    check.getUTCHours() === hour &&
    check.getUTCMinutes() === minute &&
    check.getUTCSeconds() === second;
  if (!real) return undefined;
  if (zone === "Z") return local;
  const offsetHours = Number(zone.slice(1, 3));
  const offsetMinutes = Number(zone.slice(4, 6));
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const sign = zone.startsWith("-") ? -1 : 1;
  return local - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
}

/**
 * A timeframe like "1m", "15m", "4h", "1d" → its length in ms, or undefined. Months are not
 * offered: their length varies.
 *
 * @example
 * parseTimeframe("15m"); // 900000
 */
export function parseTimeframe(text: string): number | undefined {
  const match = TIMEFRAME.exec(text);
  if (match === null) return undefined;
  const [, count = "", unit = ""] = match;
  const unitMs = UNIT_MS[unit];
  return unitMs === undefined ? undefined : Number(count) * unitMs;
}

const DURATION = /^(\d{1,9})(ms|s|m|h|d|w)$/;

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, ...UNIT_MS };

/**
 * A duration like "500ms", "90s", "15m", "1h", "2d" or "1w" → ms, or undefined. One count and one
 * unit: "1h30m" is written "90m".
 *
 * @example
 * parseDuration("1h"); // 3600000
 * parseDuration("1.5h"); // undefined
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  const [, count = "", unit = ""] = match;
  const unitMs = DURATION_UNIT_MS[unit];
  return unitMs === undefined ? undefined : Number(count) * unitMs;
}
