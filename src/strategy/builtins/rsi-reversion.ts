/**
 * rsi-reversion: buys weakness and sells strength. Enters when the RSI of closes is below
 * `oversold`, exits when it is above `overbought` (levels, not crossings: while flat and oversold
 * it enters on the first such candle). RSI is trading-signals' (Wilder smoothing); it exists from
 * index `period` on, the first possible signal (= warmup).
 *
 * A stop (stopLossPct) is optional; the overbought exit plays the part of a profit target.
 * `positions` ignores the stop: the runner applies it, and only the runner knows its fill.
 */

import { RSI } from "trading-signals";
import { type CandleArrays, defineStrategy } from "../strategy.js";
import { rsi } from "./kernels.js";
import { EXIT, enterLong, STOP_LOSS_PCT } from "./signals.js";

export type RsiReversionParams = {
  period: number;
  oversold: number;
  overbought: number;
  stopLossPct: number;
};

export const rsiReversion = defineStrategy<RsiReversionParams>({
  name: "rsi-reversion",
  description: "Buys when RSI is oversold, sells when it is overbought",
  params: {
    period: { type: "int", default: 14, min: 2, max: 30, step: 2, description: "RSI period" },
    oversold: {
      type: "int",
      default: 30,
      min: 5,
      max: 45,
      step: 5,
      description: "enter below this RSI",
    },
    overbought: {
      type: "int",
      default: 70,
      min: 55,
      max: 95,
      step: 5,
      description: "exit above this RSI",
    },
    stopLossPct: STOP_LOSS_PCT,
  },
  warmup: ({ period }) => period,
  create({ period, oversold, overbought, stopLossPct }) {
    const indicator = new RSI(period);
    return {
      onCandle(candle, ctx) {
        const value = indicator.update(candle.close, false);
        if (value === null) return undefined;
        if (!ctx.inPosition) {
          return value < oversold ? enterLong(candle.close, stopLossPct) : undefined;
        }
        return value > overbought ? EXIT : undefined;
      },
    };
  },
  positions(candles: CandleArrays, { period, oversold, overbought }) {
    const n = candles.close.length;
    const values = rsi(candles.close, period, new Float64Array(n));
    const out = new Int8Array(n);
    let held = false;
    for (let i = 0; i < n; i++) {
      const value = values[i]!;
      if (!held) held = value < oversold;
      else held = !(value > overbought);
      out[i] = held ? 1 : 0;
    }
    return out;
  },
});
