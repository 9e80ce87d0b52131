/**
 * One market-data stream a Recorder follows at a venue (a market's trades, candles, ticker, …):
 * each value the venue's `watch*` call resolves with is numbered and handed on, and the stream
 * watches itself.
 *
 * Rules:
 * - Sequence numbers are per stream, from `firstSeq` (default 1), one per message handed on, never
 *   reused while the stream lives; a consumer that sees one skipped knows it missed a message.
 *   With `reserve`, a seq is handed on only once its reservation resolves (a store's durable
 *   lease); a value whose reservation fails is not numbered and is reported (`feed.bad_value`).
 * - Stale: no value for `expectedMs` × `graceFactor` of the clock. The stream says `feed.stale` and
 *   resubscribes (the pending watch's value, if it ever comes, is dropped: it belongs to the old
 *   subscription).
 * - A failing watch is retried after a Backoff delay (exponential, full jitter, capped), saying
 *   `feed.reconnect` with the attempt and the delay; a value resets the backoff.
 * - A value its consumer throws on is reported (`feed.bad_value`) and the stream goes on.
 * - `stop` ends it: no value is handed on after it, and `close` (a raw stream's socket) is called.
 */

import { Backoff } from "../../time/backoff.js";
import type { Clock, TimerHandle } from "../../time/clock.js";

export interface StreamOptions<T> {
  /** e.g. "binance BTC/USDT trades": named in events. */
  name: string;
  /** The venue's next value (a ccxt pro `watch*` call). */
  watch: () => Promise<T>;
  /** Each value with its sequence number. */
  onValue: (value: T, seq: number) => void;
  /** feed.stale and feed.reconnect, for the Recorder's events and status. */
  onEvent: (
    event: "feed.stale" | "feed.reconnect" | "feed.bad_value",
    fields: Record<string, unknown>,
  ) => void;
  clock: Clock;
  /** The first sequence number (default 1): a store continues a stream's numbering. */
  firstSeq?: number;
  /** A promise to await before handing on `seq`, or undefined to go at once. */
  reserve?: (seq: number) => Promise<void> | undefined;
  /** The stream's usual interval between values. */
  expectedMs: number;
  graceFactor?: number;
  backoff?: { baseMs: number; capMs: number; random?: () => number };
  /** Releases what `watch` holds open (a raw stream's socket), at stop. */
  close?: () => void;
}

export class RecordedStream<T> {
  readonly #o: StreamOptions<T>;
  readonly #backoff: Backoff;
  #seq = 0;
  /** Bumped on each (re)subscription: a value from an older one is dropped. */
  #generation = 0;
  #running = false;
  #watchdog: TimerHandle | undefined;
  #lastValueAt: number | undefined;
  stale = 0;
  reconnects = 0;

  constructor(options: StreamOptions<T>) {
    this.#o = options;
    this.#backoff = new Backoff(options.backoff ?? { baseMs: 1_000, capMs: 60_000 });
    this.#seq = (options.firstSeq ?? 1) - 1;
  }

  /** The last sequence number handed on (`firstSeq - 1`: none yet). */
  get seq(): number {
    return this.#seq;
  }

  get lastValueAt(): number | undefined {
    return this.#lastValueAt;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#subscribe();
  }

  stop(): void {
    this.#running = false;
    this.#generation++;
    if (this.#watchdog !== undefined) this.#o.clock.clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
    this.#o.close?.();
  }

  #subscribe(): void {
    const generation = ++this.#generation;
    this.#arm(generation);
    void this.#loop(generation);
  }

  async #loop(generation: number): Promise<void> {
    while (this.#running && generation === this.#generation) {
      let value: T;
      try {
        value = await this.#o.watch();
      } catch (err) {
        if (!this.#running || generation !== this.#generation) return;
        const delay = this.#backoff.next();
        this.reconnects++;
        this.#o.onEvent("feed.reconnect", {
          stream: this.#o.name,
          attempt: this.#backoff.attempt,
          delayMs: delay,
          error: String(err),
        });
        await new Promise<void>((r) => this.#o.clock.setTimeout(r, delay));
        continue;
      }
      if (!this.#running || generation !== this.#generation) return;
      this.#backoff.reset();
      this.#lastValueAt = this.#o.clock.now();
      this.#arm(generation);
      const reserving = this.#o.reserve?.(this.#seq + 1);
      if (reserving !== undefined) {
        try {
          await reserving;
        } catch (err) {
          if (!this.#running || generation !== this.#generation) return;
          this.#o.onEvent("feed.bad_value", { stream: this.#o.name, error: String(err) });
          continue;
        }
        if (!this.#running || generation !== this.#generation) return;
      }
      try {
        this.#o.onValue(value, ++this.#seq);
      } catch (err) {
        // A value its consumer cannot take is that value's problem: the stream goes on.
        this.#o.onEvent("feed.bad_value", { stream: this.#o.name, error: String(err) });
      }
    }
  }

  /** The watchdog: silent past the limit, the stream is stale and subscribes again. */
  #arm(generation: number): void {
    const clock = this.#o.clock;
    if (this.#watchdog !== undefined) clock.clearTimeout(this.#watchdog);
    const limit = this.#o.expectedMs * (this.#o.graceFactor ?? 3);
    this.#watchdog = clock.setTimeout(() => {
      if (!this.#running || generation !== this.#generation) return;
      this.stale++;
      this.#o.onEvent("feed.stale", {
        stream: this.#o.name,
        silentMs: Math.round(clock.now() - (this.#lastValueAt ?? clock.now() - limit)),
      });
      this.#subscribe();
    }, limit);
  }
}
