/**
 * One market inside the simulator: its instrument, order book (users' resting orders only, between
 * matches), stop book, liquidity source (synthetic makers, or a live venue's L2 book) and feed,
 * plus where the market's price path is now.
 */

import { type BookListener, OrderBook, StopBook, type StpMode } from "./book/index.js";
import type { ContractConfig } from "./config/types.js";
import type { MarketFeed } from "./feed.js";
import type { Instrument } from "./instrument.js";
import type { LiquiditySource } from "./liquidity-source.js";

export type FillRule = "through" | "touch";

export interface SimMarket {
  readonly instrument: Instrument;
  readonly book: OrderBook;
  readonly stops: StopBook;
  readonly liquidity: LiquiditySource;
  readonly feed: MarketFeed;
  /** through: a resting limit fills when the path goes beyond its price; touch: when it reaches it. */
  readonly fillRule: FillRule;
  /** With touch: a resting limit fills only after the size displayed ahead of it has traded. */
  readonly queuePosition: boolean;
  /** Contracts: the venue file's terms (index market, funding, liquidation fee). */
  readonly terms: ContractConfig | undefined;
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

/** A path volume (base units) in lots: whole when it is on the lot grid up to float noise. */
export function pathLots(m: SimMarket, volume: number): number {
  const v = volume / Number(m.instrument.spec.lotSize);
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-6 ? r : v;
}

/** The reference price in whole ticks (at least one). */
export function referenceTicks(m: SimMarket): number {
  return Math.max(1, Math.round(m.lastPrice / m.tickSize));
}

/** What the exchange needs to run one market. */
export interface MarketSetup {
  instrument: Instrument;
  feed: MarketFeed;
  liquidity: LiquiditySource;
  fillRule: FillRule;
  queuePosition: boolean;
  terms?: ContractConfig;
}

/** A market with an empty book whose fills go to `listener`, before its feed's first event. */
export function createSimMarket(
  setup: MarketSetup,
  listener: BookListener,
  stp: StpMode,
): SimMarket {
  return {
    instrument: setup.instrument,
    book: new OrderBook(listener, { stp }),
    stops: new StopBook(),
    liquidity: setup.liquidity,
    feed: setup.feed,
    fillRule: setup.fillRule,
    queuePosition: setup.queuePosition,
    terms: setup.terms,
    tickSize: Number(setup.instrument.spec.tickSize),
    lastPrice: Number.NaN,
    lastTime: Number.NaN,
  };
}
