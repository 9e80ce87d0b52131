/**
 * The CLI's two doors into PostgreSQL: `crypy data import FILE --store postgres://…` (the file
 * read by the local store's own loader, import-file.ts, then written as 1 batch per 10,000
 * candles) and `crypy backtest --data postgres://…?venue=…&market=…` (a market's candles read
 * back as a CandleSeries).
 */

import { InvalidInputError } from "../../domain/errors.js";
import type { CandleSeries } from "../candle-series.js";
import { type FileKind, loadMarketFile } from "../import-file.js";
import { resolveKey, type SeriesKey, timeframeName } from "../series-key.js";
import { type CandleGap, refreshCandleGaps } from "./candle-gaps.js";
import { parsePostgresUrl } from "./connect.js";
import { readCandles, storedTimeframes } from "./read-candles.js";
import { openPostgresStore } from "./store.js";
import { CANDLES, type CandleRow } from "./tables.js";
import type { WriteCounts } from "./write-batch.js";

const BATCH = 10_000;

export interface PostgresImport extends WriteCounts {
  venue: string;
  market: string;
  timeframe: string;
  kind: FileKind;
  trades?: number;
  /** The series' gaps as stored after the import (recorded in the gaps table). */
  gaps: CandleGap[];
  /** Open times of the first and last candle (NaN when none). */
  first: number;
  last: number;
}

export async function importFileToPostgres(
  url: string,
  file: string,
  request: Omit<SeriesKey, "timeframe"> & { timeframe?: string | undefined; kind?: FileKind },
): Promise<PostgresImport> {
  // The same loader as the local store's import: the file's own timeframe when none is given.
  const given =
    request.timeframe === undefined
      ? undefined
      : resolveKey({ ...request, timeframe: request.timeframe });
  const loaded = await loadMarketFile(file, {
    market: request.market,
    venue: request.venue,
    ...(given === undefined ? {} : { intervalMs: given.intervalMs }),
    ...(request.kind === undefined ? {} : { kind: request.kind }),
  });
  const key =
    given ??
    resolveKey({
      venue: request.venue,
      market: request.market,
      timeframe: timeframeName(loaded.series.intervalMs),
    });
  const rows = candleRows(loaded.series, key);
  const store = await openPostgresStore(url);
  const total: WriteCounts = { rows: 0, inserted: 0, replaced: 0, duplicates: 0 };
  let gaps: CandleGap[];
  try {
    for (let i = 0; i < rows.length; i += BATCH) {
      const counts = await store.write(CANDLES, rows.slice(i, i + BATCH));
      total.rows += counts.rows;
      total.inserted += counts.inserted;
      total.replaced += counts.replaced;
      total.duplicates += counts.duplicates;
    }
    gaps = await refreshCandleGaps(store.sql, key);
  } finally {
    await store.close();
  }
  const result: PostgresImport = {
    ...total,
    gaps,
    venue: key.venue,
    market: key.market,
    timeframe: key.timeframe,
    kind: loaded.kind,
    first: loaded.series.startMs,
    last: loaded.series.length > 0 ? loaded.series.time[loaded.series.length - 1]! : Number.NaN,
  };
  if (loaded.trades !== undefined) result.trades = loaded.trades;
  return result;
}

/** Doubles are written as their shortest round-trip decimal, so reading back gives the same. */
function candleRows(series: CandleSeries, key: ReturnType<typeof resolveKey>): CandleRow[] {
  const rows: CandleRow[] = new Array(series.length);
  for (let i = 0; i < series.length; i++) {
    rows[i] = {
      venue: key.venue,
      market: key.market,
      timeframe: key.timeframe,
      openTime: series.time[i]!,
      open: series.open[i]!,
      high: series.high[i]!,
      low: series.low[i]!,
      close: series.close[i]!,
      volume: series.volume[i]!,
    };
  }
  return rows;
}

export interface PostgresCandles {
  candles: CandleSeries;
  /** For a report: `postgres <venue> <market> <timeframe>` (no credentials). */
  source: string;
}

/**
 * A market's candles from the URL's database; the URL's `venue`, `market` and `timeframe`
 * override the defaults given. Without a timeframe, the finest one stored is read.
 */
export async function loadPostgresCandles(
  url: string,
  defaults: { venue: string; market: string },
): Promise<PostgresCandles> {
  const { selection } = parsePostgresUrl(url);
  const venue = selection.venue ?? defaults.venue;
  const market = selection.market ?? defaults.market;
  const store = await openPostgresStore(url);
  try {
    const timeframe = selection.timeframe ?? (await storedTimeframes(store.sql, venue, market))[0];
    if (timeframe === undefined) {
      throw new InvalidInputError(
        `no candles of ${market} (${venue}) in PostgreSQL: import some with ` +
          `'crypy data import FILE --market ${market} --venue ${venue} --store postgres://…'`,
      );
    }
    const candles = await readCandles(store.sql, { venue, market, timeframe });
    if (candles.length === 0) {
      throw new InvalidInputError(`no ${timeframe} candles of ${market} (${venue}) in PostgreSQL`);
    }
    return { candles, source: `postgres ${venue} ${market} ${timeframe}` };
  } finally {
    await store.close();
  }
}
