/**
 * The small, fast CSV reading shared by the candle and trade loaders. Market-data dumps are plain:
 * one record per line, comma-separated, no quoting, optional header, `\n` or `\r\n` endings. Fields
 * are located with indexOf and parsed straight from the text by char codes, so a line costs no
 * regex and no per-field string except on the rare slow path.
 */

import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { InvalidInputError } from "../../domain/errors.js";

const gunzipAsync = promisify(gunzip);

/**
 * Reads a text file, gunzipping it when its name ends in `.gz`. A path a person gave that cannot
 * be read (missing, a directory, not allowed) is their mistake, named as such.
 */
export async function readDataFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InvalidInputError(`no such file: ${path}`, { cause: err });
    if (code === "EISDIR") {
      throw new InvalidInputError(`${path} is a directory, not a data file`, { cause: err });
    }
    if (code === "EACCES" || code === "EPERM") {
      throw new InvalidInputError(`cannot read ${path}: permission denied`, { cause: err });
    }
    throw err;
  }
  if (!path.endsWith(".gz")) return bytes.toString("utf8");
  try {
    return (await gunzipAsync(bytes)).toString("utf8");
  } catch (err) {
    throw new InvalidInputError(`${path}: not a valid gzip file (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/** An InvalidInputError whose message starts `file:line: `. */
export function lineError(file: string, line: number, problem: string): InvalidInputError {
  return new InvalidInputError(`${file}:${line}: ${problem}`);
}

/** A field as it appears in an error message: quoted, and cut short if long. */
export function shown(text: string): string {
  return `'${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`;
}

/**
 * Walks the non-empty lines of a text. After `next()` returns true, [start, end) is the line
 * without its line ending and `lineNo` its 1-based number in the file.
 */
export class CsvLines {
  lineNo = 0;
  start = 0;
  end = 0;
  private pos: number;
  /** Field bounds of the current line: [start0, end0, start1, end1, …]. */
  readonly bounds: Int32Array;

  constructor(
    readonly text: string,
    maxFields: number,
  ) {
    this.pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.bounds = new Int32Array(2 * maxFields);
  }

  /** How many lines the text has at most (an upper bound on the rows, for allocation). */
  static countLines(text: string): number {
    let n = 1;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
    return n;
  }

  next(): boolean {
    const text = this.text;
    const length = text.length;
    while (this.pos < length) {
      let nl = text.indexOf("\n", this.pos);
      if (nl === -1) nl = length;
      let end = nl;
      if (end > this.pos && text.charCodeAt(end - 1) === 13) end--;
      this.lineNo++;
      const start = this.pos;
      this.pos = nl + 1;
      if (end > start) {
        this.start = start;
        this.end = end;
        return true;
      }
    }
    return false;
  }

  /**
   * Splits the current line at commas, recording the bounds of the first `bounds.length / 2`
   * fields, and returns how many fields the line has.
   */
  split(): number {
    const text = this.text;
    const end = this.end;
    const bounds = this.bounds;
    const max = bounds.length >> 1;
    let n = 0;
    let pos = this.start;
    for (;;) {
      let comma = text.indexOf(",", pos);
      if (comma === -1 || comma > end) comma = end;
      if (n < max) {
        bounds[2 * n] = pos;
        bounds[2 * n + 1] = comma;
      }
      n++;
      if (comma === end) return n;
      pos = comma + 1;
    }
  }

  /** The text of field k of the current line (after `split`). */
  field(k: number): string {
    return this.text.slice(this.bounds[2 * k]!, this.bounds[2 * k + 1]!);
  }

  /** Field k parsed as a decimal number (NaN if it is not one). */
  number(k: number): number {
    return parseDecimal(this.text, this.bounds[2 * k]!, this.bounds[2 * k + 1]!);
  }

  /**
   * The unit of the file's epoch numbers, or "iso" for ISO 8601 times; set by `detectUnit` from
   * the first data row. Undefined: the old rule (ms, µs above 1e14).
   */
  unit: TimeUnit | "iso" | undefined = undefined;

  /** Field k parsed as a time in epoch ms (NaN if it is not one). See parseTime. */
  time(k: number): number {
    const a = this.bounds[2 * k]!;
    const b = this.bounds[2 * k + 1]!;
    const unit = this.unit;
    if (unit === undefined) return parseTime(this.text, a, b);
    if (b - a >= 5 && this.text.charCodeAt(a + 4) === 45) return parseIsoTime(this.text, a, b);
    if (unit === "iso") return Number.NaN;
    return epochToMs(parseDecimal(this.text, a, b), unit);
  }

  /**
   * Sets `unit` from field k of the current line (the first data row): ISO 8601, or the one unit
   * (s, ms, µs, ns) in which the number is a time in 2009–2100. Those windows do not overlap, so
   * a number fits one unit or none; none is refused here, naming what the number would be in each.
   */
  detectUnit(k: number, file: string, column: string): TimeUnit | "iso" {
    const a = this.bounds[2 * k]!;
    const b = this.bounds[2 * k + 1]!;
    if (b - a >= 5 && this.text.charCodeAt(a + 4) === 45) {
      this.unit = "iso";
      return "iso";
    }
    const n = parseDecimal(this.text, a, b);
    const unit = Number.isFinite(n) ? epochUnit(n) : undefined;
    if (unit === undefined) {
      if (!Number.isFinite(n)) {
        throw lineError(
          file,
          this.lineNo,
          `column '${column}': expected an epoch time (s, ms, µs or ns) or an ISO 8601 time ` +
            `with a UTC offset, got ${shown(this.field(k))}`,
        );
      }
      throw lineError(file, this.lineNo, unitProblem(column, this.field(k), n));
    }
    this.unit = unit;
    return unit;
  }

  /**
   * Undefined if `ms` (read from field k in the detected unit) lies in 2009–2100, else why not:
   * a file whose rows mix units, or a stray row, is refused at that row rather than misread.
   */
  timeRangeProblem(ms: number, k: number, column: string, unitLine: number): string | undefined {
    if (this.unit === undefined || this.unit === "iso") return undefined;
    if (ms >= PLAUSIBLE_FROM && ms < PLAUSIBLE_TO) return undefined;
    return (
      `column '${column}': ${shown(this.field(k))} read in ${UNIT_NAMES[this.unit]} (the unit of ` +
      `line ${unitLine}) is ${isoOrNumber(ms)}, outside 2009–2100; the file mixes time units or ` +
      `this row is wrong`
    );
  }

  /** The current line's fields, trimmed and lower-cased: a header. */
  headerNames(count: number): string[] {
    const names: string[] = [];
    for (let k = 0; k < Math.min(count, this.bounds.length >> 1); k++) {
      names.push(this.field(k).trim().toLowerCase());
    }
    return names;
  }
}

/** 10^0 … 10^22: the powers of ten a double holds exactly. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_EXACT = 2 ** 53;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * text[a, b) as a decimal number: `[+-]digits[.digits][e[+-]digits]`, nothing else (no spaces,
 * hex, Infinity). NaN if it is not one. The result equals Number(): a mantissa below 2^53 divided
 * by an exact power of ten is one correctly rounded operation; anything longer goes through Number.
 */
export function parseDecimal(text: string, a: number, b: number): number {
  let i = a;
  let c = text.charCodeAt(i);
  const negative = c === 45;
  if (negative || c === 43) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  for (; i < b; i++) {
    c = text.charCodeAt(i);
    if (!isDigit(c)) break;
    mantissa = mantissa * 10 + (c - 48);
    digits++;
  }
  if (i < b && c === 46) {
    for (i++; i < b; i++) {
      c = text.charCodeAt(i);
      if (!isDigit(c)) break;
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      fraction++;
    }
  }
  if (digits === 0) return Number.NaN;
  if (i < b) {
    if (c !== 101 && c !== 69) return Number.NaN;
    let j = i + 1;
    const sign = text.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (j >= b) return Number.NaN;
    for (; j < b; j++) if (!isDigit(text.charCodeAt(j))) return Number.NaN;
    return Number(text.slice(a, b));
  }
  if (mantissa > MAX_EXACT || fraction > 22) return Number(text.slice(a, b));
  const value = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
  return negative ? -value : value;
}

/** The units an epoch number can be in. */
export type TimeUnit = "s" | "ms" | "µs" | "ns";
export const TIME_UNITS: readonly TimeUnit[] = ["s", "ms", "µs", "ns"];
export const UNIT_NAMES: Record<TimeUnit | "iso", string> = {
  s: "seconds",
  ms: "milliseconds",
  µs: "microseconds",
  ns: "nanoseconds",
  iso: "ISO 8601",
};

/** Epoch times a market-data file can plausibly hold: 2009-01-01 (Bitcoin) to 2100-01-01. */
export const PLAUSIBLE_FROM = Date.UTC(2009, 0, 1);
export const PLAUSIBLE_TO = Date.UTC(2100, 0, 1);

/** An epoch number in `unit` as ms (by division, so µs round once). */
export function epochToMs(n: number, unit: TimeUnit): number {
  if (unit === "s") return n * 1000;
  if (unit === "ms") return n;
  if (unit === "µs") return n / 1000;
  // Past 2^53 a double is ns to within 512: round to the µs, then to ms with one division.
  return Math.round(n / 1000) / 1000;
}

/**
 * The unit in which `n` is a time in 2009–2100, if any. The four windows are 1000× apart and each
 * spans less than 4×, so at most one fits: the unit is never a guess.
 */
export function epochUnit(n: number): TimeUnit | undefined {
  for (const unit of TIME_UNITS) {
    const ms = epochToMs(n, unit);
    if (ms >= PLAUSIBLE_FROM && ms < PLAUSIBLE_TO) return unit;
  }
  return undefined;
}

function isoOrNumber(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15
    ? new Date(ms).toISOString().replace(".000Z", "Z")
    : String(ms);
}

/** Why `n` is no epoch time: what it would be in each unit. */
export function unitProblem(column: string, text: string, n: number): string {
  const readings = TIME_UNITS.map((unit) => `${unit} ${isoOrNumber(epochToMs(n, unit))}`);
  return (
    `column '${column}': ${shown(text)} is no epoch time in 2009–2100 in any unit ` +
    `(${readings.join(", ")})`
  );
}

/** Above this an epoch number is in microseconds (1e14 ms is the year 5138; 1e14 µs is 1973). */
export const MICROS_THRESHOLD = 1e14;

/**
 * text[a, b) as epoch ms, NaN if it is not a time. Accepts an epoch number in ms, or in µs when
 * above 1e14 (Binance's 2025+ spot dumps), or ISO 8601 `YYYY-MM-DD[T ]hh:mm[:ss[.fff…]]` followed
 * by `Z` or a `±hh[:mm]` offset. An ISO time without an offset is refused: it would be a guess.
 */
export function parseTime(text: string, a: number, b: number): number {
  if (b - a >= 5 && text.charCodeAt(a + 4) === 45) return parseIsoTime(text, a, b);
  const n = parseDecimal(text, a, b);
  return n > MICROS_THRESHOLD ? n / 1000 : n;
}

/** Reads `width` digits at text[i]; -1 if any is not a digit. */
function digitsAt(text: string, i: number, width: number): number {
  let v = 0;
  for (let k = 0; k < width; k++) {
    const c = text.charCodeAt(i + k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export function parseIsoTime(text: string, a: number, b: number): number {
  const y = digitsAt(text, a, 4);
  const mo = digitsAt(text, a + 5, 2);
  const d = digitsAt(text, a + 8, 2);
  const sep = text.charCodeAt(a + 10);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || text.charCodeAt(a + 7) !== 45) return Number.NaN;
  if (d > daysInMonth(y, mo) || (sep !== 84 && sep !== 32) || b - a < 16) return Number.NaN;
  const h = digitsAt(text, a + 11, 2);
  const mi = digitsAt(text, a + 14, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || text.charCodeAt(a + 13) !== 58) return Number.NaN;
  let i = a + 16;
  let ms = 0;
  if (text.charCodeAt(i) === 58 && i + 3 <= b) {
    const s = digitsAt(text, i + 1, 2);
    if (s < 0 || s > 59) return Number.NaN;
    ms = s * 1000;
    i += 3;
    if (text.charCodeAt(i) === 46) {
      let scale = 100;
      const first = ++i;
      for (; i < b && isDigit(text.charCodeAt(i)); i++) {
        ms += (text.charCodeAt(i) - 48) * scale;
        scale /= 10;
      }
      if (i === first) return Number.NaN;
    }
  }
  if (i >= b) return Number.NaN;
  let offsetMin = 0;
  const z = text.charCodeAt(i);
  if (z === 90 && i + 1 === b) {
    // Z: UTC
  } else if (z === 43 || z === 45) {
    const oh = digitsAt(text, i + 1, 2);
    let om = 0;
    if (b === i + 6 && text.charCodeAt(i + 3) === 58) om = digitsAt(text, i + 4, 2);
    else if (b === i + 5) om = digitsAt(text, i + 3, 2);
    else if (b !== i + 3) return Number.NaN;
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN;
    offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
  } else {
    return Number.NaN;
  }
  return daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + (mi - offsetMin) * 60_000 + ms;
}
