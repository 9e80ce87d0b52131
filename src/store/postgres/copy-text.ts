/**
 * Rows as PostgreSQL's COPY text format: one line per row, fields separated by tabs, `\N` for
 * NULL, and backslash, tab, newline and carriage return escaped, so any text (JSON included)
 * arrives byte for byte.
 */

export type CopyField = string | number | bigint | null;

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const TO_ESCAPE = /[\\\t\n\r]/g;

function escapeField(field: CopyField): string {
  if (field === null) return "\\N";
  // A number's or bigint's text holds none of the escaped characters.
  if (typeof field !== "string") return String(field);
  return NEEDS_ESCAPE.test(field) ? field.replace(TO_ESCAPE, (c) => ESCAPES[c]!) : field;
}

export function copyLine(fields: readonly CopyField[]): string {
  let line = escapeField(fields[0] ?? null);
  for (let i = 1; i < fields.length; i++) line += `\t${escapeField(fields[i]!)}`;
  return `${line}\n`;
}

const MINUTE_MS = 60_000;
const MAX_TIME_MS = 8.64e15;
/** The last minute formatted: a recorder's rows come in time order, so most share it. */
let cachedMinute = Number.NaN;
let cachedPrefix = "";

/**
 * Epoch ms as an exact timestamptz literal, `Date.prototype.toISOString`'s text. The minute's
 * prefix is formatted once and reused: formatting a Date per row was a recorder batch's largest
 * cost in the client.
 */
export function isoTime(ms: number): string {
  // Fractions, NaN and times beyond Date's range: Date's own answer (truncation, or RangeError).
  if (!Number.isInteger(ms) || Math.abs(ms) > MAX_TIME_MS) return new Date(ms).toISOString();
  const minute = Math.floor(ms / MINUTE_MS);
  if (minute !== cachedMinute) {
    const full = new Date(minute * MINUTE_MS).toISOString(); // …THH:MM:00.000Z
    cachedPrefix = full.slice(0, -7);
    cachedMinute = minute;
  }
  const inMinute = ms - minute * MINUTE_MS;
  const seconds = Math.floor(inMinute / 1000);
  const millis = inMinute - seconds * 1000;
  return `${cachedPrefix}${seconds < 10 ? "0" : ""}${seconds}.${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}Z`;
}
