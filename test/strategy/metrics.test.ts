import { describe, expect, it } from "vitest";
import type { EquityPoint, TradeRecord } from "../../src/strategy/backtest/types.js";
import { computeMetrics, YEAR_MS } from "../../src/strategy/metrics.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;

/** Equity points one period apart starting at T0; price defaults to 10, flat. */
function curve(
  periodMs: number,
  equities: number[],
  extra: { prices?: number[]; inPosition?: boolean[] } = {},
): EquityPoint[] {
  return equities.map((equity, i) => ({
    time: T0 + i * periodMs,
    equity,
    price: extra.prices?.[i] ?? 10,
    inPosition: extra.inPosition?.[i] ?? false,
  }));
}

function trade(pnl: number, holdingMs: number, fees: number): TradeRecord {
  return {
    side: "long",
    entryTime: T0,
    exitTime: T0 + holdingMs,
    entryPrice: 10,
    exitPrice: 11,
    amount: 1,
    pnl,
    returnPct: pnl / 10,
    fees,
    exitReason: "signal",
  };
}

describe("computeMetrics - hand-computed quarterly curve", () => {
  // Period = a quarter, so periods per year = 4 and √ppy = 2; 4 points cover exactly 1 year.
  const P = YEAR_MS / 4;
  // initial 100 → 110 → 99 → 99 → 118.8
  // returns: 110/100−1 = 0.1, 99/110−1 = −0.1, 99/99−1 = 0, 118.8/99−1 = 0.2
  const equity = curve(P, [110, 99, 99, 118.8], {
    prices: [10, 11, 9, 12],
    inPosition: [false, true, true, false],
  });
  const m = computeMetrics({ equity, trades: [], initialCapital: 100, periodMs: P });

  it("total return and CAGR", () => {
    // 118.8 / 100 − 1 = 0.188; years = (3P + P) / year = 1, so CAGR = 1.188^1 − 1 = 0.188
    expect(m.totalReturn).toBeCloseTo(0.188, 12);
    expect(m.cagr).toBeCloseTo(0.188, 12);
  });

  it("volatility, Sharpe and Sortino", () => {
    // mean = (0.1 − 0.1 + 0 + 0.2) / 4 = 0.05
    // deviations 0.05, −0.15, −0.05, 0.15 → squares 0.0025 + 0.0225 + 0.0025 + 0.0225 = 0.05
    // sample var = 0.05 / 3 = 1/60; std = √(1/60) ≈ 0.129099
    // volatility = std × 2 = √(4/60) ≈ 0.258199
    expect(m.volatility).toBeCloseTo(Math.sqrt(4 / 60), 12);
    expect(m.volatility).toBeCloseTo(0.258199, 6);
    // Sharpe = 0.05 / √(1/60) × 2 = √(0.0025 × 60) × 2 = √0.15 × 2 = √0.6 ≈ 0.774597
    expect(m.sharpe).toBeCloseTo(0.774597, 6);
    // downside: Σ min(r,0)² = 0.01, / n=4 → 0.0025, √ = 0.05; Sortino = 0.05 / 0.05 × 2 = 2
    expect(m.sortino).toBeCloseTo(2, 12);
  });

  it("drawdown, its duration, and Calmar", () => {
    // peaks: 100 (initial) → 110 at point 1; 99 / 110 → 1 − 0.9 = 0.1
    expect(m.maxDrawdown).toBeCloseTo(0.1, 12);
    // peak 110 at T0, first back ≥ 110 at point 3 (T0 + 3P): 3P.
    expect(m.maxDrawdownDurationMs).toBe(3 * P);
    // Calmar = 0.188 / 0.1 = 1.88
    expect(m.calmar).toBeCloseTo(1.88, 12);
  });

  it("exposure and buy-and-hold", () => {
    // in position at 2 of 4 points; prices 10 → 12: 12/10 − 1 = 0.2
    expect(m.exposure).toBe(0.5);
    expect(m.buyAndHoldReturn).toBeCloseTo(0.2, 12);
  });
});

describe("computeMetrics - trades", () => {
  it("mixed wins and losses", () => {
    // pnl +10 (2h, fee 1), −5 (1h, fee 0.5), +20 (3h, fee 1.5)
    const m = computeMetrics({
      equity: [],
      trades: [trade(10, 2 * HOUR, 1), trade(-5, HOUR, 0.5), trade(20, 3 * HOUR, 1.5)],
      initialCapital: 100,
      periodMs: DAY,
    });
    expect(m.trades).toBe(3);
    expect(m.winRate).toBeCloseTo(2 / 3, 12); // 2 wins of 3
    expect(m.profitFactor).toBeCloseTo(6, 12); // (10 + 20) / |−5|
    expect(m.expectancy).toBeCloseTo(25 / 3, 12); // (10 − 5 + 20) / 3
    expect(m.avgHoldingMs).toBe(2 * HOUR); // (2h + 1h + 3h) / 3
    expect(m.fees).toBeCloseTo(3, 12); // 1 + 0.5 + 1.5
  });

  it("all winning trades: profit factor is Infinity, win rate 1", () => {
    const m = computeMetrics({
      equity: [],
      trades: [trade(1, HOUR, 0), trade(2, HOUR, 0)],
      initialCapital: 100,
      periodMs: DAY,
    });
    expect(m.profitFactor).toBe(Number.POSITIVE_INFINITY);
    expect(m.winRate).toBe(1);
    expect(m.expectancy).toBe(1.5);
  });

  it("only losing or break-even trades: profit factor 0, win rate 0", () => {
    const m = computeMetrics({
      equity: [],
      trades: [trade(-1, HOUR, 0), trade(0, HOUR, 0)],
      initialCapital: 100,
      periodMs: DAY,
    });
    expect(m.profitFactor).toBe(0);
    expect(m.winRate).toBe(0);
    expect(m.expectancy).toBe(-0.5);
  });

  it("no trades: every trade metric is 0", () => {
    const m = computeMetrics({
      equity: curve(DAY, [100, 101]),
      trades: [],
      initialCapital: 100,
      periodMs: DAY,
    });
    expect(m).toMatchObject({
      trades: 0,
      winRate: 0,
      profitFactor: 0,
      expectancy: 0,
      avgHoldingMs: 0,
      fees: 0,
    });
  });
});

describe("computeMetrics - edge cases", () => {
  it("flat curve: no return, no risk, no drawdown", () => {
    const m = computeMetrics({
      equity: curve(DAY, [100, 100, 100, 100]),
      trades: [],
      initialCapital: 100,
      periodMs: DAY,
    });
    expect(m).toMatchObject({
      totalReturn: 0,
      cagr: 0,
      volatility: 0,
      sharpe: 0,
      sortino: 0,
      calmar: 0,
      maxDrawdown: 0,
      maxDrawdownDurationMs: 0,
      exposure: 0,
      buyAndHoldReturn: 0,
    });
  });

  it("empty curve: every metric is 0", () => {
    const m = computeMetrics({ equity: [], trades: [], initialCapital: 100, periodMs: DAY });
    for (const value of Object.values(m)) expect(value).toBe(0);
  });

  it("a drawdown never recovered lasts until the last point", () => {
    // initial 100 → 100, 120, 90, 60, 90 (daily). Peak 120 at T0 + 1d; deepest 60: 1 − 60/120 = 0.5.
    // Never back to 120: duration = last time − peak time = (T0 + 4d) − (T0 + 1d) = 3d.
    const m = computeMetrics({
      equity: curve(DAY, [100, 120, 90, 60, 90]),
      trades: [],
      initialCapital: 100,
      periodMs: DAY,
    });
    expect(m.maxDrawdown).toBeCloseTo(0.5, 12);
    expect(m.maxDrawdownDurationMs).toBe(3 * DAY);
    // total −10%; years = 5d / 365.25d; CAGR = 0.9^(365.25/5) − 1 = 0.9^73.05 − 1
    expect(m.totalReturn).toBeCloseTo(-0.1, 12);
    expect(m.cagr).toBeCloseTo(0.9 ** 73.05 - 1, 12);
    // Calmar = CAGR / 0.5
    expect(m.calmar).toBeCloseTo((0.9 ** 73.05 - 1) / 0.5, 12);
  });

  it("the initial capital is the first peak, one period before the first point", () => {
    // initial 100 at T0 − 1d; points 90, 80, 100, 95.
    // 80 / 100 → drawdown 0.2; back to 100 at T0 + 2d → span 3d.
    // new peak 100 at T0 + 2d; 95 never recovers → span 1d. Longest: 3d.
    const m = computeMetrics({
      equity: curve(DAY, [90, 80, 100, 95]),
      trades: [],
      initialCapital: 100,
      periodMs: DAY,
    });
    expect(m.maxDrawdown).toBeCloseTo(0.2, 12);
    expect(m.maxDrawdownDurationMs).toBe(3 * DAY);
  });

  it("rising without a loss: Sortino is Infinity, Sharpe 0 with constant returns", () => {
    // returns 0.1, 0.1: std 0 → Sharpe 0; mean 0.1 > 0 and no downside → Sortino Infinity
    const m = computeMetrics({
      equity: curve(DAY, [110, 121]),
      trades: [],
      initialCapital: 100,
      periodMs: DAY,
    });
    expect(m.sharpe).toBe(0);
    expect(m.volatility).toBeCloseTo(0, 12);
    expect(m.sortino).toBe(Number.POSITIVE_INFINITY);
    expect(m.maxDrawdown).toBe(0);
    expect(m.calmar).toBe(0);
  });

  it("a single point: one return, std 0", () => {
    // r = 105/100 − 1 = 0.05; years = 1d / 365.25d → CAGR = 1.05^365.25 − 1
    const m = computeMetrics({
      equity: curve(DAY, [105]),
      trades: [],
      initialCapital: 100,
      periodMs: DAY,
    });
    expect(m.volatility).toBe(0);
    expect(m.sharpe).toBe(0);
    expect(m.cagr).toBeCloseTo(1.05 ** 365.25 - 1, 6);
  });

  it("equity wiped out: CAGR −1, drawdown 1, later returns 0", () => {
    const m = computeMetrics({
      equity: curve(DAY, [50, 0, 0]),
      trades: [],
      initialCapital: 100,
      periodMs: DAY,
    });
    expect(m.cagr).toBe(-1);
    expect(m.totalReturn).toBe(-1);
    expect(m.maxDrawdown).toBe(1);
    // returns −0.5, −1, 0 (from zero): all finite
    expect(Number.isFinite(m.sharpe)).toBe(true);
    expect(Number.isFinite(m.sortino)).toBe(true);
  });
});
