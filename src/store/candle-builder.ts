/**
 * Candles built from a stream of trades in time order, a batch at a time, so a table or file of
 * any size is aggregated in bounded memory. The same rules as `tradesToCandles`: open = the first
 * trade's price, high/low the extremes, close the last, volume the summed amount; a bucket without
 * a trade is a gap. Buckets follow the store's grid (`gridFloor`: weeks open on Mondays).
 *
 * Only closed candles are handed out by `takeClosed` (a candle is closed once a trade of a later
 * bucket arrives); `finish` hands out the last one.
 */

import { InvalidInputError } from "../domain/errors.js";
import { CandleSeries, emptyColumns } from "./candle-series.js";
import { gridFloor } from "./series-key.js";

export class CandleBuilder {
  private time: number[] = [];
  private open: number[] = [];
  private high: number[] = [];
  private low: number[] = [];
  private close: number[] = [];
  private volume: number[] = [];
  private lastTrade = Number.NEGATIVE_INFINITY;
  /** Trades taken in. */
  trades = 0;

  constructor(readonly intervalMs: number) {}

  add(time: number, price: number, amount: number): void {
    if (!(time >= this.lastTrade)) {
      throw new InvalidInputError(
        `trades out of time order: ${new Date(time).toISOString()} after ${new Date(this.lastTrade).toISOString()}`,
      );
    }
    this.lastTrade = time;
    this.trades++;
    const start = gridFloor(time, this.intervalMs);
    const n = this.time.length - 1;
    if (n < 0 || this.time[n] !== start) {
      this.time.push(start);
      this.open.push(price);
      this.high.push(price);
      this.low.push(price);
      this.close.push(price);
      this.volume.push(amount);
      return;
    }
    if (price > this.high[n]!) this.high[n] = price;
    if (price < this.low[n]!) this.low[n] = price;
    this.close[n] = price;
    this.volume[n] = this.volume[n]! + amount;
  }

  /** The candles closed so far (all but the one still open), removed from the builder. */
  takeClosed(): CandleSeries {
    return this.take(Math.max(0, this.time.length - 1));
  }

  /** Every candle left, the last one included. */
  finish(): CandleSeries {
    return this.take(this.time.length);
  }

  private take(n: number): CandleSeries {
    const columns = emptyColumns(n);
    columns.time.set(this.time.splice(0, n));
    columns.open.set(this.open.splice(0, n));
    columns.high.set(this.high.splice(0, n));
    columns.low.set(this.low.splice(0, n));
    columns.close.set(this.close.splice(0, n));
    columns.volume.set(this.volume.splice(0, n));
    return new CandleSeries(columns, this.intervalMs);
  }
}
