/**
 * A Recorder's candle stream as closed candles, one per value: what it publishes on `candle-1m`
 * is `{ market, candle, seq }`, each candle once, closed, in time order, numbered one by one —
 * the Desk's and `crypy replay`'s shape, so a Trader takes a Recorder's market as it takes a
 * Desk's, and a skipped seq is a candle it missed, never a version it was not meant to see.
 *
 * Rules:
 * - Closes are found by ClosedCandles (domain/closed-candles.ts): a candle is closed once a later
 *   one opened. Several closed at once (a backfill) are handed on one per call, in order, so each
 *   gets its own seq (and its own lease in a store).
 * - The closing state outlives a failed watch: a reconnect's backfill brings the held candle's
 *   final version and the candles missed, and they close as if streamed.
 * - A call made while another waits (a stale stream resubscribing) shares its value: a closed
 *   candle is handed on once.
 */
import { ClosedCandles } from "../../domain/closed-candles.js";
import type { OHLCV } from "../../domain/market-data.js";

export function closedCandleFeed(
  watch: () => Promise<OHLCV[]>,
  /** Venue.streamsFormingCandles: false when the venue's candles come closed. */
  forming: boolean,
): () => Promise<OHLCV> {
  const closes = new ClosedCandles(forming);
  const ready: OHLCV[] = [];
  let inflight: Promise<OHLCV> | undefined;
  const next = async (): Promise<OHLCV> => {
    while (ready.length === 0) ready.push(...closes.take(await watch()));
    return ready.shift()!;
  };
  return () => {
    inflight ??= next().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
}
