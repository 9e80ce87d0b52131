/**
 * A Trader's warm-up: the closed candles it evaluates its candidates on, from the Desk's cache —
 * never the venue. The cache fills as the market runs, so a short answer is asked again each
 * candle, for at most twice the time that many candles take to close (and ten candles more); then
 * the warm-up gives up and says how far it got.
 *
 * Every wait is in the Trader's clock: each cache request (a request that times out counts as an
 * empty cache) and the candle between requests. A Trader stopped meanwhile warms no further.
 */
import type { Bus } from "../../bus/bus.js";
import { deskCache } from "../../bus/subjects.js";
import { InvalidInputError, TimeoutError } from "../../domain/errors.js";
import { candleFromOHLCV, type OHLCV } from "../../domain/market-data.js";
import { CandleSeries } from "../../sim/data/index.js";
import type { Clock } from "../../time/clock.js";
import { askWithin } from "../runtime/ask.js";

/** The Trader trades on one-minute candles. */
export const CANDLE_MS = 60_000;
/** Clock time a cache request may take before it is asked again. */
const CACHE_WAIT_MS = 60_000;

export type WarmUp =
  | { kind: "warm"; rows: OHLCV[] }
  | { kind: "short"; reason: string }
  | { kind: "stopped" };

export interface WarmUpSource {
  bus: Bus;
  clock: Clock;
  desk: string;
  market: string;
  /** How many candles the evaluation needs. */
  candles: number;
  /** True once the Trader was stopped: the warm-up ends with nothing. */
  stopped(): boolean;
}

/** The warm-up candles, the reason to give up, or nothing (stopped meanwhile). */
export async function warmUp(source: WarmUpSource): Promise<WarmUp> {
  const { bus, clock, desk, market, candles } = source;
  const warmBy = clock.now() + (2 * candles + 10) * CANDLE_MS;
  for (;;) {
    const rows = await askWithin<OHLCV[]>(
      bus,
      clock,
      deskCache(desk),
      { op: "candles", market, limit: candles },
      CACHE_WAIT_MS,
      `${desk}'s cache`,
    ).catch((err: unknown) => {
      if (err instanceof TimeoutError) return [];
      throw err;
    });
    if (!Array.isArray(rows))
      throw new InvalidInputError(`${desk} answered a cache request with ${typeof rows}`);
    if (source.stopped()) return { kind: "stopped" };
    if (rows.length >= candles) return { kind: "warm", rows };
    if (clock.now() >= warmBy)
      return {
        kind: "short",
        reason: `only ${rows.length} of ${candles} warm-up candles after waiting`,
      };
    await new Promise<void>((resolve) => clock.setTimeout(resolve, CANDLE_MS));
    if (source.stopped()) return { kind: "stopped" };
  }
}

/** Cache rows as the series a backtest reads. */
export function seriesOf(rows: readonly OHLCV[]): CandleSeries {
  return CandleSeries.from(rows.map(candleFromOHLCV), CANDLE_MS);
}
