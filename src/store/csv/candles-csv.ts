/**
 * Candle CSV files, in the shapes crypy meets, detected from the first line:
 *
 * - 6 columns `open_time,open,high,low,close,volume` (the recorded files under /work/shared/data),
 *   with or without a header;
 * - 12 columns, Binance's kline dump (data.binance.vision): `open_time, open, high, low, close,
 *   volume, close_time, quote_volume, count, taker_buy_base, taker_buy_quote, ignore`, with or
 *   without a header; only the first seven are read;
 * - 7 columns without a header, Kraken's OHLCVT export: `time,open,high,low,close,volume,trades`;
 * - any other headed file naming a time column (`open_time`, `timestamp`, `unix`, `time`,
 *   `datetime` or `date`, in that preference) and `open, high, low, close, volume` in any order and
 *   case (`volume` may be `Volume BTC`, the base volume, as in Bitstamp's minute data); a first
 *   line that is only a URL (CryptoDataDownload's files) is skipped.
 *
 * Times are ISO 8601 with a UTC offset or epoch numbers whose unit (s, ms, µs or ns) is detected
 * from the first row: the one unit in which it is a time in 2009–2100 (see csv.ts). Rows must be
 * strictly increasing or, as in Bitstamp's files, strictly decreasing (then reversed). Minutes
 * without trades are simply absent: gaps are kept as gaps, never filled.
 *
 * The interval is, in order: `options.intervalMs`; the first kline's close_time − open_time + 1
 * unit; the most common difference between consecutive open times (ties: the smallest).
 *
 * Every error is one line: `file:line: column 'name': what was wrong`.
 */

import { InvalidInputError } from "../../domain/errors.js";
import {
  type CandleColumns,
  CandleSeries,
  candleProblem,
  emptyColumns,
  timeProblem,
  truncateColumns,
} from "../candle-series.js";
import { CsvLines, epochToMs, lineError, readDataFile, shown, type TimeUnit } from "./csv.js";

export interface CandlesCsvOptions {
  /** Used in error messages. */
  file: string;
  /** The candle interval; inferred when absent (see the module header). */
  intervalMs?: number;
}

const COLUMNS = ["open_time", "open", "high", "low", "close", "volume", "close_time"] as const;
const SIMPLE_COLUMNS = 6;
const KLINE_COLUMNS = 12;
const KRAKEN_COLUMNS = 7;
/** Accepted spellings of the time column, in order of preference. */
const TIME_ALIASES = ["open_time", "timestamp", "unix", "time", "datetime", "date", "open time"];

/** Where a file keeps its columns. */
export interface CandleLayout {
  /** For messages: "Binance kline", "Kraken OHLCVT", "headed candle CSV", … */
  name: string;
  header: boolean;
  width: number;
  /** Field indexes of time, open, high, low, close, volume. */
  fields: readonly [number, number, number, number, number, number];
  /** The kline dump's close_time field. */
  closeTime?: number;
}

/** Candle rows as read, before any interval is decided. */
export interface CandleRows {
  candles: CandleColumns;
  /** The file line of each row (after a newest-first file is reversed). */
  lineOf: Uint32Array;
  /** The kline dump's interval from its first row's close_time, NaN otherwise. */
  klineIntervalMs: number;
  unit: TimeUnit | "iso";
  layout: CandleLayout;
  /** True when the file listed its rows newest first. */
  reversed: boolean;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A header's layout: the fixed 6/12-column names, or named columns in any order. */
function headedLayout(file: string, line: number, names: string[], columns: number): CandleLayout {
  const fixed = columns === KLINE_COLUMNS ? 7 : 6;
  const positional =
    (columns === SIMPLE_COLUMNS || columns === KLINE_COLUMNS) &&
    TIME_ALIASES.includes(names[0]!) &&
    names[1] === "open";
  if (positional) {
    for (let k = 1; k < fixed; k++) {
      if (names[k] !== COLUMNS[k]) {
        throw lineError(
          file,
          line,
          `unknown header: column ${k + 1} is ${shown(names[k]!)}, expected '${COLUMNS[k]}'`,
        );
      }
    }
    return columns === KLINE_COLUMNS
      ? {
          name: "Binance kline",
          header: true,
          width: columns,
          fields: [0, 1, 2, 3, 4, 5],
          closeTime: 6,
        }
      : { name: "OHLCV CSV", header: true, width: columns, fields: [0, 1, 2, 3, 4, 5] };
  }
  const time = TIME_ALIASES.map((alias) => names.indexOf(alias)).find((k) => k >= 0);
  const at = (name: string) => names.indexOf(name);
  let volume = at("volume");
  if (volume < 0) volume = names.findIndex((n) => n.startsWith("volume"));
  const fields = [time ?? -1, at("open"), at("high"), at("low"), at("close"), volume] as const;
  const missing = fields.findIndex((k) => k < 0);
  if (missing >= 0) {
    throw lineError(
      file,
      line,
      `unknown header: no '${COLUMNS[missing]}' column among ${names.map(shown).join(",")}` +
        (missing === 0 ? ` (a time column is one of ${TIME_ALIASES.join(", ")})` : ""),
    );
  }
  return { name: "headed candle CSV", header: true, width: columns, fields };
}

function headerlessLayout(lines: CsvLines, file: string, columns: number): CandleLayout {
  const line = lines.lineNo;
  const fields = [0, 1, 2, 3, 4, 5] as const;
  if (columns === SIMPLE_COLUMNS) return { name: "OHLCV CSV", header: false, width: 6, fields };
  if (columns === KRAKEN_COLUMNS) {
    if (!Number.isFinite(lines.number(6))) {
      // Kraken's 7th field counts trades; a true/false there is a Binance trade dump's flag.
      throw lineError(
        file,
        line,
        `expected Kraken OHLCVT's 7 columns (time,open,high,low,close,volume,trades), but ` +
          `column 7 is ${shown(lines.field(6))}, not a count`,
      );
    }
    return { name: "Kraken OHLCVT", header: false, width: 7, fields };
  }
  if (columns === KLINE_COLUMNS) {
    return { name: "Binance kline", header: false, width: 12, fields, closeTime: 6 };
  }
  throw columnCountError(file, line, columns);
}

function columnCountError(file: string, line: number, got: number, expected?: number) {
  if (expected === undefined) {
    return lineError(
      file,
      line,
      `expected ${SIMPLE_COLUMNS} columns (open_time,open,high,low,close,volume), ` +
        `${KRAKEN_COLUMNS} (Kraken OHLCVT) or ${KLINE_COLUMNS} (Binance kline), or a header ` +
        `naming time, open, high, low, close and volume; got ${got}`,
    );
  }
  return lineError(file, line, `expected ${expected} columns, got ${got}`);
}

/** The most common positive difference between consecutive times (smallest on a tie). */
export function commonStep(time: Float64Array): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < time.length; i++) {
    const d = time[i]! - time[i - 1]!;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = Number.NaN;
  let bestCount = 0;
  for (const [d, count] of counts) {
    if (d > 0 && (count > bestCount || (count === bestCount && d < best))) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Reads the rows of candle CSV text (see the module header): every check but the spacing of the
 * candles, which the caller makes against an interval.
 */
export function parseCandleRows(text: string, file: string): CandleRows {
  // Bounds for up to 32 fields: a headed file may keep its prices past the kline's 12 columns.
  const lines = new CsvLines(text, 32);
  if (!lines.next()) throw new InvalidInputError(`${file}: no candles: the file is empty`);

  let columns = lines.split();
  if (columns === 1 && /^https?:\/\//i.test(lines.field(0).trim())) {
    // CryptoDataDownload's files (Bitstamp's minute data among them) open with their URL.
    if (!lines.next()) throw new InvalidInputError(`${file}: no candles: only a URL line`);
    columns = lines.split();
  }
  const hasHeader = !isDigitCode(text.charCodeAt(lines.bounds[0]!));
  let layout: CandleLayout;
  if (hasHeader) {
    if (columns !== SIMPLE_COLUMNS && columns !== KLINE_COLUMNS && columns < SIMPLE_COLUMNS) {
      throw columnCountError(file, lines.lineNo, columns);
    }
    layout = headedLayout(file, lines.lineNo, lines.headerNames(columns), columns);
    if (!lines.next()) throw new InvalidInputError(`${file}: no candles after the header`);
    columns = lines.split();
  } else {
    layout = headerlessLayout(lines, file, columns);
  }
  const { width, fields, closeTime } = layout;
  const [fTime, fOpen, fHigh, fLow, fClose, fVolume] = fields;
  if (columns !== width) throw columnCountError(file, lines.lineNo, columns, width);
  const unit = lines.detectUnit(fTime, file, "open_time");
  const unitLine = lines.lineNo;

  const capacity = CsvLines.countLines(text);
  const out = emptyColumns(capacity);
  const lineOf = new Uint32Array(capacity);
  let klineIntervalMs = Number.NaN;
  let direction = 0;
  let n = 0;
  for (;;) {
    if (columns !== width) throw columnCountError(file, lines.lineNo, columns, width);
    const t = lines.time(fTime);
    if (!Number.isFinite(t)) {
      throw lineError(
        file,
        lines.lineNo,
        `column 'open_time': expected an epoch time (s, ms, µs or ns) or an ISO 8601 time ` +
          `with a UTC offset, got ${shown(lines.field(fTime))}`,
      );
    }
    const range = lines.timeRangeProblem(t, fTime, "open_time", unitLine);
    if (range !== undefined) throw lineError(file, lines.lineNo, range);
    if (n === 1 && direction === 0) direction = t < out.time[0]! ? -1 : 1;
    if (n > 0 && (direction > 0 ? t <= out.time[n - 1]! : t >= out.time[n - 1]!)) {
      const problem =
        direction > 0
          ? `is not after the previous row's ${isoTime(out.time[n - 1]!)}`
          : `is not before the previous row's ${isoTime(out.time[n - 1]!)} (the file lists ` +
            `its rows newest first, as from line ${unitLine})`;
      throw lineError(file, lines.lineNo, `column 'open_time': ${isoTime(t)} ${problem}`);
    }
    const o = numberAt(lines, file, fOpen, 1);
    const h = numberAt(lines, file, fHigh, 2);
    const l = numberAt(lines, file, fLow, 3);
    const c = numberAt(lines, file, fClose, 4);
    const v = numberAt(lines, file, fVolume, 5);
    const problem = candleProblem(o, h, l, c, v);
    if (problem !== undefined) throw lineError(file, lines.lineNo, problem);
    if (closeTime !== undefined) {
      const close = lines.time(closeTime);
      if (!(close >= t)) {
        throw lineError(
          file,
          lines.lineNo,
          `column 'close_time': expected a time at or after open_time, got ${shown(lines.field(closeTime))}`,
        );
      }
      if (n === 0 && unit !== "iso") {
        const units = lines.number(closeTime) - lines.number(fTime) + 1;
        klineIntervalMs = epochToMs(units, unit);
      }
    }
    out.time[n] = t;
    out.open[n] = o;
    out.high[n] = h;
    out.low[n] = l;
    out.close[n] = c;
    out.volume[n] = v;
    lineOf[n] = lines.lineNo;
    n++;
    if (!lines.next()) break;
    columns = lines.split();
  }
  const candles = truncateColumns(out, n);
  const rows = lineOf.subarray(0, n);
  if (direction < 0) {
    for (const column of [
      candles.time,
      candles.open,
      candles.high,
      candles.low,
      candles.close,
      candles.volume,
    ]) {
      column.reverse();
    }
    rows.reverse();
  }
  return { candles, lineOf: rows, klineIntervalMs, unit, layout, reversed: direction < 0 };
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Parses candle CSV text (see the module header for the formats).
 * @example
 * parseCandlesCsv("open_time,open,high,low,close,volume\n2023-03-01 00:00:00+00:00,1,2,0.5,1.5,3\n",
 *   { file: "x.csv", intervalMs: 60_000 });
 */
export function parseCandlesCsv(text: string, options: CandlesCsvOptions): CandleSeries {
  const { file } = options;
  if (options.intervalMs !== undefined && !(options.intervalMs > 0)) {
    throw new InvalidInputError(`${file}: intervalMs must be > 0, got ${options.intervalMs}`);
  }
  const rows = parseCandleRows(text, file);
  const { candles, lineOf } = rows;
  const n = candles.time.length;
  const intervalMs = options.intervalMs ?? inferInterval(file, candles.time, rows.klineIntervalMs);
  for (let i = 1; i < n; i++) {
    const problem = timeProblem(candles.time[i - 1]!, candles.time[i]!, intervalMs);
    if (problem !== undefined) throw lineError(file, lineOf[i]!, problem);
  }
  return new CandleSeries(candles, intervalMs);
}

function numberAt(lines: CsvLines, file: string, k: number, name: number): number {
  const v = lines.number(k);
  if (!Number.isNaN(v)) return v;
  throw lineError(
    file,
    lines.lineNo,
    `column '${COLUMNS[name]}': expected a number, got ${shown(lines.field(k))}`,
  );
}

function inferInterval(file: string, time: Float64Array, klineIntervalMs: number): number {
  if (klineIntervalMs > 0) return klineIntervalMs;
  const step = commonStep(time);
  if (step > 0) return step;
  throw new InvalidInputError(
    `${file}: cannot infer the candle interval from a single row; pass intervalMs`,
  );
}

/** Reads and parses a candle CSV file (gunzipped first if its name ends in `.gz`). */
export async function loadCandles(
  path: string,
  options: Omit<CandlesCsvOptions, "file"> & { file?: string } = {},
): Promise<CandleSeries> {
  const text = await readDataFile(path);
  return parseCandlesCsv(text, { ...options, file: options.file ?? path });
}
