/**
 * A market's feed: the stream of market events the simulator replays, in time order.
 *
 * - PATH: the market trades at `price` (a point of the documented intra-candle path, or a real
 *   trade), with `volume` (base units) traded there.
 * - CLOSE: candle `closed` is complete and becomes visible; it is emitted only after all of its
 *   path points, at open + interval, so whoever sees candle t can only trade on what comes after.
 *
 * Feeds are cursors over columnar series and allocate nothing per event: the replay loop reads
 * `price`/`volume`/`closed` after `step()`.
 */
import type { CandleSeries } from "../store/candle-series.js";
import type { TradeSeries } from "../store/csv/trades-csv.js";
import { PATH_POINTS, pathOffsetMs, pathPrice } from "./data/price-path.js";

export const PATH = 0;
export const CLOSE = 1;
/**
 * A feed's "no next event". A constant rather than `Number.POSITIVE_INFINITY` read where a feed
 * runs out: that property read is first executed at a backtest's last candle, after the step
 * function was optimised without feedback for it, and V8 threw the optimised code away (and
 * compiled it again) in every fresh sweep worker.
 */
const NONE_LEFT = Number.POSITIVE_INFINITY;
export type FeedEvent = typeof PATH | typeof CLOSE;

export interface MarketFeed {
  /** Candles this feed closes, in order: what fetchOHLCV serves (up to `closedCount`). */
  readonly candles: CandleSeries;
  /** Time of the next event, Infinity when the feed is exhausted. */
  nextTime(): number;
  /** Moves to the next event and returns its kind; read its fields below. */
  step(): FeedEvent;
  /** Fields of the current event. */
  readonly time: number;
  readonly price: number;
  readonly volume: number;
  /** How many candles are complete (visible) so far. */
  readonly closedCount: number;
  /** The last `limit` path points already visited, oldest first (computed on demand). */
  recentPath(limit: number): PathPoint[];
}

export interface PathPoint {
  time: number;
  price: number;
  volume: number;
}

/** Replays candles along the intra-candle path (see data/price-path.ts). */
export class CandleFeed implements MarketFeed {
  time = 0;
  price = 0;
  volume = 0;
  closedCount = 0;
  private index = 0;
  private point = 0;
  /**
   * Time of the next event, kept up to date by `step` (the replay loop asks for it often). Starts
   * as a number, not undefined, so V8 stores it unboxed and a step allocates nothing.
   */
  private nextAt = NONE_LEFT;
  /** Offsets of the path points after the open, then the close's (the interval). */
  private readonly offsets: Float64Array;

  constructor(readonly candles: CandleSeries) {
    this.offsets = new Float64Array(PATH_POINTS + 1);
    for (let k = 0; k < PATH_POINTS; k++) this.offsets[k] = pathOffsetMs(k, candles.intervalMs);
    this.offsets[PATH_POINTS] = candles.intervalMs;
    if (candles.length > 0) this.nextAt = candles.time[0]!;
  }

  nextTime(): number {
    return this.nextAt;
  }

  step(): FeedEvent {
    const c = this.candles;
    const i = this.index;
    const k = this.point;
    const offsets = this.offsets;
    this.time = this.nextAt;
    if (k < PATH_POINTS) {
      this.price = pathPrice(c.open[i]!, c.high[i]!, c.low[i]!, c.close[i]!, k);
      this.volume = c.volume[i]! / PATH_POINTS;
      this.point = k + 1;
      this.nextAt = c.time[i]! + offsets[k + 1]!;
      return PATH;
    }
    this.closedCount = i + 1;
    this.index = i + 1;
    this.point = 0;
    this.nextAt = i + 1 < c.length ? c.time[i + 1]! : NONE_LEFT;
    return CLOSE;
  }

  recentPath(limit: number): PathPoint[] {
    const c = this.candles;
    const out: PathPoint[] = [];
    let i = Math.min(this.index, c.length - 1);
    let k = i === this.index ? this.point - 1 : PATH_POINTS - 1;
    while (out.length < limit && i >= 0) {
      if (k < 0) {
        i--;
        k = PATH_POINTS - 1;
        continue;
      }
      out.push({
        time: c.time[i]! + this.offsets[k]!,
        price: pathPrice(c.open[i]!, c.high[i]!, c.low[i]!, c.close[i]!, k),
        volume: c.volume[i]! / PATH_POINTS,
      });
      k--;
    }
    return out.reverse();
  }
}

/** Replays real trades as path points, closing the candles aggregated from them. */
export class TradeFeed implements MarketFeed {
  time = 0;
  price = 0;
  volume = 0;
  closedCount = 0;
  private trade = 0;

  constructor(
    private readonly trades: TradeSeries,
    readonly candles: CandleSeries,
  ) {}

  nextTime(): number {
    const tradeAt = this.trade < this.trades.length ? this.trades.time[this.trade]! : NONE_LEFT;
    const closeAt =
      this.closedCount < this.candles.length
        ? this.candles.time[this.closedCount]! + this.candles.intervalMs
        : NONE_LEFT;
    return Math.min(tradeAt, closeAt);
  }

  step(): FeedEvent {
    const tradeAt = this.trade < this.trades.length ? this.trades.time[this.trade]! : NONE_LEFT;
    const closeAt =
      this.closedCount < this.candles.length
        ? this.candles.time[this.closedCount]! + this.candles.intervalMs
        : NONE_LEFT;
    // A candle closes before a trade at the same instant: that trade belongs to the next candle.
    if (closeAt <= tradeAt) {
      this.time = closeAt;
      this.closedCount++;
      return CLOSE;
    }
    const t = this.trade++;
    this.time = tradeAt;
    this.price = this.trades.price[t]!;
    this.volume = this.trades.qty[t]!;
    return PATH;
  }

  recentPath(limit: number): PathPoint[] {
    const out: PathPoint[] = [];
    for (let t = Math.max(0, this.trade - limit); t < this.trade; t++) {
      out.push({
        time: this.trades.time[t]!,
        price: this.trades.price[t]!,
        volume: this.trades.qty[t]!,
      });
    }
    return out;
  }
}
