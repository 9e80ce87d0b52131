/**
 * What `crypy replay` publishes, as time-ordered message streams (replay-streams.ts) under the
 * source `replay-<venue>`, in the shapes live sources use:
 *
 *   candle-<tf>  { market, candle: OHLCV, seq }         the Desk's shape, at the candle's close
 *   trade        { market, trades: Trade[], seq }       the Recorder's shape; one message per
 *                                                        millisecond of trades
 *   book         { market, seq, snapshot: { sequence, time, bids, asks } }
 *                { market, seq, diff: { first, last, time, bids, asks } }
 *                { market, seq, gap: { after, time, reason } }   updates were lost: drop the book
 *                                                        until the snapshot that follows
 * Trades and books come from PostgreSQL, read in pages (never the whole range at once).
 */
import { marketData } from "../bus/subjects.js";
import type { OHLCV } from "../domain/market-data.js";
import type { CandleSeries } from "./candle-series.js";
import type { Sql } from "./postgres/connect.js";
import { bookEventWire, readBook } from "./postgres/read-book.js";
import { type StoredTrade, streamTrades } from "./postgres/read-trades.js";
import type { ReplayMessage } from "./replay-streams.js";

export interface ReplayTarget {
  venue: string;
  market: string;
}

const source = (t: ReplayTarget) => `replay-${t.venue}`;

/** Each candle at its close. */
export async function* candleMessages(
  series: CandleSeries,
  t: ReplayTarget & { timeframe: string },
): AsyncGenerator<ReplayMessage> {
  const subject = marketData(source(t), t.market, `candle-${t.timeframe}`);
  for (let i = 0; i < series.length; i++) {
    const candle: OHLCV = [
      series.time[i]!,
      series.open[i]!,
      series.high[i]!,
      series.low[i]!,
      series.close[i]!,
      series.volume[i]!,
    ];
    yield {
      time: series.time[i]! + series.intervalMs,
      subject,
      body: { market: t.market, candle },
    };
  }
}

/** Trades of [from, to), a message per millisecond that has any. */
export async function* tradeMessages(
  sql: Sql,
  t: ReplayTarget & { from?: number; to?: number; pageSize?: number },
): AsyncGenerator<ReplayMessage> {
  const subject = marketData(source(t), t.market, "trade");
  const range = {
    venue: t.venue,
    market: t.market,
    ...(t.from === undefined ? {} : { from: t.from }),
    ...(t.to === undefined ? {} : { to: t.to }),
  };
  let batch: StoredTrade[] = [];
  for await (const page of streamTrades(sql, range, t.pageSize)) {
    for (const trade of page) {
      if (batch.length > 0 && batch[0]!.timestamp !== trade.timestamp) {
        yield { time: batch[0]!.timestamp, subject, body: { market: t.market, trades: batch } };
        batch = [];
      }
      batch.push(trade);
    }
  }
  if (batch.length > 0)
    yield { time: batch[0]!.timestamp, subject, body: { market: t.market, trades: batch } };
}

/** The book at `from`, then its diffs (and gaps) up to `to` inclusive. */
export async function* bookMessages(
  sql: Sql,
  t: ReplayTarget & { from: number; to: number },
): AsyncGenerator<ReplayMessage> {
  const subject = marketData(source(t), t.market, "book");
  for await (const event of readBook(sql, t)) {
    // The book at `from` goes out at `from` (its last update may be older).
    const time = event.kind === "snapshot" ? Math.max(event.time, t.from) : event.time;
    yield { time, subject, body: { market: t.market, ...bookEventWire(event) } };
  }
}
