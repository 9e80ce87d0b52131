/**
 * The wait for an entry signal once a mandate is in hand. It is bounded three ways, whichever
 * comes first: `maxCandles` closed candles; the clock time those candles take and one more, since
 * candles may stop coming; and the mandate's expiry, which it never outlives. Each bound that ends
 * the wait says why; `stop` (entered, exited, ended) ends the clock bound with no word.
 */
import type { Clock, TimerHandle } from "../../time/clock.js";
import { duration } from "../runtime/ask.js";
import { CANDLE_MS } from "./warm-up.js";

const EXPIRED = "mandate expired before an entry signal";

export class EntryWait {
  #candles = 0;
  #expiresAt: number | undefined;
  #timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly maxCandles: number,
  ) {}

  /** Starts the clock bound of a mandate expiring at `expiresAt`; `over(why)` when it runs out. */
  start(expiresAt: number, over: (why: string) => void): void {
    this.#expiresAt = expiresAt;
    const signalWait = (this.maxCandles + 1) * CANDLE_MS;
    const untilExpiry = expiresAt - this.clock.now();
    this.#timer = this.clock.setTimeout(
      () => {
        this.#timer = undefined;
        over(
          untilExpiry <= signalWait ? EXPIRED : `no entry signal within ${duration(signalWait)}`,
        );
      },
      Math.max(0, Math.min(signalWait, untilExpiry)),
    );
  }

  /** Counts a closed candle; why the wait is over if the mandate ran out, else undefined. */
  candle(): string | undefined {
    this.#candles++;
    if (this.#expiresAt !== undefined && this.clock.now() >= this.#expiresAt) return EXPIRED;
    return undefined;
  }

  /** As many candles as the wait allows have closed without an entry. */
  get exhausted(): boolean {
    return this.#candles >= this.maxCandles;
  }

  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
