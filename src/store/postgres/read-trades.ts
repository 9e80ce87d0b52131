/**
 * Trades out of PostgreSQL: one market, a range of times [from, to), in (time, trade id) order —
 * the tape as the venue printed it.
 *
 * Rules:
 * - Trade ids are text (venues differ), so "within one millisecond" is ordered by the id's length,
 *   then its text: numeric ids (Binance's, every venue crypy records) come out in numeric order.
 * - A read is bounded by `limit`; `after` (the last trade of the previous page) continues it, so a
 *   long range is read page by page without OFFSET and without skipping or repeating a trade.
 * - Prices and amounts come back as the stored decimal text, exact.
 * - `streamTrades` reads a whole range through one query's cursor, batch by batch: no page is
 *   sorted again, which a long replay would otherwise pay for on every page.
 */

import { InvalidInputError } from "../../domain/errors.js";
import type { PublicTrade } from "../../domain/market-data.js";
import type { Side } from "../../domain/order.js";
import type { Sql } from "./connect.js";
import { isoTime } from "./copy-text.js";

/** A stored trade in ccxt's shape; `side` is absent where the venue did not tell it. */
export type StoredTrade = Omit<PublicTrade, "side"> & { side?: Side };

export interface TradeQuery {
  venue: string;
  market: string;
  /** Epoch ms, inclusive; default: from the first. */
  from?: number;
  /** Epoch ms, exclusive; default: to the last. */
  to?: number;
  /** Continue after this trade (the last of the previous page). */
  after?: { time: number; id: string };
  /** At most this many trades (default: all). */
  limit?: number;
}

interface Row {
  id: string;
  t: number;
  price: string;
  amount: string;
  side: Side | null;
}

const tradeOf =
  (market: string) =>
  (r: Row): StoredTrade => ({
    id: r.id,
    timestamp: r.t,
    symbol: market,
    ...(r.side === null ? {} : { side: r.side }),
    price: r.price,
    amount: r.amount,
  });

/** Every trade of [from, to) in order, `batch` at a time, from one query. */
export async function* streamTrades(
  sql: Sql,
  query: Omit<TradeQuery, "after" | "limit">,
  batch = 5_000,
): AsyncGenerator<StoredTrade[]> {
  const from = query.from === undefined ? "-infinity" : isoTime(query.from);
  const to = query.to === undefined ? "infinity" : isoTime(query.to);
  const toTrade = tradeOf(query.market);
  const cursor = sql<Row[]>`
    SELECT trade_id AS id, (extract(epoch FROM time) * 1000)::float8 AS t,
      price::text AS price, amount::text AS amount, side
    FROM trades
    WHERE venue = ${query.venue} AND market = ${query.market}
      AND time >= ${from}::text::timestamptz AND time < ${to}::text::timestamptz
    ORDER BY time, length(trade_id), trade_id`.cursor(batch);
  for await (const rows of cursor) yield rows.map(toTrade);
}

export async function readTrades(sql: Sql, query: TradeQuery): Promise<StoredTrade[]> {
  const limit = query.limit;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0))
    throw new InvalidInputError(
      `a trade read's limit must be a whole number above 0, got ${limit}`,
    );
  const from = query.from === undefined ? "-infinity" : isoTime(query.from);
  const to = query.to === undefined ? "infinity" : isoTime(query.to);
  const after = query.after;
  const rows = await sql<Row[]>`
    SELECT trade_id AS id, (extract(epoch FROM time) * 1000)::float8 AS t,
      price::text AS price, amount::text AS amount, side
    FROM trades
    WHERE venue = ${query.venue} AND market = ${query.market}
      AND time >= ${from}::text::timestamptz AND time < ${to}::text::timestamptz
      ${
        after === undefined
          ? sql``
          : sql`AND (time, length(trade_id), trade_id) >
              (${isoTime(after.time)}::text::timestamptz, ${after.id.length}::int, ${after.id}::text)`
      }
    ORDER BY time, length(trade_id), trade_id
    ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`;
  return rows.map(tradeOf(query.market));
}
