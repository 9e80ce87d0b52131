/**
 * Indicator kernels over whole Float64Arrays: the screening fast path behind the built-ins'
 * `positions` (a sweep ranks thousands of candidates with them, and the strategy benchmark
 * measures them). They are written by hand, not taken from trading-signals, because they must be
 * allocation-free per candle — and they must reproduce, float for float, the incremental indicator
 * each strategy's `onCandle` uses: every kernel below repeats its twin's operations in the same
 * order. Equal floats mean equal decisions, ties included (flat one-minute markets make
 * mathematically equal averages often, and two summation orders would then round them apart).
 *
 * Convention: `out[i]` is the value after input i, NaN while the indicator is not ready.
 */

/**
 * Simple moving average by a rolling sum in a ring, re-added from scratch each time the ring wraps
 * (so rounding drift never builds up over a long live run). `rollingMean` is its array twin.
 * Replaces trading-signals' SMA in sma-cross: that one re-adds the whole window on every value
 * (two of them cost ≈ 110 ns per candle for 10/30 on the fixture, ≈ 190 ns for 50/200; these
 * two ≈ 15 ns), and the backtest aims at 1,000,000 candles/s for the whole simulator.
 */
export class RollingMean {
  private readonly ring: Float64Array;
  private pos = 0;
  private count = 0;
  private sum = 0;

  constructor(readonly period: number) {
    this.ring = new Float64Array(period);
  }

  /** Adds a value; returns the mean of the last `period` values, NaN until there are that many. */
  add(x: number): number {
    const p = this.period;
    if (this.count < p) {
      this.sum += x;
      this.count++;
    } else {
      this.sum += x - this.ring[this.pos]!;
    }
    this.ring[this.pos] = x;
    if (++this.pos === p) {
      this.pos = 0;
      let s = 0;
      for (let k = 0; k < p; k++) s += this.ring[k]!;
      this.sum = s;
    }
    return this.count === p ? this.sum / p : Number.NaN;
  }
}

/** RollingMean over a whole array. */
export function rollingMean(x: Float64Array, period: number, out: Float64Array): Float64Array {
  let sum = 0;
  let untilWrap = period;
  for (let i = 0; i < x.length; i++) {
    if (i < period) sum += x[i]!;
    else sum += x[i]! - x[i - period]!;
    if (--untilWrap === 0) {
      untilWrap = period;
      let s = 0;
      for (let k = i - period + 1; k <= i; k++) s += x[k]!;
      sum = s;
    }
    out[i] = i >= period - 1 ? sum / period : Number.NaN;
  }
  return out;
}

/**
 * trading-signals' EMA: seeded with the first value, weight 2 / (period + 1); it counts as ready
 * from the period-th value on (earlier outputs are kept, not NaN, because MACD feeds on them).
 */
export function ema(x: Float64Array, period: number, out: Float64Array): Float64Array {
  const w = 2 / (period + 1);
  let prev = x.length > 0 ? x[0]! : 0;
  for (let i = 0; i < x.length; i++) {
    prev = x[i]! * w + prev * (1 - w);
    out[i] = prev;
  }
  return out;
}

/**
 * trading-signals' RSI with its default Wilder smoothing (WSMA): the first average gain/loss is
 * the plain mean of the first `period` changes, then avg += (change − avg) × (1 / period).
 * Ready from input index `period` on.
 */
export function rsi(x: Float64Array, period: number, out: Float64Array): Float64Array {
  const factor = 1 / period;
  let avgGain = 0;
  let avgLoss = 0;
  if (x.length > 0) out[0] = Number.NaN;
  for (let i = 1; i < x.length; i++) {
    const price = x[i]!;
    const previous = x[i - 1]!;
    let gain = 0;
    let loss = 0;
    if (price > previous) gain = price - previous;
    else loss = previous - price;
    if (i < period) {
      avgGain += gain;
      avgLoss += loss;
      out[i] = Number.NaN;
      continue;
    }
    if (i === period) {
      avgGain = (avgGain + gain) / period;
      avgLoss = (avgLoss + loss) / period;
    } else {
      avgGain = (gain - avgGain) * factor + avgGain;
      avgLoss = (loss - avgLoss) * factor + avgLoss;
    }
    out[i] = avgLoss === 0 ? 100 : 100 - 100 / (avgGain / avgLoss + 1);
  }
  return out;
}

/**
 * trading-signals' BollingerBands: the middle band is the window's mean, the upper band
 * middle + stdDev × population standard deviation, both recomputed over the whole window (its
 * arithmetic, so O(period) per candle). Ready from index period − 1 on.
 */
export function bollinger(
  x: Float64Array,
  period: number,
  stdDev: number,
  middle: Float64Array,
  upper: Float64Array,
): void {
  for (let i = 0; i < x.length; i++) {
    if (i < period - 1) {
      middle[i] = Number.NaN;
      upper[i] = Number.NaN;
      continue;
    }
    const from = i - period + 1;
    let sum = 0;
    for (let k = from; k <= i; k++) sum += x[k]!;
    const mean = sum / period;
    let squares = 0;
    for (let k = from; k <= i; k++) {
      const d = x[k]! - mean;
      squares += d * d;
    }
    middle[i] = mean;
    upper[i] = mean + Math.sqrt(squares / period) * stdDev;
  }
}

/**
 * The highest of the `period` values before index i (not including it): a monotonic queue of
 * indices, O(1) amortised per value. Ready from index `period` on.
 */
export function previousMax(x: Float64Array, period: number, out: Float64Array): Float64Array {
  return previousExtreme(x, period, out, 1);
}

/** The lowest of the `period` values before index i; see previousMax. */
export function previousMin(x: Float64Array, period: number, out: Float64Array): Float64Array {
  return previousExtreme(x, period, out, -1);
}

function previousExtreme(
  x: Float64Array,
  period: number,
  out: Float64Array,
  sign: 1 | -1,
): Float64Array {
  // queue[head..tail) holds indices of the window whose values decrease (for max) from the front.
  const queue = new Int32Array(x.length);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < x.length; i++) {
    while (head < tail && queue[head]! < i - period) head++;
    out[i] = i >= period ? x[queue[head]!]! : Number.NaN;
    const v = x[i]! * sign;
    while (head < tail && x[queue[tail - 1]!]! * sign <= v) tail--;
    queue[tail++] = i;
  }
  return out;
}
