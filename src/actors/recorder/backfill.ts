/**
 * Trades and 1m candles a stream missed while its connection was down, fetched over REST once
 * the stream is back (fetchTrades since the last trade seen, fetchOHLCV since the last candle
 * seen), and handed on once, before the first live value after the reconnect.
 *
 * Rules:
 * - A watch that fails marks the stream as needing a backfill. The next live value is held; the
 *   fetched rows that it and the stream have not already carried are handed on first
 *   (`feed.backfilled` with count, from, to), then the held value. A fetch that fails is told
 *   (`feed.backfill_failed`) and the live values go on: the break stays unmended, but not silent.
 * - Trades are deduplicated by id against the ids recently handed on (bounded), candles by open
 *   time: a backfill adds only the candles from the last one seen (its final version) up to the
 *   live value's first; a venue repeating a trade on the live stream is handed on once too.
 * - Nothing before the first value the stream ever saw is fetched: a backfill mends a break, it
 *   does not load history.
 */

import type { OHLCV, PublicTrade } from "../../domain/market-data.js";
import type { Venue } from "../../venues/venue.js";

type Emit = (event: string, fields: Record<string, unknown>) => void;

const RECENT_IDS = 5_000;
const FETCH_LIMIT = 1_000;

/** Recent ids, forgetting the oldest past `max`. */
class RecentIds {
  readonly #ids = new Set<string>();
  constructor(private readonly max: number) {}
  has(id: string): boolean {
    return this.#ids.has(id);
  }
  add(id: string): void {
    this.#ids.add(id);
    if (this.#ids.size > this.max) this.#ids.delete(this.#ids.values().next().value!);
  }
}

/**
 * Wraps a stream's `watch`: after a failure, the next call resolves with what was missed (if
 * anything) and the call after with the held live value.
 */
function mending<T>(
  watch: () => Promise<T>,
  fresh: (value: T) => T | undefined,
  missed: (live: T) => Promise<T | undefined>,
  failed: (err: unknown) => void,
): () => Promise<T> {
  let broken = false;
  let held: T | undefined;
  // A stream that resubscribes (stale) calls again while its old call waits: both get the one
  // value, so the ids it carries are marked seen only once it is handed on by the new call.
  let inflight: Promise<T> | undefined;
  const next = async (): Promise<T> => {
    if (held !== undefined) {
      const value = held;
      held = undefined;
      return value;
    }
    for (;;) {
      let value: T;
      try {
        value = await watch();
      } catch (err) {
        broken = true;
        throw err;
      }
      if (broken) {
        broken = false;
        let fetched: T | undefined;
        try {
          fetched = await missed(value);
        } catch (err) {
          failed(err);
        }
        const live = fresh(value);
        if (fetched !== undefined) {
          held = live;
          return fetched;
        }
        if (live !== undefined) return live;
        continue;
      }
      const live = fresh(value);
      if (live !== undefined) return live;
    }
  };
  return () => {
    inflight ??= next().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
}

export function tradesWithBackfill(
  venue: Venue,
  market: string,
  stream: string,
  emit: Emit,
): () => Promise<PublicTrade[]> {
  const recent = new RecentIds(RECENT_IDS);
  let last: number | undefined;
  const keep = (trades: readonly PublicTrade[]): PublicTrade[] => {
    const out = trades.filter((t) => !recent.has(t.id));
    for (const t of out) {
      recent.add(t.id);
      last = Math.max(last ?? t.timestamp, t.timestamp);
    }
    return out;
  };
  return mending(
    () => venue.watchTrades(market),
    (trades) => {
      const out = keep(trades);
      return out.length === 0 ? undefined : out;
    },
    async (live) => {
      if (last === undefined) return undefined;
      const since = last;
      const liveFrom = Math.min(...live.map((t) => t.timestamp));
      const fetched = await venue.fetchTrades(market, since, FETCH_LIMIT);
      const out = keep(fetched.filter((t) => t.timestamp <= liveFrom).sort(byTime));
      if (out.length === 0) return undefined;
      emit("feed.backfilled", {
        stream,
        kind: "trades",
        count: out.length,
        from: out[0]!.timestamp,
        to: out.at(-1)!.timestamp,
      });
      return out;
    },
    (err) => emit("feed.backfill_failed", { stream, kind: "trades", error: String(err) }),
  );
}

export function candlesWithBackfill(
  venue: Venue,
  market: string,
  stream: string,
  emit: Emit,
): () => Promise<OHLCV[]> {
  let lastOpen: number | undefined;
  return mending(
    () => venue.watchOHLCV(market, "1m"),
    (rows) => {
      for (const r of rows) lastOpen = Math.max(lastOpen ?? r[0], r[0]);
      return rows.length === 0 ? undefined : rows;
    },
    async (live) => {
      if (lastOpen === undefined) return undefined;
      const liveFrom = Math.min(...live.map((r) => r[0]));
      // The last candle seen before the break (its final version) up to the live one's.
      const since = Math.min(lastOpen, liveFrom);
      const fetched = await venue.fetchOHLCV(market, "1m", since, FETCH_LIMIT);
      const out = fetched.filter((r) => r[0] >= since && r[0] < liveFrom);
      if (out.length === 0) return undefined;
      emit("feed.backfilled", {
        stream,
        kind: "candles",
        count: out.length,
        from: out[0]![0],
        to: out.at(-1)![0],
      });
      return out;
    },
    (err) => emit("feed.backfill_failed", { stream, kind: "candles", error: String(err) }),
  );
}

const byTime = (a: PublicTrade, b: PublicTrade) => a.timestamp - b.timestamp;
