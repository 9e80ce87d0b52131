/**
 * Public market data in ccxt's unified shapes: candles, public trades, order books, tickers.
 *
 * Money rule: trades, books and tickers carry decimal strings (exact, they feed orders and
 * matching); candles are plain numbers because they only feed analytics (indicators, backtest
 * statistics), where float speed matters and exactness does not. `percentage` is a statistic too.
 *
 * Invariants: timestamps are ms since the epoch; a candle's timestamp is its open time; book bids
 * are sorted best (highest) first, asks best (lowest) first.
 */

import type { Side } from "./order.js";

export interface Candle {
  /** Open time, ms since the epoch. */
  timestamp: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** ccxt's `fetchOHLCV` row: [timestamp, open, high, low, close, volume]. */
export type OHLCV = [number, number, number, number, number, number];

/** A trade on the public tape (anyone's), as opposed to our own Fill. */
export interface PublicTrade {
  id: string;
  timestamp: number;
  symbol: string;
  /** The taker's side. */
  side: Side;
  price: string;
  amount: string;
}

export type BookLevel = [price: string, amount: string];

export interface OrderBook {
  symbol: string;
  timestamp: number;
  bids: BookLevel[];
  asks: BookLevel[];
  /** Venue sequence number, for gap detection when applying deltas. */
  nonce?: number;
}

export interface Ticker {
  symbol: string;
  timestamp: number;
  bid?: string;
  ask?: string;
  last?: string;
  high?: string;
  low?: string;
  baseVolume?: string;
  quoteVolume?: string;
  /** 24h change in percent. */
  percentage?: number;
}

/**
 * @example
 * candleFromOHLCV([1_700_000_000_000, 1, 2, 0.5, 1.5, 10]);
 * // { timestamp: 1700000000000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }
 */
export function candleFromOHLCV(row: OHLCV): Candle {
  const [timestamp, open, high, low, close, volume] = row;
  return { timestamp, open, high, low, close, volume };
}

/**
 * @example
 * candleToOHLCV({ timestamp: 0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 });
 * // [0, 1, 2, 0.5, 1.5, 10]
 */
export function candleToOHLCV(candle: Candle): OHLCV {
  return [candle.timestamp, candle.open, candle.high, candle.low, candle.close, candle.volume];
}
