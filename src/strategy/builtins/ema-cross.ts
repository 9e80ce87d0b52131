/**
 * ema-cross: sma-cross with exponential moving averages (trading-signals' EMA: seeded with the
 * first close, weight 2 / (period + 1), trusted from the period-th close on). Enters where fast
 * crosses above slow, exits where it crosses below; the first possible signal is at index `slow`
 * (= warmup). `positions` ignores stop-loss/take-profit (this strategy has none).
 */

import { EMA } from "trading-signals";
import { type CandleArrays, defineStrategy } from "../strategy.js";
import { ema } from "./kernels.js";
import { crossPositions, crossStep, EXIT, enterLong } from "./signals.js";

export type EmaCrossParams = { fast: number; slow: number };

export const emaCross = defineStrategy<EmaCrossParams>({
  name: "ema-cross",
  description: "Long while the fast exponential moving average of closes is above the slow one",
  params: {
    fast: { type: "int", default: 12, min: 2, max: 200, step: 2, description: "fast EMA period" },
    slow: { type: "int", default: 26, min: 6, max: 400, step: 4, description: "slow EMA period" },
  },
  validate: ({ fast, slow }) =>
    fast < slow ? undefined : `'fast' (${fast}) must be less than 'slow' (${slow})`,
  warmup: ({ slow }) => slow,
  create({ fast, slow }) {
    const fastEma = new EMA(fast);
    const slowEma = new EMA(slow);
    let seen = 0;
    let prevFast = Number.NaN;
    let prevSlow = Number.NaN;
    return {
      onCandle(candle, ctx) {
        const f = fastEma.update(candle.close, false);
        const slowValue = slowEma.update(candle.close, false);
        // Not trusted before its period-th close; counted here because EMA.isStable answers by
        // throwing and catching an error while warming up.
        const s = ++seen >= slow ? slowValue : Number.NaN;
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
    const f = ema(candles.close, fast, new Float64Array(n));
    const s = ema(candles.close, slow, new Float64Array(n));
    s.fill(Number.NaN, 0, Math.min(n, slow - 1));
    return crossPositions(f, s);
  },
});
