/**
 * A market-data file → candles of a series' timeframe. Files are the formats src/sim/data reads:
 * candle CSVs (Binance kline dumps, the 6-column `open_time,…` files) and Binance trade dumps,
 * gzipped or not. Without a kind, a file is tried as candles, then as trades; if neither fits, the
 * error reports why for both.
 *
 * A candle file must hold candles of the series' timeframe: a kline dump's close_time says its
 * interval outright; any two candles closer than the timeframe are finer candles; and three or more
 * candles of which no two are one interval apart are coarser candles given the wrong timeframe, not
 * a finer series with a gap in every other slot. Trades are aggregated to the timeframe.
 */

import { InvalidInputError } from "../domain/errors.js";
import { CandleSeries } from "./candle-series.js";
import { parseCandlesCsv } from "./csv/candles-csv.js";
import { MICROS_THRESHOLD, readDataFile } from "./csv/csv.js";
import { parseTradesCsv, tradesToCandles } from "./csv/trades-csv.js";
import { resample } from "./resample.js";
import { gridOrigin, type ResolvedKey, timeframeName } from "./series-key.js";
import { formatTime } from "./time-text.js";

export type FileKind = "candles" | "trades";
export const FILE_KINDS: readonly FileKind[] = ["candles", "trades"];

export interface LoadedFile {
  series: CandleSeries;
  kind: FileKind;
  /** How many trades the candles were built from (trade files only). */
  trades?: number;
}

export function checkKind(kind: string): FileKind {
  if ((FILE_KINDS as readonly string[]).includes(kind)) return kind as FileKind;
  throw new InvalidInputError(
    `invalid kind ${JSON.stringify(kind)}: expected ${FILE_KINDS.join(" or ")}`,
  );
}

export async function loadFile(
  path: string,
  key: ResolvedKey,
  kind?: FileKind,
): Promise<LoadedFile> {
  const text = await readDataFile(path);
  if (kind === "candles") {
    return { series: candlesOf(text, parseCandles(text, path), path, key), kind };
  }
  if (kind === "trades") return tradesOf(text, path, key);
  let candleError: unknown;
  let parsed: CandleSeries | undefined;
  try {
    parsed = parseCandles(text, path);
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    candleError = err;
  }
  if (parsed !== undefined) return { series: candlesOf(text, parsed, path, key), kind: "candles" };
  try {
    return tradesOf(text, path, key);
  } catch (tradeError) {
    if (!(tradeError instanceof InvalidInputError)) throw tradeError;
    throw new InvalidInputError(
      `${path}: neither a candle file nor a trade dump: as candles, ` +
        `${withoutFile((candleError as Error).message, path)}; as trades, ` +
        `${withoutFile(tradeError.message, path)}`,
    );
  }
}

/**
 * Parses with a 1 ms interval: every check but the spacing of candles, which `candlesOf` makes
 * against the series' timeframe with a message about timeframes rather than rows.
 */
function parseCandles(text: string, path: string): CandleSeries {
  return parseCandlesCsv(text, { file: path, intervalMs: 1 });
}

function tradesOf(text: string, path: string, key: ResolvedKey): LoadedFile {
  const trades = parseTradesCsv(text, { file: path });
  // tradesToCandles buckets from the epoch; weekly candles open on Mondays, so go through days.
  const series =
    gridOrigin(key.intervalMs) === 0
      ? tradesToCandles(trades, key.intervalMs)
      : resample(tradesToCandles(trades, 86_400_000), key.intervalMs);
  return { series, kind: "trades", trades: trades.length };
}

/** The parsed candles as a series of the key's timeframe, if their spacing agrees with it. */
function candlesOf(
  text: string,
  parsed: CandleSeries,
  path: string,
  key: ResolvedKey,
): CandleSeries {
  const given = key.timeframe;
  const mismatch = (found: number, why: string) =>
    new InvalidInputError(
      `${path}: ${why}, but the timeframe given is ${given}; pass the timeframe ${timeframeName(found)}`,
    );
  const kline = klineIntervalMs(text);
  if (kline !== undefined && kline !== key.intervalMs && kline > 0 && kline % 1000 === 0) {
    throw mismatch(kline, `its close_time says it holds ${timeframeName(kline)} candles`);
  }
  const { time } = parsed;
  let step = Number.POSITIVE_INFINITY;
  let at = 0;
  for (let i = 1; i < parsed.length; i++) {
    if (time[i]! - time[i - 1]! < step) {
      step = time[i]! - time[i - 1]!;
      at = i;
    }
  }
  if (step < key.intervalMs) {
    throw new InvalidInputError(
      `${path}: candles opening at ${formatTime(time[at - 1]!, 1000)} and ` +
        `${formatTime(time[at]!, 1000)} are closer than the timeframe given, ${given}` +
        (step % 1000 === 0 ? `; pass the timeframe ${timeframeName(step)}` : ""),
    );
  }
  if (parsed.length >= 3 && step > key.intervalMs && step % 1000 === 0) {
    throw mismatch(
      step,
      `its candles are never less than ${timeframeName(step)} apart, so they look like ` +
        `${timeframeName(step)} candles`,
    );
  }
  return new CandleSeries(parsed, key.intervalMs);
}

/** A kline dump's interval from its first row (close_time − open_time + 1 unit), if it is one. */
function klineIntervalMs(text: string): number | undefined {
  const head = text.slice(0, 2048).replace(/^\uFEFF/, "");
  const lines = head.split("\n").filter((line) => line.trim() !== "");
  const row = /^[0-9]/.test(lines[0] ?? "") ? lines[0] : lines[1];
  const fields = row?.split(",");
  if (fields?.length !== 12) return undefined;
  const open = Number(fields[0]);
  const units = Number(fields[6]) - open + 1;
  const ms = open > MICROS_THRESHOLD ? units / 1000 : units;
  return Number.isFinite(ms) ? ms : undefined;
}

/** A parser's `file:line: problem` message without the file, which the caller already names. */
function withoutFile(message: string, path: string): string {
  if (!message.startsWith(`${path}:`)) return message;
  const rest = message.slice(path.length + 1);
  return /^\d+:/.test(rest) ? `line ${rest}` : rest.trimStart();
}
