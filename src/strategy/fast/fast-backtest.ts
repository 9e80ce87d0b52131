/**
 * The fast path: a vectorised backtest over whole arrays, for SCREENING parameter sweeps only.
 * Numbers a user reads or a Trader proposes come from the full simulator (backtest/runner.ts); a
 * test shows this path ranks parameter sets like the simulator does on real data.
 *
 * Model (the simulator's rules, simplified): the position decided at candle t's close is taken at
 * candle t+1's open; each change of position costs the taker fee plus half the makers' spread; the
 * whole equity is in or out (no lots, no depth). Equity is marked at each close.
 */
import type { CandleArrays } from "../strategy.js";

export interface FastCosts {
  /** Taker fee rate, e.g. 0.001. */
  feeRate: number;
  /** Half the makers' spread as a fraction of the price, e.g. 0.0001 for a 2 bps spread. */
  halfSpread: number;
}

export interface FastResult {
  totalReturn: number;
  /** Per-candle mean / std (not annualised: only used to rank). */
  sharpe: number;
  maxDrawdown: number;
  trades: number;
}

export function fastBacktest(c: CandleArrays, positions: Int8Array, costs: FastCosts): FastResult {
  const n = positions.length;
  const { open, close } = c;
  const keep = 1 - costs.feeRate - costs.halfSpread;
  let equity = 1;
  let previous = 1;
  let peak = 1;
  let maxDrawdown = 0;
  let held = 0;
  let trades = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 1; i < n; i++) {
    const want = positions[i - 1]!;
    if (held === 1) equity *= open[i]! / close[i - 1]!;
    if (want !== held) {
      equity *= keep;
      held = want;
      if (want === 1) trades++;
    }
    if (held === 1) equity *= close[i]! / open[i]!;
    const r = equity / previous - 1;
    previous = equity;
    sum += r;
    sumSq += r * r;
    if (equity > peak) peak = equity;
    else if (1 - equity / peak > maxDrawdown) maxDrawdown = 1 - equity / peak;
  }
  const count = Math.max(1, n - 1);
  const mean = sum / count;
  const variance = Math.max(0, sumSq / count - mean * mean);
  return {
    totalReturn: equity - 1,
    sharpe: variance > 0 ? mean / Math.sqrt(variance) : 0,
    maxDrawdown,
    trades,
  };
}
