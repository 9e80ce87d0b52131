/**
 * A venue's request-weight limit as a rolling window: the weight spent in the last `windowMs` never
 * passes `weight`. Binance counts weight per IP in fixed minutes (X-MBX-USED-WEIGHT-1M); a rolling
 * window of the same size is stricter (any fixed minute lies inside some rolling one), so staying
 * under it never meets a 429.
 *
 * Rules:
 * - `take(cost, now)` spends `cost` and answers 0, or spends nothing and answers how long to wait
 *   until enough of the window has rolled off. A cost above the whole limit is let through when
 *   the window is empty: otherwise it could never run.
 * - `observe(used, now)`: the venue said how much of its current window is used (its count holds
 *   every client on the address, crypy's or not). When that is more than this window holds, the
 *   difference is spent now, so the next takes wait for it.
 * - Spending is kept as (time, cost) entries in order; entries older than the window are dropped
 *   as time moves, so memory is bounded by the requests of one window.
 */
import { InvalidInputError } from "../../domain/errors.js";

export interface WeightLimit {
  /** Weight allowed per window (ccxt's cost units: for binance, Binance's request weight). */
  weight: number;
  windowMs: number;
}

export function checkWeightLimit(limit: WeightLimit, where: string): WeightLimit {
  const { weight, windowMs } = limit;
  if (!(Number.isFinite(weight) && weight > 0) || !(Number.isInteger(windowMs) && windowMs > 0)) {
    throw new InvalidInputError(
      `${where}: a request-weight limit needs weight > 0 and windowMs a positive integer, got ${JSON.stringify(limit)}`,
    );
  }
  return limit;
}

export class WeightWindow {
  readonly #times: number[] = [];
  readonly #costs: number[] = [];
  #head = 0;
  #used = 0;

  constructor(readonly limit: WeightLimit) {
    checkWeightLimit(limit, "WeightWindow");
  }

  /** Weight spent in the window ending at `now`. */
  used(now: number): number {
    this.#roll(now);
    return this.#used;
  }

  /** Spends `cost` and returns 0, or returns the ms to wait before asking again. */
  take(cost: number, now: number): number {
    if (!(Number.isFinite(cost) && cost >= 0)) {
      throw new InvalidInputError(`a request's weight must be a number >= 0, got ${cost}`);
    }
    this.#roll(now);
    if (this.#used + cost <= this.limit.weight || this.#used === 0) {
      this.#spend(cost, now);
      return 0;
    }
    // Wait until enough of the oldest spending has left the window.
    let freed = 0;
    for (let i = this.#head; i < this.#times.length; i++) {
      freed += this.#costs[i]!;
      if (this.#used - freed + cost <= this.limit.weight) {
        return Math.max(1, this.#times[i]! + this.limit.windowMs - now + 1);
      }
    }
    return Math.max(1, this.#times.at(-1)! + this.limit.windowMs - now + 1);
  }

  /** The venue's own count of the current window: adopt it when it says more than ours. */
  observe(used: number, now: number): void {
    if (!Number.isFinite(used)) return;
    this.#roll(now);
    if (used > this.#used) this.#spend(used - this.#used, now);
  }

  /** Weight already spent elsewhere (another client's, told late): counted now, whatever is left. */
  spend(cost: number, now: number): void {
    if (!(Number.isFinite(cost) && cost > 0)) return;
    this.#roll(now);
    this.#spend(cost, now);
  }

  #spend(cost: number, now: number): void {
    if (cost === 0) return;
    this.#times.push(now);
    this.#costs.push(cost);
    this.#used += cost;
  }

  #roll(now: number): void {
    const oldest = now - this.limit.windowMs;
    while (this.#head < this.#times.length && this.#times[this.#head]! <= oldest) {
      this.#used -= this.#costs[this.#head]!;
      this.#head++;
    }
    if (this.#head === this.#times.length) this.#used = 0;
    // Compact now and then, so the arrays hold about one window of entries.
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times.splice(0, this.#head);
      this.#costs.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
