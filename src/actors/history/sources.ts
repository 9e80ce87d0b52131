/**
 * Where served history comes from: the local column store (candles only) or PostgreSQL (candles,
 * trades and book states). Ranges are [from, to) in epoch ms.
 */
import { InvalidInputError, NotSupportedError } from "../../domain/errors.js";
import type { OHLCV } from "../../domain/market-data.js";
import type { CandleSeries } from "../../store/candle-series.js";
import type { BookEvent, BookQuery } from "../../store/postgres/read-book.js";
import type { StoredTrade, TradeQuery } from "../../store/postgres/read-trades.js";

export interface CandleRange {
  venue: string;
  market: string;
  timeframe: string;
  from: number;
  /** Exclusive. */
  to: number;
}

export interface HistorySource {
  /** For logs and replies: `local store <dir>` or `postgres <db>` (no credentials). */
  readonly name: string;
  candles(range: CandleRange): Promise<OHLCV[]>;
  trades(query: TradeQuery): Promise<StoredTrade[]>;
  book(query: BookQuery): AsyncIterable<BookEvent>;
  close(): Promise<void>;
}

function rows(series: CandleSeries): OHLCV[] {
  return Array.from({ length: series.length }, (_, i) => [
    series.time[i]!,
    series.open[i]!,
    series.high[i]!,
    series.low[i]!,
    series.close[i]!,
    series.volume[i]!,
  ]);
}

/** The local column store at `dir` (default: crypy's data directory). */
export async function localHistory(dir?: string): Promise<HistorySource> {
  const { openStore } = await import("../../store/candle-store.js");
  const store = openStore(dir);
  const candlesOnly = (kind: string) =>
    new NotSupportedError(
      `the local store holds candles only, not ${kind}: serve ${kind} from PostgreSQL (--store postgres://…)`,
    );
  return {
    name: `local store ${store.dir}`,
    async candles(r) {
      // The local store's range is inclusive at both ends.
      const series = await store.read(
        { venue: r.venue, market: r.market, timeframe: r.timeframe },
        { from: r.from, to: r.to - 1 },
      );
      return rows(series);
    },
    trades: () => Promise.reject(candlesOnly("trades")),
    book: () => {
      throw candlesOnly("books");
    },
    close: async () => {},
  };
}

/** The PostgreSQL store at `url` (migrated on open, as every PostgreSQL command does). */
export async function postgresHistory(url: string): Promise<HistorySource> {
  const pg = await import("../../store/postgres/index.js");
  const { openPostgresStore } = await import("../../store/postgres/store.js");
  const store = await openPostgresStore(url);
  const database = new URL(pg.parsePostgresUrl(url).url);
  return {
    name: `postgres ${database.host}${database.pathname}`,
    async candles(r) {
      const series = await pg.readCandles(store.sql, r);
      return rows(series);
    },
    trades: (q) => pg.readTrades(store.sql, q),
    book: (q) => pg.readBook(store.sql, q),
    close: () => store.close(),
  };
}

/** `postgres://…` or a local store directory. */
export async function openHistorySource(store: string | undefined): Promise<HistorySource> {
  if (store !== undefined && store.length === 0)
    throw new InvalidInputError("--store is empty: give a directory or a postgres:// URL");
  const { isPostgresUrl } = await import("../../store/postgres/url.js");
  return store !== undefined && isPostgresUrl(store) ? postgresHistory(store) : localHistory(store);
}
