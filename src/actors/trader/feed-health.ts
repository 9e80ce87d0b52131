/**
 * Is the Trader's market feed fit to open a position on? A Trader opens none on a feed that is
 * gapped or stale, and waits until it is healthy again.
 *
 * Rules:
 * - Gapped: a candle's sequence number (a Desk, a Recorder or a replay numbers each subject's
 *   messages, closed candles only) skips past the last one seen + 1: candles the strategy never
 *   saw are missing. The Trader fetches the market's candles again from its Desk's cache and
 *   primes its strategy on them; until then the feed is gapped.
 * - Stale: no ticker for STALE_AFTER_MS of the Trader's clock (Desks send one a second), counted
 *   from when the Trader began listening: it follows tickers only once its proposal is accepted.
 * - A position already held is not affected: its exits go on.
 */
import { Staleness } from "../../time/staleness.js";

/** A ticker a second is the Desk's rate; this much silence is a stale feed. */
export const STALE_AFTER_MS = 30_000;

export class FeedHealth {
  readonly #tickers: Staleness;
  #lastSeq: number | undefined;
  #gap: { from: number; to: number } | undefined;

  constructor(now: number) {
    this.#tickers = new Staleness(STALE_AFTER_MS, now, 1);
  }

  ticker(now: number): void {
    this.#tickers.heard(now);
  }

  /**
   * The Trader subscribed to the tickers at `now`: their silence counts from here. A Trader that
   * spent minutes evaluating before its proposal was accepted has not missed those minutes.
   */
  listening(now: number): void {
    this.#tickers.heard(now);
  }

  /** A candle numbered `seq`; true when it reveals a gap (the feed is gapped from now on). */
  candle(seq: unknown): boolean {
    if (typeof seq !== "number" || !Number.isSafeInteger(seq)) return false;
    const last = this.#lastSeq;
    if (last !== undefined && seq <= last) return false; // a repeat: nothing new, nothing lost
    this.#lastSeq = seq;
    if (last === undefined || seq === last + 1) return false;
    this.#gap = { from: last + 1, to: seq - 1 };
    return true;
  }

  get gapped(): boolean {
    return this.#gap !== undefined;
  }

  /** The candles were fetched again and the strategy primed on them. */
  repaired(): void {
    this.#gap = undefined;
  }

  /** Why no position may be opened now, or undefined when the feed is healthy. */
  unhealthy(now: number): string | undefined {
    const gap = this.#gap;
    if (gap !== undefined) {
      const which = gap.from === gap.to ? `${gap.from}` : `${gap.from} to ${gap.to}`;
      return `feed gapped: candle messages ${which} were missed; fetching the candles again`;
    }
    if (this.#tickers.stale(now))
      return `feed stale: no ticker for ${Math.round(this.#tickers.silentFor(now) / 1000)} s`;
    return undefined;
  }
}
