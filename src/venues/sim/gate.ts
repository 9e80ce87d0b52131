/**
 * The gate in front of a simulated venue: what the network and the venue's front door do to every
 * request before the matching engine sees it. Shared by every connection to one simulated venue.
 *
 * - Latency: one-way = fixedMs + a seeded uniform whole number of ms in [0, jitterMs] (venue
 *   timestamps stay whole milliseconds); a request arrives after one draw, its reply after another.
 * - Rate limit, per account, sliding window: more than `requests` in any `windowMs` is refused with
 *   a retryable RateLimitError carrying retryAfterMs.
 * - Faults: inside a disconnect window every request fails with NetworkError; order requests are
 *   rejected with NetworkError with probability rejectProbability (seeded); inside a stale-data
 *   window market data stops updating.
 */
import { NetworkError, RateLimitError } from "../../domain/errors.js";
import type { FaultWindow, VenueConfig } from "../../sim/config/types.js";
import type { Random } from "../../sim/random.js";

export type RequestKind = "market-data" | "account" | "order";

export class SimGate {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly config: Pick<
      VenueConfig,
      "name" | "startMs" | "latency" | "rateLimit" | "faults"
    >,
    private readonly latencyRandom: Random,
    private readonly faultRandom: Random,
  ) {}

  /** One network hop, in ms. */
  oneWay(): number {
    const { fixedMs, jitterMs } = this.config.latency;
    return fixedMs + (jitterMs > 0 ? this.latencyRandom.int(0, Math.floor(jitterMs)) : 0);
  }

  /** Throws the error the venue would answer with, or returns when the request gets through. */
  admit(account: string, kind: RequestKind, now: number): void {
    const down = this.windowAt(this.config.faults.disconnects, now);
    if (down !== undefined) {
      throw new NetworkError(
        `${this.config.name}: connection lost (simulated disconnect until ${new Date(down).toISOString()})`,
      );
    }
    this.countRequest(account, now);
    if (kind === "order" && this.config.faults.rejectProbability > 0) {
      if (this.faultRandom.chance(this.config.faults.rejectProbability)) {
        throw new NetworkError(
          `${this.config.name}: the venue is busy and refused the request (simulated fault)`,
        );
      }
    }
  }

  isDisconnected(now: number): boolean {
    return this.windowAt(this.config.faults.disconnects, now) !== undefined;
  }

  /** Start of the stale-data window `now` is in, if any: market data is frozen as of then. */
  staleSince(now: number): number | undefined {
    const w = this.windowContaining(this.config.faults.staleData, now);
    return w === undefined ? undefined : this.config.startMs + w.afterMs;
  }

  private countRequest(account: string, now: number): void {
    const { requests, windowMs } = this.config.rateLimit;
    let times = this.recent.get(account);
    if (times === undefined) {
      times = [];
      this.recent.set(account, times);
    }
    let drop = 0;
    while (drop < times.length && times[drop]! <= now - windowMs) drop++;
    if (drop > 0) times.splice(0, drop);
    if (times.length >= requests) {
      const retryAfterMs = Math.max(1, Math.ceil(times[0]! + windowMs - now));
      throw new RateLimitError(
        `${this.config.name}: rate limit of ${requests} requests per ${windowMs} ms reached for ${account}; retry after ${retryAfterMs} ms`,
        { retryAfterMs },
      );
    }
    times.push(now);
  }

  /** End time of the window containing `now`, if any. */
  private windowAt(windows: readonly FaultWindow[], now: number): number | undefined {
    const w = this.windowContaining(windows, now);
    return w === undefined ? undefined : this.config.startMs + w.afterMs + w.durationMs;
  }

  private windowContaining(windows: readonly FaultWindow[], now: number): FaultWindow | undefined {
    const offset = now - this.config.startMs;
    return windows.find((w) => offset >= w.afterMs && offset < w.afterMs + w.durationMs);
  }
}
