import type {
  BacktestResult,
  EquityPoint,
  TradeRecord,
} from "../../src/strategy/backtest/types.js";

export const HOUR = 3_600_000;
export const START = Date.UTC(2023, 2, 1); // 2023-03-01 00:00 UTC

const EQUITY = [10_000, 10_100, 10_050, 9_900, 10_200, 10_400, 10_300, 11_234];
const PRICES = [100, 101, 100.5, 99, 102, 104, 103, 95];
const IN_POSITION = [false, true, true, false, false, true, true, false];

export function sampleEquity(): EquityPoint[] {
  return EQUITY.map((equity, i) => ({
    time: START + (i + 1) * HOUR,
    equity,
    price: PRICES[i]!,
    inPosition: IN_POSITION[i]!,
  }));
}

export function sampleTrades(): TradeRecord[] {
  return [
    {
      side: "long",
      entryTime: START + 2 * HOUR,
      exitTime: START + 4 * HOUR,
      entryPrice: 101,
      exitPrice: 99,
      amount: 1.5,
      pnl: -3.5,
      returnPct: -0.0231,
      fees: 0.5,
      exitReason: "stop-loss",
    },
    {
      side: "long",
      entryTime: START + 6 * HOUR,
      exitTime: START + 8 * HOUR,
      entryPrice: 104,
      exitPrice: 95,
      amount: 2,
      pnl: 1237.5,
      returnPct: 0.0625,
      fees: 11.8456,
      exitReason: "end",
    },
  ];
}

/** A run whose metrics are chosen for their formatting, not computed from the curve. */
export function sampleResult(overrides: Partial<BacktestResult> = {}): BacktestResult {
  return {
    strategy: "sma-cross",
    params: { fast: 10, slow: 30 },
    market: "BTC/USDT",
    timeframe: "1h",
    from: START,
    to: START + 96 * HOUR,
    candles: 96,
    initialCapital: 10_000,
    metrics: {
      totalReturn: 0.1234,
      cagr: 2.5,
      volatility: 0.4567,
      sharpe: 1.5,
      sortino: Number.POSITIVE_INFINITY,
      calmar: 3.21,
      maxDrawdown: 0.0789,
      maxDrawdownDurationMs: 3 * 24 * HOUR + 4 * HOUR,
      winRate: 0.5,
      profitFactor: 1.75,
      expectancy: 617,
      trades: 2,
      avgHoldingMs: 1.5 * HOUR,
      exposure: 0.25,
      fees: 12.3456,
      buyAndHoldReturn: -0.05,
    },
    trades: sampleTrades(),
    equity: sampleEquity(),
    ...overrides,
  };
}
