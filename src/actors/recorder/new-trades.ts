/**
 * A trade stream without repeats: an exchange (or a network) that delivers a trade message twice
 * must not make the Recorder publish the trade twice, and a store keyed by trade id must not be
 * asked to write it twice.
 *
 * Rules:
 * - A trade is new if its exchange trade id is not among the last `capacity` ids seen on this
 *   stream (bounded memory: the oldest id is forgotten first). Ids are unique per market at an
 *   exchange; a repeat arrives close after the original, well within the window.
 * - A batch with no new trade is not handed on: the next batch is awaited instead.
 */
import type { PublicTrade } from "../../domain/market-data.js";

/** Ids remembered per stream: far more than a busy market trades between two messages. */
export const SEEN_TRADES = 10_000;

/** `watch`, with the trades already handed on left out. */
export function newTrades(
  watch: () => Promise<PublicTrade[]>,
  capacity = SEEN_TRADES,
): () => Promise<PublicTrade[]> {
  const seen = new Set<string>();
  return async () => {
    for (;;) {
      const fresh = (await watch()).filter((t) => {
        if (seen.has(t.id)) return false;
        seen.add(t.id);
        if (seen.size > capacity) seen.delete(seen.values().next().value as string);
        return true;
      });
      if (fresh.length > 0) return fresh;
    }
  };
}
