/**
 * The market data a Desk follows at its venue for each watched market, into its DeskMarketData
 * (which caches and publishes it): 1-minute candles and tickers from the venue's streams, and on a
 * contract market its mark price and funding, read every MARK_EVERY_MS (Binance publishes its mark
 * each second) and published as crypy.md.<desk>.<market>.mark and .funding.
 *
 * Each follow lasts while the market is watched and the Desk runs (pump.ts retries a failing
 * stream a second later).
 */
import { ClosedCandles } from "../../domain/closed-candles.js";
import { parseMarket } from "../../domain/market.js";
import type { Logger } from "../../log/logger.js";
import type { Clock } from "../../time/clock.js";
import { pollEvery } from "../../time/poll.js";
import type { Venue } from "../../venues/venue.js";
import type { DeskMarketData } from "./market-data.js";
import { pump } from "./pump.js";

const MINUTE_MS = 60_000;

/** How often a contract market's mark and funding are read from the venue. */
export const MARK_EVERY_MS = 1_000;

export interface FeedEnv {
  venue: Venue;
  data: DeskMarketData;
  clock: Clock;
  log: Logger;
  /** While true, the follows go on. */
  running: () => boolean;
}

/**
 * The market's recent candles and its touch, before it is followed: the cache starts with the
 * history (nothing is published for it), and a Trader warmed on it may order before the stream's
 * first ticker — a market order needs the touch to bound its cost.
 */
export async function seedMarket(env: FeedEnv, market: string, candles: number): Promise<void> {
  // The ticker first: a candle opened after it is not closed by its time either.
  const ticker = await env.venue.fetchTicker(market);
  const history = await env.venue.fetchOHLCV(market, "1m", undefined, candles);
  // A venue streaming forming candles lists the forming one last: it is not history yet. "Now"
  // is the venue's (its ticker's time): a simulated venue's clock may run ahead of ours.
  const now = ticker.timestamp > 0 ? ticker.timestamp : env.clock.now();
  env.data.seed(
    market,
    env.venue.streamsFormingCandles === true
      ? history.filter((c) => c[0] + MINUTE_MS <= now)
      : history,
  );
  env.data.onTicker(market, ticker);
}

/** Follows `market`'s candles, tickers and (on a contract) mark and funding while `watched`. */
export function followMarket(env: FeedEnv, market: string, watched: () => boolean): void {
  const { venue, data } = env;
  const wanted = () => env.running() && watched();
  const follow = <T>(next: () => Promise<T>, handle: (value: T) => void) =>
    void pump(next, handle, wanted, { clock: env.clock, log: env.log });
  // Traders take candle-1m as closed candles: from a venue that streams the forming candle's
  // updates, each candle is published once it closed, with its final values.
  const closes = new ClosedCandles(venue.streamsFormingCandles === true);
  follow(
    () => venue.watchOHLCV(market, "1m"),
    (candles) => data.onCandles(market, closes.take(candles)),
  );
  follow(
    () => venue.watchTicker(market),
    (ticker) => data.onTicker(market, ticker),
  );
  const fetchFundingRate = venue.fetchFundingRate?.bind(venue);
  if (parseMarket(market).kind === "spot" || !venue.has.fetchFundingRate || !fetchFundingRate)
    return;
  follow(
    pollEvery(env.clock, MARK_EVERY_MS, () => fetchFundingRate(market)),
    (rate) => data.onFunding(market, rate),
  );
}
