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
import { RollingMean } from "./kernels.js";
import { crossStep, EXIT, enterLong } from "./signals.js";

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
  /**
   * One fused pass (the sweep-screening hot path, measured by bench backtest): both rolling sums
   * with RollingMean's exact arithmetic (re-summed from the window every period) and the crossing
   * rule of crossStep, writing positions directly — no intermediate arrays.
   */
  positions(candles: CandleArrays, { fast, slow }) {
    const x = candles.close;
    const n = x.length;
    const out = new Int8Array(n);
    let sumFast = 0;
    let sumSlow = 0;
    let wrapFast = fast;
    let wrapSlow = slow;
    let previousFast = Number.NaN;
    let previousSlow = Number.NaN;
    let held = false;
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      sumFast += i < fast ? v : v - x[i - fast]!;
      if (--wrapFast === 0) {
        wrapFast = fast;
        let s = 0;
        for (let k = i - fast + 1; k <= i; k++) s += x[k]!;
        sumFast = s;
      }
      sumSlow += i < slow ? v : v - x[i - slow]!;
      if (--wrapSlow === 0) {
        wrapSlow = slow;
        let s = 0;
        for (let k = i - slow + 1; k <= i; k++) s += x[k]!;
        sumSlow = s;
      }
      const f = i >= fast - 1 ? sumFast / fast : Number.NaN;
      const s = i >= slow - 1 ? sumSlow / slow : Number.NaN;
      if (!held) held = previousFast <= previousSlow && f > s;
      else held = !(previousFast >= previousSlow && f < s);
      out[i] = held ? 1 : 0;
      previousFast = f;
      previousSlow = s;
    }
    return out;
  },
});
