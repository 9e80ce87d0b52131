/**
 * Candles served to clients: the feed's closed candles, resampled to a coarser timeframe on read.
 * Buckets are aligned to the epoch (a 1h candle opens on the hour). The last bucket may be
 * incomplete — like ccxt's current candle — but is built from closed candles only, never from the
 * future.
 */
import type { OHLCV } from "../domain/market-data.js";

export { parseTimeframe } from "../domain/timeframe.js";

import type { CandleSeries } from "../store/candle-series.js";

/** Index of the first candle opening at or after `time` among the first `count` (binary search). */
export function firstAtOrAfter(series: CandleSeries, count: number, time: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (series.time[mid]! < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Candles [from, to) of `series` in buckets of `timeframeMs`. */
export function aggregateCandles(
  series: CandleSeries,
  from: number,
  to: number,
  timeframeMs: number,
): OHLCV[] {
  const rows: OHLCV[] = [];
  let row: OHLCV | undefined;
  for (let i = from; i < to; i++) {
    const t = series.time[i]!;
    const bucket = t - (t % timeframeMs);
    if (row === undefined || row[0] !== bucket) {
      row = [
        bucket,
        series.open[i]!,
        series.high[i]!,
        series.low[i]!,
        series.close[i]!,
        series.volume[i]!,
      ];
      rows.push(row);
    } else {
      row[2] = Math.max(row[2], series.high[i]!);
      row[3] = Math.min(row[3], series.low[i]!);
      row[4] = series.close[i]!;
      row[5] += series.volume[i]!;
    }
  }
  return rows;
}
