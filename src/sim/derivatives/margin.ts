/**
 * Margin of one-way positions on linear contracts, by Binance USDⓈ-M's rules.
 *
 * Rules (all money in settle minor units):
 * - A position is signed contracts (long > 0, short < 0) and its entry notional: what its open
 *   contracts cost, |qty| × entry price × contractSize, kept as an exact sum rather than an
 *   average price, so PnL never inherits an average's rounding.
 * - Notional at mark = |qty| × mark × contractSize (exact, see instrument.ts).
 * - Initial margin = notional / leverage, rounded UP: the venue never asks for less than the rule.
 *   The leverage may not exceed the max leverage of the bracket the notional falls in.
 * - Maintenance margin = notional × mmr − cum of the notional's bracket, rounded UP for the same
 *   reason (cum is whole, so only notional × mmr rounds).
 * - Unrealised PnL at mark: long = notional at mark − entry notional; short = the reverse. Exact.
 * - Isolated: margin balance = the position's isolated wallet + its unrealised PnL.
 *   Cross: margin balance = wallet balance + every cross position's unrealised PnL, against the sum
 *   of their maintenance margins. (Seen from one position, that is the wallet + all unrealised
 *   minus the other positions' maintenance: the "WB − TMM1 + UPNL1" of the liquidation formula.)
 * - Margin ratio = maintenance / margin balance, as a rate rounded UP; none when the balance is
 *   not positive. Liquidation is due when margin balance ≤ maintenance (ratio ≥ 100 %) and there
 *   is a position (maintenance > 0).
 */
import { InvalidInputError } from "../../domain/errors.js";
import { mulDiv } from "../../domain/fixed.js";
import { bracketFor } from "./brackets.js";
import { type DerivativeMarket, notional } from "./instrument.js";
import { RATE_ONE } from "./rate.js";

export interface Position {
  readonly market: DerivativeMarket;
  /** Signed contracts at the lot's scale: > 0 long, < 0 short, 0 flat. */
  readonly qty: bigint;
  /** Settle minor units, ≥ 0: the open contracts' cost at their entry prices. */
  readonly entryNotional: bigint;
}

export interface MarginState {
  marginBalance: bigint;
  maintenance: bigint;
  /** maintenance / marginBalance at RATE_SCALE, rounded up; null when marginBalance ≤ 0. */
  marginRatio: bigint | null;
  liquidatable: boolean;
}

/** A position opened at one price: entry notional = |qty| × price × contractSize. */
export function openPosition(market: DerivativeMarket, qty: bigint, entryPrice: bigint): Position {
  return { market, qty, entryNotional: notional(market, qty, entryPrice) };
}

/** +1 long, −1 short, 0 flat. */
export function sideOf(position: Position): bigint {
  return position.qty > 0n ? 1n : position.qty < 0n ? -1n : 0n;
}

export function positionNotional(position: Position, mark: bigint): bigint {
  return notional(position.market, position.qty, mark);
}

export function unrealizedPnl(position: Position, mark: bigint): bigint {
  return sideOf(position) * (positionNotional(position, mark) - position.entryNotional);
}

/** Initial margin at `leverage` on the notional at `price` (mark for a position). */
export function initialMargin(position: Position, price: bigint, leverage: number): bigint {
  const n = positionNotional(position, price);
  const bracket = bracketFor(position.market.brackets, n);
  if (!Number.isInteger(leverage) || leverage < 1) {
    throw new InvalidInputError(`leverage ${leverage} is not a whole number ≥ 1`);
  }
  if (leverage > bracket.maxLeverage) {
    throw new InvalidInputError(
      `${position.market.symbol}: leverage ${leverage} is above bracket ${bracket.bracket}'s ` +
        `max ${bracket.maxLeverage} for this notional`,
    );
  }
  return mulDiv(n, 1n, BigInt(leverage), "up");
}

/** Maintenance margin at notional n (settle units), from its bracket. */
export function maintenanceAt(market: DerivativeMarket, n: bigint): bigint {
  const b = bracketFor(market.brackets, n);
  return mulDiv(n, b.maintMarginRatio, RATE_ONE, "up") - b.maintAmount;
}

export function maintenanceMargin(position: Position, mark: bigint): bigint {
  return maintenanceAt(position.market, positionNotional(position, mark));
}

/** One isolated position: its own wallet (the margin put on it) against its maintenance. */
export function isolatedMargin(position: Position, isolatedWallet: bigint, mark: bigint) {
  return state(isolatedWallet + unrealizedPnl(position, mark), maintenanceMargin(position, mark));
}

/** Every cross position of one settle currency against the shared wallet balance. */
export function crossMargin(
  walletBalance: bigint,
  positions: readonly { position: Position; mark: bigint }[],
): MarginState {
  let pnl = 0n;
  let maintenance = 0n;
  for (const { position, mark } of positions) {
    pnl += unrealizedPnl(position, mark);
    maintenance += maintenanceMargin(position, mark);
  }
  return state(walletBalance + pnl, maintenance);
}

export function marginRatio(maintenance: bigint, marginBalance: bigint): bigint | null {
  return marginBalance > 0n ? mulDiv(maintenance, RATE_ONE, marginBalance, "up") : null;
}

function state(marginBalance: bigint, maintenance: bigint): MarginState {
  return {
    marginBalance,
    maintenance,
    marginRatio: marginRatio(maintenance, marginBalance),
    // A flat account (no maintenance) has nothing to liquidate, whatever its balance.
    liquidatable: maintenance > 0n && marginBalance <= maintenance,
  };
}
