/**
 * Candles out of PostgreSQL as the store's CandleSeries: one market, one timeframe, a range of
 * open times [from, to). Stored candles come from the `candles` table; the 5m and 1h candles can
 * also come from their views (materialised views, or continuous aggregates under TimescaleDB),
 * which `refreshCandleViews` brings up to date. numeric → float8 is the nearest double, the same
 * value a CSV parser gives for the same decimal text.
 */

import { InvalidInputError } from "../../domain/errors.js";
import { parseTimeframe } from "../../domain/timeframe.js";
import { CandleSeries, emptyColumns } from "../candle-series.js";
import type { Sql } from "./connect.js";
import { isoTime } from "./copy-text.js";
import { CANDLE_VIEWS, type Layout } from "./schema.js";
import { timescaleRefresh } from "./timescale.js";

export interface CandleQuery {
  venue: string;
  market: string;
  timeframe: string;
  /** Epoch ms, inclusive; default: from the first. */
  from?: number;
  /** Epoch ms, exclusive; default: to the last. */
  to?: number;
  /** `table` (default): the stored candles; `view`: the 5m/1h views built from the 1m candles. */
  source?: "table" | "view";
}

interface Row {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

export async function readCandles(sql: Sql, query: CandleQuery): Promise<CandleSeries> {
  const intervalMs = parseTimeframe(query.timeframe);
  const from = query.from === undefined ? "-infinity" : isoTime(query.from);
  const to = query.to === undefined ? "infinity" : isoTime(query.to);
  let rows: Row[];
  if (query.source === "view") {
    const view = CANDLE_VIEWS[query.timeframe as keyof typeof CANDLE_VIEWS];
    if (view === undefined) {
      throw new InvalidInputError(
        `no candle view for timeframe ${query.timeframe}: views exist for ${Object.keys(CANDLE_VIEWS).join(", ")}`,
      );
    }
    rows = await sql<Row[]>`
      SELECT (extract(epoch FROM open_time) * 1000)::float8 AS t, open::float8 AS o,
        high::float8 AS h, low::float8 AS l, close::float8 AS c, volume::float8 AS v
      FROM ${sql(view)}
      WHERE venue = ${query.venue} AND market = ${query.market}
        AND open_time >= ${from}::text::timestamptz AND open_time < ${to}::text::timestamptz
      ORDER BY open_time`;
  } else {
    rows = await sql<Row[]>`
      SELECT (extract(epoch FROM open_time) * 1000)::float8 AS t, open::float8 AS o,
        high::float8 AS h, low::float8 AS l, close::float8 AS c, volume::float8 AS v
      FROM candles
      WHERE venue = ${query.venue} AND market = ${query.market}
        AND timeframe = ${query.timeframe} AND open_time >= ${from}::text::timestamptz AND open_time < ${to}::text::timestamptz
      ORDER BY open_time`;
  }
  const columns = emptyColumns(rows.length);
  rows.forEach((r, i) => {
    columns.time[i] = r.t;
    columns.open[i] = r.o;
    columns.high[i] = r.h;
    columns.low[i] = r.l;
    columns.close[i] = r.c;
    columns.volume[i] = r.v;
  });
  return new CandleSeries(columns, intervalMs);
}

/** Brings the 5m and 1h candle views up to date with the 1m candles. */
export async function refreshCandleViews(sql: Sql, layout: Layout): Promise<void> {
  for (const view of Object.values(CANDLE_VIEWS)) {
    if (layout === "timescale") await sql.unsafe(timescaleRefresh(view));
    // CONCURRENTLY: readers of the view are not blocked while it is rebuilt (needs its unique index).
    else await sql.unsafe(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`);
  }
}

/** The timeframes stored for a market, finest first. */
export async function storedTimeframes(sql: Sql, venue: string, market: string): Promise<string[]> {
  // A loose index scan over the primary key: one index probe per timeframe, not one per candle.
  const rows = await sql<{ timeframe: string }[]>`
    WITH RECURSIVE t AS (
      SELECT min(timeframe) AS timeframe FROM candles
      WHERE venue = ${venue} AND market = ${market}
      UNION ALL
      SELECT (SELECT min(timeframe) FROM candles
        WHERE venue = ${venue} AND market = ${market} AND timeframe > t.timeframe)
      FROM t WHERE t.timeframe IS NOT NULL
    )
    SELECT timeframe FROM t WHERE timeframe IS NOT NULL`;
  return rows.map((r) => r.timeframe).sort((a, b) => parseTimeframe(a) - parseTimeframe(b));
}
