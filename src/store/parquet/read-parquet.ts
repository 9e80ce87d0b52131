/**
 * Candles out of Parquet, for `crypy backtest --data` and `crypy data import` (through the one
 * loader, import-file.ts): a `.parquet` file, or a directory read as a dataset of every `.parquet`
 * file under it with hive partitions (`venue=…/market=…/kind=…/day=…`, as `crypy data export`
 * writes them).
 *
 * Which rows: the market (and venue) asked for when the data names them in its partitions; a
 * dataset of several markets or venues needs them named, and the error lists what it holds.
 * Candles are preferred, of the timeframe asked for or else the finest stored; without candles,
 * trades are aggregated to candles (1m unless asked) as a trade file would be. The same rules as a
 * file after that: candles on their timeframe's grid, each at least one interval after the last.
 */

import { join } from "node:path";
import { InvalidInputError } from "../../domain/errors.js";
import { CandleBuilder } from "../candle-builder.js";
import { CandleSeries, emptyColumns } from "../candle-series.js";
import type { LoadedFile } from "../import-file.js";
import { gridFloor, resolveKey, timeframeName } from "../series-key.js";
import { formatTime } from "../time-text.js";
import { type Duck, openDuck, sqlString } from "./duckdb.js";

export interface ParquetSelection {
  venue?: string | undefined;
  market?: string | undefined;
  intervalMs?: number | undefined;
  kind?: "candles" | "trades" | undefined;
}

const DEFAULT_TRADES_INTERVAL_MS = 60_000;

export async function loadParquet(path: string, selection: ParquetSelection): Promise<LoadedFile> {
  const isDir = !path.endsWith(".parquet");
  const source = `read_parquet(${sqlString(isDir ? join(path, "**", "*.parquet") : path)}, hive_partitioning = true, union_by_name = true)`;
  const duck = await openDuck();
  try {
    const columns = await describe(duck, source, path, isDir);
    const where: string[] = [];
    const params: Record<string, string> = {};
    const token =
      selection.market === undefined
        ? undefined
        : resolveKey({ venue: "any", market: selection.market, timeframe: "1m" }).token;
    for (const [column, value] of [
      ["market", token],
      ["venue", selection.venue],
    ] as const) {
      if (!columns.has(column)) continue;
      if (value !== undefined) {
        where.push(`${column} = $${column}`);
        params[column] = value;
      }
    }
    const kindOf = async (): Promise<"candles" | "trades"> => {
      if (selection.kind !== undefined) return selection.kind;
      if (columns.has("kind")) {
        const kinds = await distinct(duck, source, "kind", where, params);
        return kinds.includes("candles") || !kinds.includes("trades") ? "candles" : "trades";
      }
      return columns.has("open_time") ? "candles" : "trades";
    };
    const kind = await kindOf();
    if (columns.has("kind")) where.push(`kind = '${kind}'`);
    for (const column of ["market", "venue"] as const) {
      if (!columns.has(column)) continue;
      const held = await distinct(duck, source, column, where, params);
      if (held.length !== 1) {
        const what = `${kind} of ${selection.market ?? "any market"}${selection.venue === undefined ? "" : ` (${selection.venue})`}`;
        const all = await holdings(duck, source, columns);
        throw new InvalidInputError(
          held.length === 0
            ? `${path}: no ${what} (it holds ${all})`
            : `${path} holds ${kind} of several ${column}s (${held.join(", ")}): pass ${column === "market" ? "--market" : "--data-venue"}`,
        );
      }
    }
    const filter = where.length === 0 ? "" : ` WHERE ${where.join(" AND ")}`;
    if (kind === "candles") return await candles(duck, source, filter, params, path, selection);
    return await trades(duck, source, filter, params, selection);
  } finally {
    duck.close();
  }
}

async function describe(
  duck: Duck,
  source: string,
  path: string,
  isDir: boolean,
): Promise<Set<string>> {
  try {
    const reader = await duck.connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    return new Set(reader.getRowObjects().map((r) => String(r.column_name)));
  } catch (err) {
    const message = (err as Error).message;
    if (/No files found|does not exist|No such file/i.test(message)) {
      throw new InvalidInputError(
        isDir
          ? `${path} is a directory holding no Parquet files (give a data file, or a ` +
              "directory of Parquet files as crypy data export writes)"
          : `no such file: ${path}`,
        { cause: err },
      );
    }
    throw new InvalidInputError(`${path}: not readable as Parquet: ${message}`, { cause: err });
  }
}

async function distinct(
  duck: Duck,
  source: string,
  column: string,
  where: string[],
  params: Record<string, string>,
): Promise<string[]> {
  const filter = where.length === 0 ? "" : ` WHERE ${where.join(" AND ")}`;
  const reader = await duck.connection.runAndReadAll(
    `SELECT DISTINCT ${column}::VARCHAR AS v FROM ${source}${filter} ORDER BY v`,
    params,
  );
  return reader.getRows().map((r) => String(r[0]));
}

/** `binance BTC-USDT candles, binance BTC-USDT trades` */
async function holdings(duck: Duck, source: string, columns: Set<string>): Promise<string> {
  const parts = ["venue", "market", "kind"].filter((c) => columns.has(c));
  if (parts.length === 0) return "no venue, market or kind partitions";
  const reader = await duck.connection.runAndReadAll(
    `SELECT DISTINCT concat_ws(' ', ${parts.join(", ")}) AS h FROM ${source} ORDER BY h`,
  );
  const all = reader.getRows().map((r) => String(r[0]));
  return all.length === 0 ? "nothing" : all.join(", ");
}

async function candles(
  duck: Duck,
  source: string,
  filter: string,
  params: Record<string, string>,
  path: string,
  selection: ParquetSelection,
): Promise<LoadedFile> {
  const stored = (
    await duck.connection.runAndReadAll(`SELECT DISTINCT timeframe FROM ${source}${filter}`, params)
  )
    .getRows()
    .map((r) => String(r[0]));
  const { parseTimeframe } = await import("../../domain/timeframe.js");
  const byLength = stored
    .map((tf) => [tf, parseTimeframe(tf)] as const)
    .sort((a, b) => a[1] - b[1]);
  const wanted =
    selection.intervalMs === undefined
      ? byLength[0]
      : byLength.find(([, ms]) => ms === selection.intervalMs);
  if (wanted === undefined) {
    throw new InvalidInputError(
      `${path}: no ${timeframeName(selection.intervalMs ?? 0)} candles (it holds ${stored.join(", ") || "none"})`,
    );
  }
  const [timeframe, intervalMs] = wanted;
  const reader = await duck.connection.runAndReadAll(
    `SELECT epoch_ms(open_time)::DOUBLE, open::DOUBLE, high::DOUBLE, low::DOUBLE, close::DOUBLE,
       volume::DOUBLE FROM ${source}${filter}${filter === "" ? " WHERE" : " AND"} timeframe = $timeframe
     ORDER BY open_time`,
    { ...params, timeframe },
  );
  const rows = reader.getRows();
  const columns = emptyColumns(rows.length);
  const fields = [
    columns.time,
    columns.open,
    columns.high,
    columns.low,
    columns.close,
    columns.volume,
  ];
  rows.forEach((row, i) => {
    for (let k = 0; k < 6; k++) fields[k]![i] = Number(row[k]);
    const t = columns.time[i]!;
    if (gridFloor(t, intervalMs) !== t) {
      throw new InvalidInputError(
        `${path}: the candle opening at ${formatTime(t, 1000)} is not on the ${timeframe} grid`,
      );
    }
  });
  return {
    series: new CandleSeries(columns, intervalMs),
    kind: "candles",
    layout: "Parquet candles",
    unit: "µs",
    reversed: false,
  };
}

async function trades(
  duck: Duck,
  source: string,
  filter: string,
  params: Record<string, string>,
  selection: ParquetSelection,
): Promise<LoadedFile> {
  const builder = new CandleBuilder(selection.intervalMs ?? DEFAULT_TRADES_INTERVAL_MS);
  const result = await duck.connection.stream(
    `SELECT epoch_us(time)::DOUBLE / 1000, price::DOUBLE, amount::DOUBLE FROM ${source}${filter}
     ORDER BY time`,
    params,
  );
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    for (const row of chunk.getRows()) builder.add(Number(row[0]), Number(row[1]), Number(row[2]));
  }
  return {
    series: builder.finish(),
    kind: "trades",
    trades: builder.trades,
    layout: "Parquet trades",
    unit: "µs",
    reversed: false,
  };
}
