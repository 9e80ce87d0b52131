/**
 * The equity curve as columns: one row per closed candle. A backtest marks equity on every candle;
 * as objects that is one allocation per candle kept for the whole run (30,000 for a month of
 * minutes), promoted to the old generation and scanned by every major GC. In typed arrays it is
 * four writes, and the metrics read it with one shape of number (no object's field changing from
 * integer to double under the optimiser). Rows become EquityPoints only when a caller asks for them.
 */
import type { EquityPoint } from "./types.js";

export class EquityCurve {
  time: Float64Array;
  equity: Float64Array;
  price: Float64Array;
  /** 1 where the strategy held a position at the mark. */
  inPosition: Uint8Array;
  length = 0;

  constructor(capacity = 1024) {
    const size = Math.max(1, capacity);
    this.time = new Float64Array(size);
    this.equity = new Float64Array(size);
    this.price = new Float64Array(size);
    this.inPosition = new Uint8Array(size);
  }

  static fromPoints(points: readonly EquityPoint[]): EquityCurve {
    const curve = new EquityCurve(points.length);
    for (const p of points) curve.push(p.time, p.equity, p.price, p.inPosition);
    return curve;
  }

  push(time: number, equity: number, price: number, inPosition: boolean): void {
    if (this.length === this.time.length) this.#grow();
    const i = this.length++;
    this.time[i] = time;
    this.equity[i] = equity;
    this.price[i] = price;
    this.inPosition[i] = inPosition ? 1 : 0;
  }

  /** Re-marks the last row (the run's final exit), if there is one. */
  remarkLast(equity: number, inPosition: boolean): void {
    if (this.length === 0) return;
    this.equity[this.length - 1] = equity;
    this.inPosition[this.length - 1] = inPosition ? 1 : 0;
  }

  points(): EquityPoint[] {
    const out = new Array<EquityPoint>(this.length);
    for (let i = 0; i < this.length; i++) {
      out[i] = {
        time: this.time[i]!,
        equity: this.equity[i]!,
        price: this.price[i]!,
        inPosition: this.inPosition[i] === 1,
      };
    }
    return out;
  }

  /**
   * Gives `target` an `equity` property holding this curve's points, built on first read (and
   * kept): most backtests (sweeps, benchmarks, a Trader's evaluation) read only the metrics, and
   * 30,000 point objects per run cost more than the rest of its bookkeeping. Enumerable, so JSON,
   * spreads and structured clones (worker messages) see the points as if they were a plain field.
   */
  lazyPointsOn<T extends object>(target: T): T & { equity: EquityPoint[] } {
    const settle = (value: EquityPoint[]) => {
      Object.defineProperty(target, "equity", {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
      return value;
    };
    Object.defineProperty(target, "equity", {
      get: () => settle(this.points()),
      set: settle,
      enumerable: true,
      configurable: true,
    });
    return target as T & { equity: EquityPoint[] };
  }

  #grow(): void {
    const size = this.time.length * 2;
    const grown = <T extends Float64Array | Uint8Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.time = grown(this.time, new Float64Array(size));
    this.equity = grown(this.equity, new Float64Array(size));
    this.price = grown(this.price, new Float64Array(size));
    this.inPosition = grown(this.inPosition, new Uint8Array(size));
  }
}
