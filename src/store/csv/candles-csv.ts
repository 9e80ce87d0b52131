/**
 * Candle CSV files, in the two shapes crypy meets, detected from the first line:
 *
 * - 6 columns `open_time,open,high,low,close,volume` (the recorded files under /work/shared/data):
 *   header row expected, `open_time` ISO 8601 with a UTC offset or an epoch number;
 * - 12 columns, Binance's kline dump (data.binance.vision): `open_time, open, high, low, close,
 *   volume, close_time, quote_volume, count, taker_buy_base, taker_buy_quote, ignore`, with or
 *   without a header; only the first seven are read.
 *
 * Epoch numbers are ms, or µs above 1e14 (Binance's spot dumps from 2025). Minutes without trades
 * are simply absent: gaps are kept as gaps, never filled.
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
import { CsvLines, lineError, MICROS_THRESHOLD, readDataFile, shown } from "./csv.js";

export interface CandlesCsvOptions {
  /** Used in error messages. */
  file: string;
  /** The candle interval; inferred when absent (see the module header). */
  intervalMs?: number;
}

const COLUMNS = ["open_time", "open", "high", "low", "close", "volume", "close_time"] as const;
const SIMPLE_COLUMNS = 6;
const KLINE_COLUMNS = 12;
/** Accepted spellings of the first header column. */
const TIME_ALIASES = new Set(["open_time", "timestamp", "time", "date", "datetime", "open time"]);

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Checks a header's names; throws naming the first column that does not match. */
function checkHeader(file: string, line: number, names: string[], columns: number): void {
  for (let k = 0; k < Math.min(names.length, columns === KLINE_COLUMNS ? 7 : 6); k++) {
    const name = names[k]!;
    const expected = COLUMNS[k]!;
    const ok = k === 0 ? TIME_ALIASES.has(name) : name === expected;
    if (!ok) {
      throw lineError(
        file,
        line,
        `unknown header: column ${k + 1} is ${shown(name)}, expected '${expected}'`,
      );
    }
  }
}

function columnCountError(file: string, line: number, got: number, expected?: number) {
  if (expected === undefined) {
    return lineError(
      file,
      line,
      `expected ${SIMPLE_COLUMNS} columns (open_time,open,high,low,close,volume) or ` +
        `${KLINE_COLUMNS} (Binance kline), got ${got}`,
    );
  }
  return lineError(file, line, `expected ${expected} columns, got ${got}`);
}

/** The most common positive difference between consecutive times (smallest on a tie). */
function commonStep(time: Float64Array): number {
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
  const lines = new CsvLines(text, 7);
  if (!lines.next()) throw new InvalidInputError(`${file}: no candles: the file is empty`);

  let columns = lines.split();
  if (columns !== SIMPLE_COLUMNS && columns !== KLINE_COLUMNS) {
    throw columnCountError(file, lines.lineNo, columns);
  }
  const hasHeader = !isDigitCode(text.charCodeAt(lines.bounds[0]!));
  if (hasHeader) {
    checkHeader(file, lines.lineNo, lines.headerNames(columns), columns);
    if (!lines.next()) throw new InvalidInputError(`${file}: no candles after the header`);
    columns = lines.split();
  }
  const width = columns;

  const capacity = CsvLines.countLines(text);
  const out = emptyColumns(capacity);
  const lineOf = new Uint32Array(capacity);
  let klineIntervalMs = Number.NaN;
  let n = 0;
  for (;;) {
    if (columns !== width) throw columnCountError(file, lines.lineNo, columns, width);
    const t = lines.time(0);
    if (!Number.isFinite(t)) {
      throw lineError(
        file,
        lines.lineNo,
        `column 'open_time': expected an epoch time (ms or µs) or an ISO 8601 time with a UTC ` +
          `offset, got ${shown(lines.field(0))}`,
      );
    }
    if (n > 0 && t <= out.time[n - 1]!) {
      throw lineError(file, lines.lineNo, timeProblem(out.time[n - 1]!, t, 1)!);
    }
    const o = numberAt(lines, file, 1);
    const h = numberAt(lines, file, 2);
    const l = numberAt(lines, file, 3);
    const c = numberAt(lines, file, 4);
    const v = numberAt(lines, file, 5);
    const problem = candleProblem(o, h, l, c, v);
    if (problem !== undefined) throw lineError(file, lines.lineNo, problem);
    if (width === KLINE_COLUMNS) {
      const closeTime = lines.time(6);
      if (!(closeTime >= t)) {
        throw lineError(
          file,
          lines.lineNo,
          `column 'close_time': expected a time at or after open_time, got ${shown(lines.field(6))}`,
        );
      }
      if (n === 0) klineIntervalMs = klineInterval(lines);
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

  const candles: CandleColumns = truncateColumns(out, n);
  const intervalMs = options.intervalMs ?? inferInterval(file, candles.time, klineIntervalMs);
  for (let i = 1; i < n; i++) {
    const problem = timeProblem(candles.time[i - 1]!, candles.time[i]!, intervalMs);
    if (problem !== undefined) throw lineError(file, lineOf[i]!, problem);
  }
  return new CandleSeries(candles, intervalMs);
}

function numberAt(lines: CsvLines, file: string, k: number): number {
  const v = lines.number(k);
  if (!Number.isNaN(v)) return v;
  throw lineError(
    file,
    lines.lineNo,
    `column '${COLUMNS[k]}': expected a number, got ${shown(lines.field(k))}`,
  );
}

/**
 * close_time is the candle's last instant, one unit (1 ms, or 1 µs in µs files) before the next
 * open; so the interval is close − open + 1 in the file's own unit.
 */
function klineInterval(lines: CsvLines): number {
  const open = lines.number(0);
  const units = lines.number(6) - open + 1;
  return open > MICROS_THRESHOLD ? units / 1000 : units;
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
