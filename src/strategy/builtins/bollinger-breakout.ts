/**
 * bollinger-breakout: rides a volatility breakout. Enters when a close is above the upper
 * Bollinger band (mean + stdDev × population standard deviation of the last `period` closes, the
 * current one included), exits when a close is below the middle band (the mean). Bands are
 * trading-signals' BollingerBands; they exist from index period − 1, the first possible signal
 * (warmup = period − 1).
 *
 * `positions` ignores stopLossPct/takeProfitPct: the runner applies those exits, and only it knows
 * their fills.
 */

import { BollingerBands } from "trading-signals";
import { type CandleArrays, defineStrategy } from "../strategy.js";
import { bollinger } from "./kernels.js";
import { EXIT, enterLong, STOP_LOSS_PCT, TAKE_PROFIT_PCT } from "./signals.js";

export type BollingerBreakoutParams = {
  period: number;
  stdDev: number;
  stopLossPct: number;
  takeProfitPct: number;
};

export const bollingerBreakout = defineStrategy<BollingerBreakoutParams>({
  name: "bollinger-breakout",
  description: "Buys a close above the upper Bollinger band, sells a close below the middle band",
  params: {
    period: { type: "int", default: 20, min: 5, max: 100, step: 5, description: "band window" },
    stdDev: {
      type: "float",
      default: 2,
      min: 1,
      max: 3,
      step: 0.25,
      description: "band width, in standard deviations",
    },
    stopLossPct: STOP_LOSS_PCT,
    takeProfitPct: TAKE_PROFIT_PCT,
  },
  warmup: ({ period }) => period - 1,
  create({ period, stdDev, stopLossPct, takeProfitPct }) {
    const bands = new BollingerBands(period, stdDev);
    return {
      onCandle(candle, ctx) {
        const band = bands.update(candle.close, false);
        if (band === null) return undefined;
        if (!ctx.inPosition) {
          return candle.close > band.upper
            ? enterLong(candle.close, stopLossPct, takeProfitPct)
            : undefined;
        }
        return candle.close < band.middle ? EXIT : undefined;
      },
    };
  },
  positions(candles: CandleArrays, { period, stdDev }) {
    const close = candles.close;
    const n = close.length;
    const middle = new Float64Array(n);
    const upper = new Float64Array(n);
    bollinger(close, period, stdDev, middle, upper);
    const out = new Int8Array(n);
    let held = false;
    for (let i = 0; i < n; i++) {
      if (!held) held = close[i]! > upper[i]!;
      else held = !(close[i]! < middle[i]!);
      out[i] = held ? 1 : 0;
    }
    return out;
  },
});
