/**
 * The one loader of market-data files: `crypy data import` and `crypy backtest --data` both read a
 * file through `loadMarketFile`, so they accept and refuse the same files with the same words.
 *
 * Formats (src/store/csv): candle CSVs (Binance kline dumps, 6-column `open_time,…` files,
 * Kraken's 7-column OHLCVT export, headed candle CSVs with named columns in any order such as
 * Bitstamp's minute data) and Binance trade and aggTrades dumps, gzipped or not, with epoch times in
 * s, ms, µs or ns (the unit detected and reported) or ISO 8601. Without a kind, a file is tried as
 * candles, then as trades; if neither fits, the error reports why for both.
 *
 * The candles' timeframe is the one given or, without one, the file's own: a kline dump's
 * close_time, else the most common step between rows. Either way every row must lie on that
 * timeframe's grid, one or more whole intervals after the previous: a row off it is named at its
 * line as irregular data. A timeframe is suggested only when every row of the file lies on its grid
 * (so following the advice cannot read the file as something it is not). Trades are aggregated to
 * the timeframe (1m without one).
 *
 * A `.parquet` file or a directory is read as Parquet (parquet/read-parquet.ts: `crypy data
 * export`'s archive or any file with its columns), the market and venue selecting its rows.
 */

import { stat } from "node:fs/promises";
import { InvalidInputError } from "../domain/errors.js";
import { CandleSeries } from "./candle-series.js";
import { type CandleRows, commonStep, parseCandleRows } from "./csv/candles-csv.js";
import { readDataFile, type TimeUnit, UNIT_NAMES } from "./csv/csv.js";
import { parseTradeRows, tradesToCandles } from "./csv/trades-csv.js";
import { resample } from "./resample.js";
import { gridFloor, gridOrigin, type ResolvedKey, timeframeName } from "./series-key.js";
import { formatCount, formatTime } from "./time-text.js";

export type FileKind = "candles" | "trades";
export const FILE_KINDS: readonly FileKind[] = ["candles", "trades"];

/** The timeframe trades are aggregated to when none is given. */
export const DEFAULT_TRADES_INTERVAL_MS = 60_000;

export interface LoadedFile {
  series: CandleSeries;
  kind: FileKind;
  /** How many trades the candles were built from (trade files only). */
  trades?: number;
  /** The layout detected: "Binance kline", "Kraken OHLCVT", "Binance aggTrades", … */
  layout: string;
  /** The unit of the file's times. */
  unit: TimeUnit | "iso";
  /** True when the file listed its rows newest first (they are returned oldest first). */
  reversed: boolean;
}

export interface LoadOptions {
  /** The timeframe the candles must have; the file's own when absent. */
  intervalMs?: number | undefined;
  kind?: FileKind | undefined;
  /** Parquet only: which market's and venue's rows (a dataset may hold several). */
  market?: string | undefined;
  venue?: string | undefined;
}

export function checkKind(kind: string): FileKind {
  if ((FILE_KINDS as readonly string[]).includes(kind)) return kind as FileKind;
  throw new InvalidInputError(
    `invalid kind ${JSON.stringify(kind)}: expected ${FILE_KINDS.join(" or ")}`,
  );
}

/** How a loaded file is described to a person: `Kraken OHLCVT, times in seconds, newest first`. */
export function describeLoaded(loaded: LoadedFile): string {
  const trades = loaded.trades === undefined ? "" : `${formatCount(loaded.trades)} trades, `;
  const order = loaded.reversed ? ", newest first" : "";
  return `${trades}${loaded.layout}, times in ${UNIT_NAMES[loaded.unit]}${order}`;
}

/** Reads a market-data file as candles (see the module header). */
export async function loadMarketFile(path: string, options: LoadOptions = {}): Promise<LoadedFile> {
  if (await isParquetPath(path)) {
    // Loaded only when asked for: DuckDB's native library is large.
    const { loadParquet } = await import("./parquet/read-parquet.js");
    return loadParquet(path, options);
  }
  const text = await readDataFile(path);
  const { kind, intervalMs } = options;
  if (kind === "candles") return candlesOf(parseCandleRows(text, path), path, intervalMs);
  if (kind === "trades") return tradesOf(text, path, intervalMs);
  let candleError: unknown;
  let rows: CandleRows | undefined;
  try {
    rows = parseCandleRows(text, path);
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    candleError = err;
  }
  if (rows !== undefined) return candlesOf(rows, path, intervalMs);
  try {
    return tradesOf(text, path, intervalMs);
  } catch (tradeError) {
    if (!(tradeError instanceof InvalidInputError)) throw tradeError;
    throw new InvalidInputError(
      `${path}: neither a candle file nor a trade dump: as candles, ` +
        `${withoutFile((candleError as Error).message, path)}; as trades, ` +
        `${withoutFile(tradeError.message, path)}`,
    );
  }
}

/** A `.parquet` file or a directory (a Parquet dataset). */
async function isParquetPath(path: string): Promise<boolean> {
  if (path.endsWith(".parquet")) return true;
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** `loadMarketFile` for a store series' key: the file's candles must be of its timeframe. */
export function loadFile(path: string, key: ResolvedKey, kind?: FileKind): Promise<LoadedFile> {
  return loadMarketFile(path, {
    intervalMs: key.intervalMs,
    kind,
    market: key.market,
    venue: key.venue,
  });
}

function tradesOf(text: string, path: string, given: number | undefined): LoadedFile {
  const { trades, layout, unit } = parseTradeRows(text, { file: path });
  const intervalMs = given ?? DEFAULT_TRADES_INTERVAL_MS;
  // tradesToCandles buckets from the epoch; weekly candles open on Mondays, so go through days.
  const series =
    gridOrigin(intervalMs) === 0
      ? tradesToCandles(trades, intervalMs)
      : resample(tradesToCandles(trades, 86_400_000), intervalMs);
  return {
    series,
    kind: "trades",
    trades: trades.length,
    layout: layout.name,
    unit,
    reversed: false,
  };
}

/** True when every time lies on the grid of `intervalMs`. */
function allOnGrid(time: Float64Array, intervalMs: number): boolean {
  for (let i = 0; i < time.length; i++) {
    if (gridFloor(time[i]!, intervalMs) !== time[i]) return false;
  }
  return true;
}

/** The parsed rows as a series of the given timeframe (or the file's own), if they fit it. */
function candlesOf(rows: CandleRows, path: string, given: number | undefined): LoadedFile {
  const { time } = rows.candles;
  const loaded = (intervalMs: number): LoadedFile => ({
    series: new CandleSeries(rows.candles, intervalMs),
    kind: "candles",
    layout: rows.layout.name,
    unit: rows.unit,
    reversed: rows.reversed,
  });
  const kline = rows.klineIntervalMs > 0 ? rows.klineIntervalMs : undefined;
  const step = commonStep(time);
  // The file's own interval: what its close_time says, else its most common step.
  const own = kline ?? (step > 0 ? step : undefined);
  const suggestible = (ms: number | undefined): ms is number =>
    ms !== undefined && ms % 1000 === 0 && allOnGrid(time, ms);
  if (given === undefined) {
    if (own === undefined) {
      throw new InvalidInputError(
        `${path}: cannot infer the candle interval from a single row; pass the timeframe`,
      );
    }
    checkRows(rows, path, own, "its own timeframe");
    return loaded(own);
  }
  const name = timeframeName(given);
  if (kline !== undefined && kline !== given && suggestible(kline)) {
    throw new InvalidInputError(
      `${path}: its close_time says it holds ${timeframeName(kline)} candles, but the timeframe ` +
        `given is ${name}; pass the timeframe ${timeframeName(kline)}`,
    );
  }
  let min = Number.POSITIVE_INFINITY;
  for (let i = 1; i < time.length; i++) min = Math.min(min, time[i]! - time[i - 1]!);
  if (min < given && own !== undefined && own < given && suggestible(own)) {
    throw new InvalidInputError(
      `${path}: its candles are ${timeframeName(own)} apart, closer than the timeframe given, ` +
        `${name}; pass the timeframe ${timeframeName(own)}`,
    );
  }
  if (time.length >= 3 && min > given && min % given === 0 && suggestible(min)) {
    throw new InvalidInputError(
      `${path}: its candles are never less than ${timeframeName(min)} apart, so they look like ` +
        `${timeframeName(min)} candles, but the timeframe given is ${name}; pass the timeframe ` +
        `${timeframeName(min)}`,
    );
  }
  if (min < given && own !== undefined && own < given && own % 1000 === 0) {
    // Mostly finer candles, but not all on their grid: no timeframe fits the whole file.
    const i = firstIrregular(rows, own);
    throw new InvalidInputError(
      `${path}: its candles are mostly ${timeframeName(own)} apart, closer than the timeframe ` +
        `given, ${name}, but ${irregularity(rows, path, i, own, "that step")}`,
    );
  }
  checkRows(rows, path, given, "the timeframe given");
  return loaded(given);
}

/** The first row off the grid of `intervalMs` or less than it after the previous one, or -1. */
function firstIrregular(rows: CandleRows, intervalMs: number): number {
  const { time } = rows.candles;
  for (let i = 0; i < time.length; i++) {
    if (gridFloor(time[i]!, intervalMs) !== time[i]) return i;
    if (i > 0 && time[i]! - time[i - 1]! < intervalMs) return i;
  }
  return -1;
}

/** What is wrong with row i against `intervalMs`, at its line. */
function irregularity(
  rows: CandleRows,
  path: string,
  i: number,
  intervalMs: number,
  whose: string,
): string {
  const { time } = rows.candles;
  const name = timeframeName(intervalMs);
  const t = time[i]!;
  const at = `${path}:${rows.lineOf[i]}: the candle opening at ${formatTime(t, 1000)}`;
  const problem =
    gridFloor(t, intervalMs) !== t
      ? `is not on the grid of ${whose}, ${name} (candles open at whole multiples of their ` +
        "timeframe, UTC)"
      : `is less than ${whose}, ${name}, after the one at line ${rows.lineOf[i - 1]} ` +
        `(${formatTime(time[i - 1]!, 1000)})`;
  return `${at} ${problem}: the data is irregular there; fix or remove that row`;
}

/**
 * Every row on the grid of `intervalMs` and at least one interval after the previous; the first
 * that is not is refused at its line as irregular data, with no timeframe suggested.
 */
function checkRows(rows: CandleRows, path: string, intervalMs: number, whose: string): void {
  const i = firstIrregular(rows, intervalMs);
  if (i >= 0) throw new InvalidInputError(irregularity(rows, path, i, intervalMs, whose));
}

/** A parser's `file:line: problem` message without the file, which the caller already names. */
function withoutFile(message: string, path: string): string {
  if (!message.startsWith(`${path}:`)) return message;
  const rest = message.slice(path.length + 1);
  return /^\d+:/.test(rest) ? `line ${rest}` : rest.trimStart();
}
