/**
 * Candles stored by column (one Float64Array per field), so a replay or an indicator walks flat
 * arrays instead of objects.
 *
 * Invariants, checked on construction (corrupt data is worse than no data):
 * - every value is finite; low > 0; volume >= 0; high >= max(open, close); low <= min(open, close);
 * - open times increase by at least one interval from row to row: candles never overlap, but gaps
 *   (minutes without trades) are allowed and expected.
 *
 * The columns are shared, not copied, by `slice`; treat them as read-only.
 */

import { InvalidInputError } from "../domain/errors.js";
import type { Candle } from "../domain/market-data.js";

export interface CandleColumns {
  /** Open time, epoch ms. */
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Why a candle breaks the invariants (naming the column), or undefined if it is sound. */
export function candleProblem(
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): string | undefined {
  // One combined test keeps the common (sound) case to a single branch; NaN fails every comparison.
  if (
    low > 0 &&
    high >= open &&
    high >= close &&
    low <= open &&
    low <= close &&
    volume >= 0 &&
    high < Number.POSITIVE_INFINITY &&
    volume < Number.POSITIVE_INFINITY
  ) {
    return undefined;
  }
  const values = { open, high, low, close, volume };
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) return `column '${name}': expected a finite number, got ${value}`;
  }
  if (!(low > 0)) return `column 'low': expected > 0, got ${low}`;
  if (volume < 0) return `column 'volume': expected >= 0, got ${volume}`;
  if (high < low) return `column 'high': ${high} is below low ${low}`;
  if (high < Math.max(open, close)) {
    return `column 'high': ${high} is below max(open, close) ${Math.max(open, close)}`;
  }
  return `column 'low': ${low} is above min(open, close) ${Math.min(open, close)}`;
}

/** Why `time` cannot follow `previous` in a series of this interval, or undefined. */
export function timeProblem(
  previous: number,
  time: number,
  intervalMs: number,
): string | undefined {
  if (time - previous >= intervalMs && time < Number.POSITIVE_INFINITY) return undefined;
  if (!Number.isFinite(time)) return `column 'open_time': expected a finite time, got ${time}`;
  if (time <= previous) {
    return `column 'open_time': ${isoTime(time)} is not after the previous row's ${isoTime(previous)}`;
  }
  return (
    `column 'open_time': ${isoTime(time)} is less than one interval (${intervalMs} ms) after the ` +
    `previous row's ${isoTime(previous)}`
  );
}

function isoTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/** Set only while `slice` builds a view of an already validated series. */
let trusted = false;

export class CandleSeries {
  readonly length: number;
  readonly intervalMs: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;

  /** Validates the columns (all the same length) against the invariants above. */
  constructor(columns: CandleColumns, intervalMs: number) {
    const { time, open, high, low, close, volume } = columns;
    this.length = time.length;
    this.intervalMs = intervalMs;
    this.time = time;
    this.open = open;
    this.high = high;
    this.low = low;
    this.close = close;
    this.volume = volume;
    if (!trusted) this.validate();
  }

  /**
   * @example
   * CandleSeries.from([{ timestamp: 0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 }], 60_000);
   */
  static from(candles: readonly Candle[], intervalMs: number): CandleSeries {
    const n = candles.length;
    const columns = emptyColumns(n);
    for (let i = 0; i < n; i++) {
      const c = candles[i]!;
      columns.time[i] = c.timestamp;
      columns.open[i] = c.open;
      columns.high[i] = c.high;
      columns.low[i] = c.low;
      columns.close[i] = c.close;
      columns.volume[i] = c.volume;
    }
    return new CandleSeries(columns, intervalMs);
  }

  /** Open time of the first candle (NaN when empty). */
  get startMs(): number {
    return this.length > 0 ? this.time[0]! : Number.NaN;
  }

  /** Close time of the last candle: its open time + interval (NaN when empty). */
  get endMs(): number {
    return this.length > 0 ? this.time[this.length - 1]! + this.intervalMs : Number.NaN;
  }

  /** The i-th candle; negative i counts from the end, like Array.prototype.at. */
  at(i: number): Candle {
    const k = i < 0 ? this.length + i : i;
    if (!Number.isInteger(k) || k < 0 || k >= this.length) {
      throw new InvalidInputError(`candle index ${i} out of range (length ${this.length})`);
    }
    return {
      timestamp: this.time[k]!,
      open: this.open[k]!,
      high: this.high[k]!,
      low: this.low[k]!,
      close: this.close[k]!,
      volume: this.volume[k]!,
    };
  }

  /** Rows [from, to) as a view sharing this series' memory (indices as in Array.prototype.slice). */
  slice(from?: number, to?: number): CandleSeries {
    trusted = true;
    try {
      return new CandleSeries(
        {
          time: this.time.subarray(from, to),
          open: this.open.subarray(from, to),
          high: this.high.subarray(from, to),
          low: this.low.subarray(from, to),
          close: this.close.subarray(from, to),
          volume: this.volume.subarray(from, to),
        },
        this.intervalMs,
      );
    } finally {
      trusted = false;
    }
  }

  /** Index of the first candle opening at or after `timeMs` (length if none): a binary search. */
  indexAtOrAfter(timeMs: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.time[mid]! < timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  toCandles(): Candle[] {
    const out: Candle[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    return out;
  }

  private validate(): void {
    if (!(Number.isFinite(this.intervalMs) && this.intervalMs > 0)) {
      throw new InvalidInputError(`candles: intervalMs must be > 0, got ${this.intervalMs}`);
    }
    for (const name of ["open", "high", "low", "close", "volume"] as const) {
      if (this[name].length !== this.length) {
        throw new InvalidInputError(
          `candles: column '${name}' has ${this[name].length} rows, 'time' has ${this.length}`,
        );
      }
    }
    for (let i = 0; i < this.length; i++) {
      const problem =
        candleProblem(
          this.open[i]!,
          this.high[i]!,
          this.low[i]!,
          this.close[i]!,
          this.volume[i]!,
        ) ??
        (i === 0
          ? Number.isFinite(this.time[0]!)
            ? undefined
            : `column 'open_time': expected a finite time, got ${this.time[0]}`
          : timeProblem(this.time[i - 1]!, this.time[i]!, this.intervalMs));
      if (problem !== undefined) throw new InvalidInputError(`candles: row ${i}: ${problem}`);
    }
  }
}

/** Zero-filled columns of n rows. */
export function emptyColumns(n: number): CandleColumns {
  return {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** The first n rows of each column, as views. */
export function truncateColumns(columns: CandleColumns, n: number): CandleColumns {
  return {
    time: columns.time.subarray(0, n),
    open: columns.open.subarray(0, n),
    high: columns.high.subarray(0, n),
    low: columns.low.subarray(0, n),
    close: columns.close.subarray(0, n),
    volume: columns.volume.subarray(0, n),
  };
}
