/**
 * sma-long-short: sma-cross's averages, trading both ways — it needs a market that can short (a
 * perpetual). A cross up (fast ≤ slow before, fast > slow now) makes the wanted side long, a cross
 * down short. In a position on the other side than wanted, it exits; flat, it enters the wanted
 * side once per cross (so after an exit on a cross it turns around on the next candle, and after a
 * stop or a liquidation it waits for the next cross). `sides: short` ignores the long crosses:
 * short after a cross down, flat after a cross up.
 *
 * No `positions` fast path: the screening path (fast-backtest.ts) models long or flat only, so a
 * sweep of this strategy runs every candidate through the full simulator.
 */

import { defineStrategy, type Signal } from "../strategy.js";
import { RollingMean } from "./kernels.js";
import { EXIT } from "./signals.js";

export type SmaLongShortParams = { fast: number; slow: number; sides: string };

const ENTER_LONG: Signal = Object.freeze({ action: "enter", side: "long" });
const ENTER_SHORT: Signal = Object.freeze({ action: "enter", side: "short" });

export const smaLongShort = defineStrategy<SmaLongShortParams>({
  name: "sma-long-short",
  description:
    "Long after the fast SMA crosses above the slow one, short after it crosses below (needs a perpetual)",
  params: {
    // Coarser steps than sma-cross's: `sides` doubles the grid, which must stay under 10,000.
    fast: { type: "int", default: 10, min: 2, max: 200, step: 4, description: "fast SMA period" },
    slow: { type: "int", default: 30, min: 5, max: 400, step: 5, description: "slow SMA period" },
    sides: {
      type: "choice",
      default: "both",
      options: ["both", "short"],
      description: "both: long and short; short: shorts only",
    },
  },
  needs: { short: true },
  validate: ({ fast, slow }) =>
    fast < slow ? undefined : `'fast' (${fast}) must be less than 'slow' (${slow})`,
  warmup: ({ slow }) => slow,
  create({ fast, slow, sides }) {
    const fastMean = new RollingMean(fast);
    const slowMean = new RollingMean(slow);
    let prevFast = Number.NaN;
    let prevSlow = Number.NaN;
    /** +1 long, −1 short, 0 none yet: the side of the last cross. */
    let wanted = 0;
    /** The last cross has not been entered yet. */
    let fresh = false;
    return {
      onCandle(candle, ctx) {
        const f = fastMean.add(candle.close);
        const s = slowMean.add(candle.close);
        // NaN (not ready) compares false everywhere: no cross until both averages exist.
        if (prevFast <= prevSlow && f > s) {
          wanted = 1;
          fresh = sides === "both";
        } else if (prevFast >= prevSlow && f < s) {
          wanted = -1;
          fresh = true;
        }
        prevFast = f;
        prevSlow = s;
        if (ctx.inPosition) {
          return (ctx.side === "long" ? wanted < 0 : wanted > 0) ? EXIT : undefined;
        }
        if (!fresh) return undefined;
        fresh = false;
        return wanted > 0 ? ENTER_LONG : ENTER_SHORT;
      },
    };
  },
});
