/**
 * What the built-ins share: their signals (long-only), the crossing rule, and the optional
 * stop-loss/take-profit parameters. `onCandle` and `positions` both decide through `crossStep`,
 * so the two paths cannot drift apart in their rules, only (never, by test) in their numbers.
 */

import type { ParamSpec, Signal } from "../strategy.js";

/** Shared and frozen: a signal allocates nothing on the hot path. */
export const EXIT: Signal = Object.freeze({ action: "exit" });
const ENTER_LONG: Signal = Object.freeze({ action: "enter", side: "long" });

/**
 * Enter long at `close`, with a stop `stopLossPct` % below and a target `takeProfitPct` % above
 * (0 = none).
 */
export function enterLong(close: number, stopLossPct = 0, takeProfitPct = 0): Signal {
  if (stopLossPct <= 0 && takeProfitPct <= 0) return ENTER_LONG;
  const signal: Signal & { action: "enter" } = { action: "enter", side: "long" };
  if (stopLossPct > 0) signal.stopLoss = close * (1 - stopLossPct / 100);
  if (takeProfitPct > 0) signal.takeProfit = close * (1 + takeProfitPct / 100);
  return signal;
}

/**
 * The crossing rule: +1 enter when flat and line a crosses above b (a ≤ b before, a > b now);
 * −1 exit when long and a crosses below b (a ≥ b before, a < b now); else 0.
 */
export function crossStep(
  inPosition: boolean,
  prevA: number,
  prevB: number,
  a: number,
  b: number,
): -1 | 0 | 1 {
  if (!inPosition) return prevA <= prevB && a > b ? 1 : 0;
  return prevA >= prevB && a < b ? -1 : 0;
}

/** Positions from two lines under crossStep; NaN entries (not ready) never cross. */
export function crossPositions(a: Float64Array, b: Float64Array): Int8Array {
  const out = new Int8Array(a.length);
  let held = false;
  for (let i = 1; i < a.length; i++) {
    const step = crossStep(held, a[i - 1]!, b[i - 1]!, a[i]!, b[i]!);
    if (step !== 0) held = step > 0;
    out[i] = held ? 1 : 0;
  }
  return out;
}

/** A stop below the entry price, in percent; 0 leaves the exit to the strategy's rule. */
export const STOP_LOSS_PCT: ParamSpec = {
  type: "float",
  default: 0,
  min: 0,
  max: 5,
  step: 1,
  description: "stop loss, % below the entry close (0 = none)",
};

/** A target above the entry price, in percent; 0 leaves the exit to the strategy's rule. */
export const TAKE_PROFIT_PCT: ParamSpec = {
  type: "float",
  default: 0,
  min: 0,
  max: 10,
  step: 2,
  description: "take profit, % above the entry close (0 = none)",
};
