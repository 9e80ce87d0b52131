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
  /** Net of fees, in quote (on a contract: net of fees and of the funding paid or received). */
  pnl: number;
  /** pnl / entry cost (on a contract: / the initial margin, the entry notional / leverage). */
  returnPct: number;
  /** Fees of both legs, in quote (base fees valued at the fill price; a liquidation's fee too). */
  fees: number;
  /** "liquidation": the venue's liquidation engine closed a contract position. */
  exitReason: "signal" | "stop-loss" | "take-profit" | "end" | "liquidation";
  /** Contract markets only: the trade's money, exact. */
  contract?: ContractTradeMoney;
}

/**
 * A contract trade's money as exact decimal strings in the settle asset. realisedPnl − fees +
 * funding is the change of the account's settle balance over the trade, to the minor unit.
 */
export interface ContractTradeMoney {
  /** The position's realised PnL at the fill prices (a liquidation: the bankruptcy price). */
  realisedPnl: string;
  /** Trading fees of both legs, plus the liquidation fee when liquidated. */
  fees: string;
  /** Received (> 0) or paid (< 0) while the position was open. */
  funding: string;
}

/** What a backtest on a perpetual adds: margin, funding and liquidations. */
export interface ContractReport {
  /** The asset margin, PnL and funding are in (USDT for BTC/USDT:USDT). */
  settle: string;
  /** The leverage setting the runner chose on the venue. */
  leverage: number;
  marginMode: "cross" | "isolated";
  /** Max over the run's path points of position notional at mark / (wallet + unrealised PnL). */
  maxLeverageUsed: number;
  /** Funding paid and received, exact decimals (both ≥ 0), summed over the engine's payments. */
  fundingPaid: string;
  fundingReceived: string;
  /** Funding payments that moved money to or from the account. */
  fundingPayments: number;
  /** Positions the liquidation engine took over (each such trade has exitReason "liquidation"). */
  liquidations: number;
  /** Σ of the trades' exact money (see ContractTradeMoney). */
  realisedPnl: string;
  fees: string;
  /** The account's settle wallet (free + locked) at the start and at the end, exact. */
  initialBalance: string;
  finalBalance: string;
}

/** Equity after each candle's close, marked at that close. */
export interface EquityPoint {
  time: number;
  /** Quote value of the account (a contract: settle wallet + unrealised PnL at the mark price). */
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
  /** Contract markets only. */
  contract?: ContractReport;
}
