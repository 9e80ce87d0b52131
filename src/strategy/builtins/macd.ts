/**
 * macd: trend following on the MACD line (fast EMA − slow EMA of closes) against its signal line
 * (an EMA of the MACD line). Enters where MACD crosses above the signal line, exits where it
 * crosses below. Indicators are trading-signals' MACD over its EMAs: the MACD line starts at index
 * slow − 1, the signal line is trusted after `signal` MACD values (index slow + signal − 2), so the
 * first possible signal is at index slow + signal − 1 (= warmup). `positions` ignores
 * stop-loss/take-profit (this strategy has none).
 */

import { EMA, MACD } from "trading-signals";
import { type CandleArrays, defineStrategy } from "../strategy.js";
import { ema } from "./kernels.js";
import { crossPositions, crossStep, EXIT, enterLong } from "./signals.js";

export type MacdParams = { fast: number; slow: number; signal: number };

export const macd = defineStrategy<MacdParams>({
  name: "macd",
  description: "Long while the MACD line is above its signal line",
  params: {
    fast: { type: "int", default: 12, min: 2, max: 50, step: 2, description: "fast EMA period" },
    slow: { type: "int", default: 26, min: 6, max: 100, step: 4, description: "slow EMA period" },
    signal: {
      type: "int",
      default: 9,
      min: 3,
      max: 30,
      step: 3,
      description: "signal line EMA period",
    },
  },
  validate: ({ fast, slow }) =>
    fast < slow ? undefined : `'fast' (${fast}) must be less than 'slow' (${slow})`,
  warmup: ({ slow, signal }) => slow + signal - 1,
  create({ fast, slow, signal }) {
    const indicator = new MACD(new EMA(fast), new EMA(slow), new EMA(signal));
    let values = 0;
    let prevMacd = Number.NaN;
    let prevSignal = Number.NaN;
    return {
      onCandle(candle, ctx) {
        const result = indicator.update(candle.close, false);
        // The signal line is trusted from the signal-th MACD value on.
        if (result === null || ++values < signal) return undefined;
        const step = crossStep(ctx.inPosition, prevMacd, prevSignal, result.macd, result.signal);
        prevMacd = result.macd;
        prevSignal = result.signal;
        if (step > 0) return enterLong(candle.close);
        return step < 0 ? EXIT : undefined;
      },
    };
  },
  positions(candles: CandleArrays, { fast, slow, signal }) {
    const close = candles.close;
    const n = close.length;
    const line = ema(close, fast, new Float64Array(n));
    const slowLine = ema(close, slow, new Float64Array(n));
    for (let i = 0; i < n; i++) line[i] = line[i]! - slowLine[i]!;
    const signalLine = slowLine.fill(Number.NaN);
    const first = slow - 1;
    if (first < n) ema(line.subarray(first), signal, signalLine.subarray(first));
    // Neither line counts before the signal line is trusted.
    signalLine.fill(Number.NaN, 0, Math.min(n, first + signal - 1));
    return crossPositions(line, signalLine);
  },
});
