/**
 * Coarser candles from finer ones, column to column: open of the first candle in a bucket, the
 * extremes, close of the last, summed volume. Buckets follow the store's grid (`gridFloor`), so a
 * 1h candle opens on the hour and a 1w candle on a Monday. A bucket with missing finer candles is
 * built from those present; one with none is a gap, as on a venue.
 */

import { CandleSeries, emptyColumns, truncateColumns } from "./candle-series.js";
import { gridFloor } from "./series-key.js";

export function resample(series: CandleSeries, intervalMs: number): CandleSeries {
  const out = emptyColumns(series.length);
  const { time, open, high, low, close, volume } = series;
  let n = -1;
  let bucketEnd = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < series.length; i++) {
    const t = time[i]!;
    if (t >= bucketEnd) {
      const start = gridFloor(t, intervalMs);
      bucketEnd = start + intervalMs;
      n++;
      out.time[n] = start;
      out.open[n] = open[i]!;
      out.high[n] = high[i]!;
      out.low[n] = low[i]!;
      out.volume[n] = volume[i]!;
    } else {
      if (high[i]! > out.high[n]!) out.high[n] = high[i]!;
      if (low[i]! < out.low[n]!) out.low[n] = low[i]!;
      out.volume[n] = out.volume[n]! + volume[i]!;
    }
    out.close[n] = close[i]!;
  }
  return new CandleSeries(truncateColumns(out, n + 1), intervalMs);
}
