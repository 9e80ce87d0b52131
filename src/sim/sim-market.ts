/**
 * One market inside the simulator: its instrument, order book (users' resting orders only, between
 * matches), stop book, liquidity model and feed, plus where the market's price path is now.
 */
import type { OrderBook, StopBook } from "./book/index.js";
import type { MarketFeed } from "./feed.js";
import type { Instrument } from "./instrument.js";
import type { LiquidityModel } from "./liquidity.js";

export type FillRule = "through" | "touch";

export interface SimMarket {
  readonly instrument: Instrument;
  readonly book: OrderBook;
  readonly stops: StopBook;
  readonly liquidity: LiquidityModel;
  readonly feed: MarketFeed;
  /** through: a resting limit fills when the path goes beyond its price; touch: when it reaches it. */
  readonly fillRule: FillRule;
  /** With touch: a resting limit fills only after the size displayed ahead of it has traded. */
  readonly queuePosition: boolean;
  /** Tick size as a float, for mapping path prices onto the tick grid. */
  readonly tickSize: number;
  /** The latest path price (NaN before the feed's first event) and its time. */
  lastPrice: number;
  lastTime: number;
}

/**
 * A path price in ticks: the exact tick when the price is on the grid up to float noise
 * (23140.48 / 0.01 = 2314047.9999999995), else the fractional position between ticks.
 */
export function pathTicks(m: SimMarket, price: number): number {
  const p = price / m.tickSize;
  const r = Math.round(p);
  return Math.abs(p - r) < 1e-6 ? r : p;
}

/** The reference price in whole ticks (at least one). */
export function referenceTicks(m: SimMarket): number {
  return Math.max(1, Math.round(m.lastPrice / m.tickSize));
}
