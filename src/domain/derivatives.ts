/**
 * Derivatives structures in ccxt's unified shapes (Position, FundingRate, FundingRateHistory),
 * with decimal strings for money, prices and rates instead of floats.
 */

export type MarginMode = "cross" | "isolated";

/** ccxt's position structure (one-way mode: `hedged` false, side from the sign). */
export interface Position {
  symbol: string;
  timestamp: number;
  /** "long" or "short"; a flat position is not listed. */
  side: "long" | "short";
  /** Number of contracts, unsigned. */
  contracts: string;
  contractSize: string;
  entryPrice: string;
  markPrice: string;
  /** Notional at the mark price, settle currency. */
  notional: string;
  leverage: number;
  /** The margin held for the position (isolated: its wallet). */
  collateral: string;
  initialMargin: string;
  maintenanceMargin: string;
  /** The maintenance margin rate of the position's bracket. */
  maintenanceMarginPercentage: string;
  unrealizedPnl: string;
  realizedPnl: string;
  /** Binance's formula on the account's state now; undefined where there is none. */
  liquidationPrice?: string;
  marginMode: MarginMode;
  /** maintenance / margin balance; undefined when the margin balance is not positive. */
  marginRatio?: string;
  hedged: false;
}

/** ccxt's funding rate structure: the rate the next funding will use, as far as it is known. */
export interface FundingRate {
  symbol: string;
  timestamp: number;
  markPrice: string;
  indexPrice: string;
  interestRate: string;
  /** The rate of the funding due at `fundingTimestamp`, from the premium sampled so far. */
  fundingRate: string;
  fundingTimestamp: number;
  /** The funding after that one, where the venue says (Binance's premiumIndex does not). */
  nextFundingTimestamp?: number;
  /** The last settled funding, if any. */
  previousFundingRate?: string;
  previousFundingTimestamp?: number;
  /** "8h"; where the venue says it. */
  interval?: string;
}

/** One settled funding (ccxt's funding rate history entry). */
export interface FundingRateHistory {
  symbol: string;
  fundingRate: string;
  timestamp: number;
}
