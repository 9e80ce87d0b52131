/**
 * Binance's request-weight limit, per client address, on the wall clock, as the venue file's
 * `rateLimit` sets it (`requests` of weight per `windowMs`; the default, 1200 per minute, is
 * Binance's classic spot limit). Windows are aligned to the epoch, as Binance's minutes are.
 *
 * - A request that would pass the limit is refused with 429 (-1003) and `Retry-After`: the seconds
 *   until the window ends. Refused requests add no weight.
 * - A client that goes on sending after its 429, `BAN_AFTER_REFUSALS` times in one window, is
 *   banned — Binance's "automated IP ban" for not backing off: 418 (-1003) with `Retry-After`, for
 *   `BAN_MS`, whatever it sends meanwhile. (Binance scales bans from 2 minutes to 3 days for repeat
 *   offenders; the simulator always gives the first step.)
 */
import { BinanceError } from "./binance-error.js";

/** Requests refused with 429 in one window after which the client is banned. */
export const BAN_AFTER_REFUSALS = 3;
/** How long a ban lasts: Binance's shortest, two minutes. */
export const BAN_MS = 120_000;

interface ClientState {
  window: number;
  used: number;
  refused: number;
  bannedUntil: number;
}

export class RequestWeightLimit {
  private readonly clients = new Map<string, ClientState>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** The header naming the window, as Binance names it: X-MBX-USED-WEIGHT-1M for a minute. */
  get header(): string {
    return `X-MBX-USED-WEIGHT-${intervalName(this.windowMs)}`;
  }

  /** The weight `client` has used in the current window. */
  usedBy(client: string): number {
    const state = this.clients.get(client);
    return state?.window === Math.floor(this.now() / this.windowMs) ? state.used : 0;
  }

  /** Adds `weight` for `client` and returns the window's total, or throws the 429 or 418. */
  add(client: string, weight: number): number {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    let state = this.clients.get(client);
    if (state === undefined) {
      state = { window, used: 0, refused: 0, bannedUntil: 0 };
      this.clients.set(client, state);
    }
    if (state.window !== window) {
      state.window = window;
      state.used = 0;
      state.refused = 0;
    }
    if (now < state.bannedUntil) throw banned(client, state.bannedUntil, now);
    if (state.used + weight > this.limit) {
      state.refused += 1;
      if (state.refused > BAN_AFTER_REFUSALS) {
        state.bannedUntil = now + BAN_MS;
        throw banned(client, state.bannedUntil, now);
      }
      const retryAfterMs = (window + 1) * this.windowMs - now;
      throw new BinanceError(
        429,
        -1003,
        `Too much request weight used; current limit is ${this.limit} request weight per ${intervalName(this.windowMs)}. Please use WebSocket Streams for live updates to avoid polling the API.`,
        { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) },
      );
    }
    state.used += weight;
    return state.used;
  }
}

function banned(client: string, until: number, now: number): BinanceError {
  return new BinanceError(
    418,
    -1003,
    `Way too much request weight used; IP(${client}) banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
    { retryAfterSeconds: Math.ceil((until - now) / 1000) },
  );
}

/** 60000 → "1M", 1000 → "1S", 3600000 → "1H"; otherwise whole seconds ("90S"). */
export function intervalName(ms: number): string {
  for (const [unit, size] of [
    ["D", 86_400_000],
    ["H", 3_600_000],
    ["M", 60_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.ceil(ms / 1000)}S`;
}

/** Binance's name for the interval of exchangeInfo's rateLimits entry. */
export function rateLimitInterval(ms: number): { interval: string; intervalNum: number } {
  const name = intervalName(ms);
  const unit = name.slice(-1);
  const interval = { S: "SECOND", M: "MINUTE", H: "HOUR", D: "DAY" }[unit] ?? "SECOND";
  return { interval, intervalNum: Number(name.slice(0, -1)) };
}
