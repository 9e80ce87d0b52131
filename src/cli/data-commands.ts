/**
 * `crypy data import` and `crypy data list`: the human side of the local market-data store
 * (src/store). Each prints for a person; `list --json` prints for a program. Errors are the store's
 * one-line InvalidInputErrors, left for the CLI to print.
 */

import { InvalidInputError } from "../domain/errors.js";
import { parseTimeframe } from "../sim/ohlcv.js";
import {
  checkKind,
  type Gap,
  type ImportFileOptions,
  missingCandles,
  openStore,
  type StoredSeries,
} from "../store/index.js";
import { isPostgresUrl } from "../store/postgres/url.js";
import { formatCount, formatTime } from "../store/time-text.js";

export interface DataImportOptions {
  /** A ccxt symbol, e.g. `BTC/USDT`. */
  market: string;
  /** The file's own when absent (trades: 1m). */
  timeframe?: string;
  /** Default `binance`. */
  venue?: string;
  /** `candles` or `trades`; detected when absent. */
  kind?: string;
  /** The store's root; default `defaultDataDir()`. */
  dataDir?: string;
  /** A `postgres://` URL: import into PostgreSQL instead of the local store. */
  store?: string;
  /** Importing from a `postgres://` source: its table, column mapping and book levels. */
  table?: string;
  columns?: string;
  bookLevels?: string;
  /** Book tables: also store candles of the mid price. */
  midCandles?: boolean;
}

export interface DataListOptions {
  json?: boolean;
  /** The store's root; default `defaultDataDir()`. */
  dataDir?: string;
}

export const DEFAULT_VENUE = "binance";

/**
 * Imports a candle or trade file into the store and prints one summary line.
 *
 * @example
 * await dataImport("BTCUSDT-1m-2024-01.csv", { market: "BTC/USDT" }, process.stdout);
 * // imported 44,640 candles of BTC/USDT 1m (binance) from BTCUSDT-1m-2024-01.csv: 44,640 new,
 * // 0 replaced; stored 2024-01-01 00:00 → 2024-01-31 23:59, 0 gaps
 */
export async function dataImport(
  file: string,
  options: DataImportOptions,
  out: NodeJS.WritableStream,
): Promise<void> {
  if (isPostgresUrl(file)) {
    const { dataImportTable } = await import("./data-import-table.js");
    await dataImportTable(file, { ...options, venue: options.venue ?? DEFAULT_VENUE }, out);
    return;
  }
  const request: ImportFileOptions = {
    venue: options.venue ?? DEFAULT_VENUE,
    market: options.market,
    timeframe: options.timeframe,
  };
  if (options.kind !== undefined) request.kind = checkKind(options.kind);
  if (options.store !== undefined) {
    await importToPostgres(file, options.store, request, out);
    return;
  }
  const result = await openStore(options.dataDir).importFile(file, request);
  const { stored } = result;
  const intervalMs = parseTimeframe(result.timeframe);
  const source = result.format === undefined ? file : `${file} (${result.format})`;
  const conflicts =
    result.conflicting === 0
      ? ""
      : `, ${formatCount(result.conflicting)} conflicting (overwritten with the file's values)`;
  out.write(
    `imported ${formatCount(result.candles)} candles of ${result.market} ${result.timeframe} ` +
      `(${result.venue}) from ${source}: ${formatCount(result.added)} new, ` +
      `${formatCount(result.replaced)} replaced${conflicts}; stored ` +
      `${formatTime(stored.first, intervalMs)} → ${formatTime(stored.last, intervalMs)}, ` +
      `${gapsText(stored.gaps, intervalMs)}\n`,
  );
}

async function importToPostgres(
  file: string,
  url: string,
  request: ImportFileOptions,
  out: NodeJS.WritableStream,
): Promise<void> {
  if (!isPostgresUrl(url)) {
    throw new InvalidInputError(
      `--store takes a postgres:// URL (the local store is the default), got ${JSON.stringify(url)}`,
    );
  }
  const { importFileToPostgres } = await import("../store/postgres/candle-io.js");
  const r = await importFileToPostgres(url, file, request);
  const intervalMs = parseTimeframe(r.timeframe);
  const source = r.trades === undefined ? file : `${file} (${formatCount(r.trades)} trades)`;
  const range =
    r.rows === 0 ? "" : `; ${formatTime(r.first, intervalMs)} → ${formatTime(r.last, intervalMs)}`;
  out.write(
    `imported ${formatCount(r.rows)} candles of ${r.market} ${r.timeframe} (${r.venue}) from ` +
      `${source} into PostgreSQL: ${formatCount(r.inserted)} new, ${formatCount(r.replaced)} ` +
      `replaced, ${formatCount(r.duplicates)} already stored${range}; stored series: ` +
      `${formatCount(r.gaps.length)} gap${r.gaps.length === 1 ? "" : "s"}\n`,
  );
}

/** Prints the stored series as an aligned table, or as JSON. */
export async function dataList(
  options: DataListOptions,
  out: NodeJS.WritableStream,
): Promise<void> {
  const store = openStore(options.dataDir);
  const series = await store.list();
  if (options.json === true) {
    out.write(`${JSON.stringify(series, null, 2)}\n`);
    return;
  }
  if (series.length === 0) {
    out.write(
      `no market data stored in ${store.dir} (add some with: crypy data import FILE --market BASE/QUOTE)\n`,
    );
    return;
  }
  out.write(table(series));
}

const HEADERS = ["venue", "market", "timeframe", "from", "to", "candles", "gaps"] as const;
/** Numbers are right-aligned. */
const RIGHT = new Set<string>(["candles", "gaps"]);

function table(series: readonly StoredSeries[]): string {
  const rows = series.map((s) => {
    const intervalMs = parseTimeframe(s.timeframe);
    return [
      s.venue,
      s.market,
      s.timeframe,
      formatTime(s.first, intervalMs),
      formatTime(s.last, intervalMs),
      formatCount(s.rows),
      formatCount(s.gaps.length),
    ];
  });
  const all = [[...HEADERS], ...rows];
  const widths = HEADERS.map((_, k) => Math.max(...all.map((row) => row[k]!.length)));
  return all
    .map((row) =>
      row
        .map((cell, k) =>
          RIGHT.has(HEADERS[k]!) ? cell.padStart(widths[k]!) : cell.padEnd(widths[k]!),
        )
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/** `0 gaps`, `1 gap (3 candles missing)`, `4 gaps (120 candles missing)`. */
function gapsText(gaps: readonly Gap[], intervalMs: number): string {
  if (gaps.length === 0) return "0 gaps";
  const missing = missingCandles(gaps, intervalMs);
  const noun = gaps.length === 1 ? "gap" : "gaps";
  return `${formatCount(gaps.length)} ${noun} (${formatCount(missing)} candle${missing === 1 ? "" : "s"} missing)`;
}
