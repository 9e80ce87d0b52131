/**
 * An open derivatives position (perpetual or delivery), in ccxt's unified shape.
 *
 * Money fields are decimal strings (see order.ts); `leverage` is a plain number because it is a
 * setting, not an amount. Invariant: `contracts` is positive; the direction is `side`.
 */

export type PositionSide = "long" | "short";
export type MarginMode = "cross" | "isolated";

export interface Position {
  symbol: string;
  side: PositionSide;
  contracts: string;
  entryPrice: string;
  markPrice?: string;
  unrealizedPnl?: string;
  realizedPnl?: string;
  leverage?: number;
  liquidationPrice?: string;
  marginMode?: MarginMode;
}
