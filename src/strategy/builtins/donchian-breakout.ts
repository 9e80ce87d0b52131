/**
 * donchian-breakout: the turtle rule. Enters when a close is above the highest high of the
 * `entry` candles before it, exits when a close is below the lowest low of the `exit` candles
 * before it (the current candle is never part of its own channel). Channels are trading-signals'
 * DonchianChannels, read before the current candle is added; both exist from index
 * max(entry, exit) on, the first possible signal (= warmup).
 *
 * `positions` ignores stopLossPct/takeProfitPct: the runner applies those exits, and only it knows
 * their fills.
 */

import { DonchianChannels } from "trading-signals";
import { type CandleArrays, defineStrategy, type Signal } from "../strategy.js";
import { previousMax, previousMin } from "./kernels.js";
import { EXIT, enterLong, STOP_LOSS_PCT, TAKE_PROFIT_PCT } from "./signals.js";

export type DonchianBreakoutParams = {
  entry: number;
  exit: number;
  stopLossPct: number;
  takeProfitPct: number;
};

export const donchianBreakout = defineStrategy<DonchianBreakoutParams>({
  name: "donchian-breakout",
  description: "Buys a close above the previous N-candle high, sells one below the M-candle low",
  params: {
    entry: {
      type: "int",
      default: 20,
      min: 5,
      max: 100,
      step: 5,
      description: "candles in the entry (high) channel",
    },
    exit: {
      type: "int",
      default: 10,
      min: 2,
      max: 50,
      step: 4,
      description: "candles in the exit (low) channel",
    },
    stopLossPct: STOP_LOSS_PCT,
    takeProfitPct: TAKE_PROFIT_PCT,
  },
  warmup: ({ entry, exit }) => Math.max(entry, exit),
  create({ entry, exit, stopLossPct, takeProfitPct }) {
    const highs = new DonchianChannels(entry);
    const lows = new DonchianChannels(exit);
    return {
      onCandle(candle, ctx) {
        let signal: Signal | undefined;
        if (highs.isStable && lows.isStable) {
          if (!ctx.inPosition) {
            if (candle.close > highs.getResultOrThrow().upper) {
              signal = enterLong(candle.close, stopLossPct, takeProfitPct);
            }
          } else if (candle.close < lows.getResultOrThrow().lower) {
            signal = EXIT;
          }
        }
        // Copies: the channels keep what they are given, and a runner may reuse its candle object.
        highs.update({ high: candle.high, low: candle.low }, false);
        lows.update({ high: candle.high, low: candle.low }, false);
        return signal;
      },
    };
  },
  positions(candles: CandleArrays, { entry, exit }) {
    const { close } = candles;
    const n = close.length;
    const upper = previousMax(candles.high, entry, new Float64Array(n));
    const lower = previousMin(candles.low, exit, new Float64Array(n));
    const start = Math.max(entry, exit);
    const out = new Int8Array(n);
    let held = false;
    for (let i = start; i < n; i++) {
      if (!held) held = close[i]! > upper[i]!;
      else held = !(close[i]! < lower[i]!);
      out[i] = held ? 1 : 0;
    }
    return out;
  },
});
