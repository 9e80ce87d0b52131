/**
 * A market recorded into PostgreSQL as a simulator data source (venue file `data: { source:
 * recorded, store: postgres://…, from, to }`).
 *
 * Rules:
 * - The URL's `venue` parameter names the recorded venue (default binance), its `market` the
 *   recorded market (default: the venue file's market symbol).
 * - The price path is the recorded trades of [from, to) (each a path point, candles of 1m built
 *   from them); a range without trades takes the recorded 1m candles instead. Neither is an error.
 * - The liquidity orders meet is the recorded L2 book (recorded-book.ts) of the same range: its
 *   state at `from`, then each diff at its time. Without book rows the market has no liquidity
 *   beyond what the path crosses: an error, since fills would then be made up.
 * - As on any feed, the market opens at its first path point: before the first trade (or candle)
 *   the recorded book is not shown and orders meet nothing.
 * Everything is read once, at load: the simulator's clock runs synchronously.
 */
import { InvalidInputError } from "../domain/errors.js";
import type { CandleSeries } from "../store/candle-series.js";
import { TAKER_BUY, TAKER_SELL, TradeSeries, tradesToCandles } from "../store/csv/trades-csv.js";
import type { BookEvent } from "../store/postgres/read-book.js";
import type { RecordedDataConfig } from "./config/types.js";
import { CandleFeed, type MarketFeed, TradeFeed } from "./feed.js";

/** A feed whose market also carries a recorded L2 book. */
export type RecordedFeed = MarketFeed & { readonly recordedBook: readonly BookEvent[] };

export function hasRecordedBook(feed: MarketFeed): feed is RecordedFeed {
  return "recordedBook" in feed;
}

export async function loadRecorded(
  data: RecordedDataConfig,
  symbol: string,
): Promise<RecordedFeed> {
  const { parsePostgresUrl } = await import("../store/postgres/url.js");
  const { openPostgresStore } = await import("../store/postgres/store.js");
  const { readTrades } = await import("../store/postgres/read-trades.js");
  const { readBook } = await import("../store/postgres/read-book.js");
  const { readCandles } = await import("../store/postgres/read-candles.js");
  const { selection } = parsePostgresUrl(data.store);
  const venue = selection.venue ?? "binance";
  const market = selection.market ?? symbol;
  const range = `${new Date(data.fromMs).toISOString()} to ${new Date(data.toMs).toISOString()}`;
  const store = await openPostgresStore(data.store);
  try {
    const book: BookEvent[] = [];
    for await (const event of readBook(store.sql, {
      venue,
      market,
      from: data.fromMs,
      to: data.toMs - 1,
    }))
      book.push(event);
    if (book.length === 0)
      throw new InvalidInputError(
        `no recorded book of ${market} (${venue}) in PostgreSQL from ${range}: record one with 'crypy record … --kinds book' and a PostgreSQL store`,
      );
    const trades = await readTrades(store.sql, { venue, market, from: data.fromMs, to: data.toMs });
    if (trades.length > 0) {
      const series = new TradeSeries({
        id: Float64Array.from(trades, (t, i) =>
          Number.isSafeInteger(Number(t.id)) ? Number(t.id) : i,
        ),
        time: Float64Array.from(trades, (t) => t.timestamp),
        price: Float64Array.from(trades, (t) => Number(t.price)),
        qty: Float64Array.from(trades, (t) => Number(t.amount)),
        takerSide: Uint8Array.from(trades, (t) => (t.side === "sell" ? TAKER_SELL : TAKER_BUY)),
      });
      return Object.assign(new TradeFeed(series, tradesToCandles(series, 60_000)), {
        recordedBook: book,
      });
    }
    const candles: CandleSeries = await readCandles(store.sql, {
      venue,
      market,
      timeframe: "1m",
      from: data.fromMs,
      to: data.toMs,
    });
    return Object.assign(new CandleFeed(candles), { recordedBook: book });
  } finally {
    await store.close();
  }
}
