/**
 * sma-cross: long while the fast simple moving average of closes leads the slow one. Enters on
 * the candle where fast crosses above slow (fast ≤ slow on the previous candle, fast > slow on
 * this one) and exits where it crosses below. Both averages exist from index slow − 1, so the
 * first possible signal is at index `slow` (= warmup).
 *
 * onCandle averages with RollingMean rather than trading-signals' SMA, for speed (see kernels.ts);
 * a test checks the two agree. `positions` ignores stop-loss/take-profit (this strategy has none).
 */

import { type CandleArrays, defineStrategy } from "../strategy.js";
import { RollingMean, rollingMean } from "./kernels.js";
import { crossPositions, crossStep, EXIT, enterLong } from "./signals.js";

export type SmaCrossParams = { fast: number; slow: number };

export const smaCross = defineStrategy<SmaCrossParams>({
  name: "sma-cross",
  description: "Long while the fast simple moving average of closes is above the slow one",
  params: {
    fast: { type: "int", default: 10, min: 2, max: 200, step: 2, description: "fast SMA period" },
    slow: { type: "int", default: 30, min: 5, max: 400, step: 5, description: "slow SMA period" },
  },
  validate: ({ fast, slow }) =>
    fast < slow ? undefined : `'fast' (${fast}) must be less than 'slow' (${slow})`,
  warmup: ({ slow }) => slow,
  create({ fast, slow }) {
    const fastMean = new RollingMean(fast);
    const slowMean = new RollingMean(slow);
    let prevFast = Number.NaN;
    let prevSlow = Number.NaN;
    return {
      onCandle(candle, ctx) {
        const f = fastMean.add(candle.close);
        const s = slowMean.add(candle.close);
        // NaN (not ready) compares false everywhere, so crossStep stays 0 until both are ready.
        const step = crossStep(ctx.inPosition, prevFast, prevSlow, f, s);
        prevFast = f;
        prevSlow = s;
        if (step > 0) return enterLong(candle.close);
        return step < 0 ? EXIT : undefined;
      },
    };
  },
  positions(candles: CandleArrays, { fast, slow }) {
    const n = candles.close.length;
    const f = rollingMean(candles.close, fast, new Float64Array(n));
    const s = rollingMean(candles.close, slow, new Float64Array(n));
    return crossPositions(f, s);
  },
});
