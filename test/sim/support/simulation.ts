/**
 * Helpers for tests that drive a whole simulated venue (createSimulation) on its virtual clock.
 */
import { parseDecimal } from "../../../src/domain/fixed.js";
import type { CandleSeries } from "../../../src/sim/data/index.js";
import { PATH_POINTS, pathOffsetMs, pathPrice } from "../../../src/sim/data/index.js";

/** A decimal string as integer minor units with `scale` decimals (exact). */
export function units(decimal: string, scale = 8): bigint {
  return parseDecimal(decimal, scale);
}

/** The market's price at `time` during candle replay: the last path point at or before it. */
export function pathPriceAt(series: CandleSeries, time: number): number {
  const i = series.indexAtOrAfter(time + 1) - 1;
  if (i < 0) throw new Error(`no candle has opened by ${time}`);
  const open = series.time[i]!;
  let k = PATH_POINTS - 1;
  while (k > 0 && open + pathOffsetMs(k, series.intervalMs) > time) k--;
  return pathPrice(series.open[i]!, series.high[i]!, series.low[i]!, series.close[i]!, k);
}
