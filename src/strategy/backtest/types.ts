/**
 * What a backtest produces. Analytics are plain numbers (money was exact inside the simulator;
 * these are its readings). Times are epoch ms.
 */
import type { ParamValues } from "../strategy.js";

/** One round trip: entry to exit. */
export interface TradeRecord {
  side: "long" | "short";
  entryTime: number;
  exitTime: number;
  /** Average fill prices. */
  entryPrice: number;
  exitPrice: number;
  /** Base quantity. */
  amount: number;
  /** Net of fees, in quote. */
  pnl: number;
  /** pnl / entry cost. */
  returnPct: number;
  /** Fees of both legs, in quote (base fees valued at the fill price). */
  fees: number;
  exitReason: "signal" | "stop-loss" | "take-profit" | "end";
}

/** Equity after each candle's close, marked at that close. */
export interface EquityPoint {
  time: number;
  /** Quote value of the account. */
  equity: number;
  /** The candle's close. */
  price: number;
  inPosition: boolean;
}

export interface Metrics {
  /** Final / initial − 1. */
  totalReturn: number;
  /** Annualised from the covered span. */
  cagr: number;
  /** Annualised standard deviation of per-candle returns. */
  volatility: number;
  /** Annualised mean / std of per-candle returns (risk-free rate 0). */
  sharpe: number;
  /** Annualised mean / downside deviation of per-candle returns. */
  sortino: number;
  /** CAGR / max drawdown. */
  calmar: number;
  /** Deepest fall from a peak, as a positive fraction. */
  maxDrawdown: number;
  /** Longest time spent below a previous peak, ms. */
  maxDrawdownDurationMs: number;
  /** Winning trades / trades. */
  winRate: number;
  /** Gross profit / gross loss (Infinity without losses, 0 without trades). */
  profitFactor: number;
  /** Mean pnl per trade, quote. */
  expectancy: number;
  trades: number;
  avgHoldingMs: number;
  /** Fraction of candles spent in a position. */
  exposure: number;
  /** Fees paid, quote. */
  fees: number;
  /** What holding from the first close to the last would have returned. */
  buyAndHoldReturn: number;
}

export interface BacktestResult {
  strategy: string;
  params: ParamValues;
  market: string;
  timeframe: string;
  from: number;
  to: number;
  candles: number;
  initialCapital: number;
  metrics: Metrics;
  trades: TradeRecord[];
  equity: EquityPoint[];
}
