/**
 * Which candle series a caller means, checked once at the edge of the store, and where it lives.
 *
 * A key names a venue, a market and a timeframe. Each has one spelling on disk so that two callers
 * naming the same series always reach the same directory:
 * - venue: `[a-z0-9][a-z0-9_-]*`, as typed (uppercase is refused, not folded — like market assets);
 * - market: a ccxt symbol (`BTC/USDT`) or its subject token (`BTC-USDT`); stored as the symbol,
 *   laid out under the token (tokens are file-name safe);
 * - timeframe: `1m`, `15m`, `4h`, … in its largest whole unit, so `60m` and `1h` are one series.
 *
 * Candles sit on a fixed grid of their timeframe: open times are multiples of the interval since
 * 1970-01-01 UTC, except weekly candles, which open on Mondays as on Binance and in ccxt.
 */

import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { InvalidInputError } from "../domain/errors.js";
import { marketFromToken, marketToken, parseMarket } from "../domain/market.js";
import { parseTimeframe } from "../domain/timeframe.js";

/** A series as callers name it. */
export interface SeriesKey {
  venue: string;
  /** A ccxt symbol (`BTC/USDT`) or a market token (`BTC-USDT`). */
  market: string;
  /** `1m`, `5m`, `1h`, `1d`, … */
  timeframe: string;
}

/** A checked key in its one canonical spelling. */
export interface ResolvedKey {
  venue: string;
  /** The ccxt symbol. */
  market: string;
  /** The market's subject token: the directory name. */
  token: string;
  timeframe: string;
  intervalMs: number;
}

const VENUE = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const WEEK_MS = 604_800_000;
/** 1970-01-05, the first Monday after the epoch. */
const MONDAY_MS = 4 * 86_400_000;
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["w", WEEK_MS],
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
];

export function resolveKey(key: SeriesKey): ResolvedKey {
  const venue = checkVenue(key.venue);
  const id = marketId(key.market);
  const intervalMs = parseTimeframe(key.timeframe);
  return {
    venue,
    market: id.symbol,
    token: marketToken(id),
    timeframe: timeframeName(intervalMs),
    intervalMs,
  };
}

export function checkVenue(venue: string): string {
  if (typeof venue === "string" && VENUE.test(venue)) return venue;
  throw new InvalidInputError(
    `invalid venue ${JSON.stringify(venue)}: use lowercase letters, digits, '-' and '_' ` +
      `(e.g. binance)`,
  );
}

/** A symbol, or a token as a convenience; a failure reports the symbol forms, which users type. */
function marketId(market: string) {
  if (typeof market === "string" && !market.includes("/") && /^[A-Z0-9-]+$/.test(market)) {
    try {
      return marketFromToken(market);
    } catch {
      // fall through to the symbol parser's message
    }
  }
  return parseMarket(market);
}

/** 3_600_000 → "1h"; 5_400_000 → "90m": the largest unit that divides the interval. */
export function timeframeName(intervalMs: number): string {
  for (const [unit, ms] of UNITS) {
    if (intervalMs % ms === 0) return `${intervalMs / ms}${unit}`;
  }
  return `${intervalMs}ms`;
}

/** Where the grid of this interval starts: the epoch, or the first Monday for weekly intervals. */
export function gridOrigin(intervalMs: number): number {
  return intervalMs % WEEK_MS === 0 ? MONDAY_MS : 0;
}

/** The open time of the grid cell of `intervalMs` holding `time`. */
export function gridFloor(time: number, intervalMs: number): number {
  const origin = gridOrigin(intervalMs);
  const offset = (time - origin) % intervalMs;
  return time - (offset < 0 ? offset + intervalMs : offset);
}

/** `BTC/USDT 1m (binance)`: how messages name a series. */
export function describeKey(key: Pick<ResolvedKey, "venue" | "market" | "timeframe">): string {
  return `${key.market} ${key.timeframe} (${key.venue})`;
}

/**
 * The store's root, resolved now: `CRYPY_DATA_DIR`, else `$XDG_DATA_HOME/crypy/data` (XDG says a
 * relative value is to be ignored), else `~/.local/share/crypy/data`.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env.CRYPY_DATA_DIR;
  if (own !== undefined && own !== "") return resolve(own);
  const xdg = env.XDG_DATA_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, "crypy", "data");
  return join(homedir(), ".local", "share", "crypy", "data");
}

/** The directory of one series under the store's root. */
export function seriesDir(root: string, key: ResolvedKey): string {
  return join(root, key.venue, key.token, key.timeframe);
}
