/**
 * The candle listener bench replay attaches, as any real use of a replay has one: it counts one
 * market's closes, sums their close prices and counts any close out of order. Both sides of the
 * benchmark hand their closes to it, so their tallies must be equal, exactly (the same closes,
 * added in the same order).
 */
import type { OHLCV } from "../src/domain/market-data.js";
import type { CandleSeries } from "../src/sim/data/index.js";
import type { SimEvent } from "../src/sim/simulator.js";

export class CloseTally {
  count = 0;
  sum = 0;
  outOfOrder = 0;
  private lastOpen = Number.NEGATIVE_INFINITY;

  constructor(readonly symbol: string) {}

  readonly listener = (event: SimEvent): void => {
    if (event.type === "candle" && event.symbol === this.symbol) this.add(event.candle);
  };

  private add(candle: OHLCV): void {
    if (candle[0] <= this.lastOpen) this.outOfOrder++;
    this.lastOpen = candle[0];
    this.count++;
    this.sum += candle[4];
  }

  /** Throws unless every close of `series` was told, once, in order. */
  check(series: CandleSeries, who: string): void {
    let sum = 0;
    for (let i = 0; i < series.length; i++) sum += series.close[i]!;
    if (this.count !== series.length || this.outOfOrder !== 0 || this.sum !== sum) {
      throw new Error(
        `bench replay: ${who}'s listener saw ${this.count}/${series.length} closes ` +
          `(${this.outOfOrder} out of order, close sum ${this.sum} vs ${sum})`,
      );
    }
  }
}
