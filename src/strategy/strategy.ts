/**
 * The Strategy API. A strategy is a small object: a name, a parameter schema (types, defaults,
 * ranges for search), a warm-up length, and incremental handlers that turn market data into
 * signals. It never sees the future (it gets each candle once, after it closed) and never touches
 * a venue: the backtest runner or a Trader turns its signals into orders.
 *
 * @example
 * export default defineStrategy({
 *   name: "always-long",
 *   description: "Buys on the first candle and holds",
 *   params: {},
 *   warmup: () => 1,
 *   create: () => ({ onCandle: (_c, ctx) => (ctx.inPosition ? undefined : { action: "enter", side: "long" }) }),
 * });
 */
import type { Candle, OrderBook, PublicTrade } from "../domain/market-data.js";

export type ParamSpec =
  | { type: "int"; default: number; min: number; max: number; step?: number; description?: string }
  | {
      type: "float";
      default: number;
      min: number;
      max: number;
      step?: number;
      description?: string;
    }
  | { type: "choice"; default: string; options: readonly string[]; description?: string };

export type ParamSchema = Readonly<Record<string, ParamSpec>>;
export type ParamValue = number | string;
export type ParamValues = Readonly<Record<string, ParamValue>>;

/**
 * What a strategy asks for. Prices are plain numbers (analytics); the runner turns them into exact
 * orders on the venue's grid. A short needs a contract market (a perpetual); spot ignores it.
 */
export type Signal =
  | {
      action: "enter";
      side: "long" | "short";
      /** Exit when the price path reaches this (below entry for a long). */
      stopLoss?: number;
      /** Exit when the price path reaches this (above entry for a long). */
      takeProfit?: number;
      /** Fraction of the capital the runner allows (0 < size ≤ 1); default: the runner's fraction. */
      size?: number;
    }
  | { action: "exit" };

/** What a strategy may know about its own position. */
export interface StrategyContext {
  readonly inPosition: boolean;
  readonly side: "long" | "short" | undefined;
  /** Average entry price of the open position, NaN when flat. */
  readonly entryPrice: number;
}

export interface StrategyInstance {
  /** Called once per closed candle, in time order, after warm-up candles too. */
  onCandle(candle: Candle, ctx: StrategyContext): Signal | undefined;
  onTrade?(trade: PublicTrade, ctx: StrategyContext): Signal | undefined;
  onBook?(book: OrderBook, ctx: StrategyContext): Signal | undefined;
}

/** Columns of a candle series, for the vectorised fast path. */
export interface CandleArrays {
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export interface Strategy<P extends ParamValues = ParamValues> {
  readonly name: string;
  readonly description: string;
  readonly params: ParamSchema;
  /**
   * What it needs beyond a long spot position: `short` if it enters short, `leverage` above 1 if
   * it trades levered. A Trader whose capabilities lack one drops it (src/actors/capabilities).
   */
  readonly needs?: { readonly short?: boolean; readonly leverage?: number };
  /** Candles needed before the first signal can be trusted. */
  warmup(params: P): number;
  create(params: P): StrategyInstance;
  /**
   * Constraints across parameters (each value has already passed its own spec), e.g. fast < slow:
   * a message naming the parameters when the values do not fit together, else undefined.
   */
  validate?(params: P): string | undefined;
  /**
   * Optional fast path for screening sweeps (like vectorbt): the desired position after each
   * candle's close over whole arrays — 1 long, 0 flat — computed from data up to that candle only.
   * Numbers a user reads always come from the full simulator; this only ranks candidates.
   */
  positions?(candles: CandleArrays, params: P): Int8Array;
}

/** Type helper for strategy files: `export default defineStrategy({...})`. */
export function defineStrategy<P extends ParamValues>(strategy: Strategy<P>): Strategy<P> {
  return strategy;
}
