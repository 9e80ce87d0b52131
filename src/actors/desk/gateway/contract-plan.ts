/**
 * The gateway's decisions for an order on a contract market, made in its synchronous step before
 * anything is reserved or sent (contract-exposure.ts says what an order can cost).
 *
 * Rules:
 * - reduceOnly: the order must be against the Trader's position (a sell of a long, a buy of a
 *   short) and no larger than what that position has left once the Trader's other open reduceOnly
 *   orders on the same side are counted, so reduceOnly orders together can close it and never
 *   reverse it. It reserves nothing: the closing exemption. A Desk that is reducing accepts only
 *   these.
 * - Anything else reserves its margin at its leverage (1 unless the request names one), and the
 *   leverage may not be above the mandate's `maxLeverage` (1 when the mandate names none).
 * - The mandate's `maxPosition` bounds the position the order could make: the Trader's position
 *   plus every open order of its own on the same side that is not reduceOnly, plus this one, as
 *   if all filled.
 * - Margin in use (the Desk's `maxMarginUsage`, `marginInUse`): each contract position at the
 *   mark (or its basis, with no price yet) over the leverage it was opened at, plus every open
 *   contract order's reservation, in the settle currency.
 */
import { MandateDeniedError, RiskDeniedError } from "../../../domain/errors.js";
import { formatDecimal, parseDecimal } from "../../../domain/fixed.js";
import type { Ticker } from "../../../domain/market-data.js";
import type { Side } from "../../../domain/order.js";
import type { PositionLedger } from "../../../domain/position-ledger.js";
import type { AuthorizedMandate } from "../../mandate.js";
import { ContractExposure } from "./contract-exposure.js";
import type { SpotExposure } from "./exposure.js";

export interface ContractAsk {
  trader: string;
  market: string;
  side: Side;
  /** Contracts, base minor units. */
  amount: bigint;
  /** The price its margin is reserved at: its worst fill (ContractExposure.marginPrice). */
  price: string;
  reduceOnly: boolean;
  leverage: number;
}

/** What the Trader holds and has open on the market, in base minor units. */
export interface ContractBook {
  /** Signed: above 0 long, below 0 short. */
  position: bigint;
  /** Unfilled reduceOnly orders of the ask's side. */
  closing: bigint;
  /** Unfilled opening orders of the ask's side. */
  adding: bigint;
}

/** The budget to reserve on the mandate: margin plus fee, or 0 for a reduceOnly order. */
export function contractBudget(
  exposure: ContractExposure,
  ask: ContractAsk,
  book: ContractBook,
  deskState: string,
): bigint {
  const units = (n: bigint) => formatDecimal(n, exposure.rules.baseScale);
  if (!ask.reduceOnly) {
    if (deskState === "reducing") {
      throw new RiskDeniedError(
        `the desk is reducing: only reduceOnly orders are accepted on ${ask.market}`,
      );
    }
    return exposure.marginBound(ask.amount, ask.price, ask.leverage);
  }
  const against = ask.side === "sell" ? book.position > 0n : book.position < 0n;
  if (!against) {
    const holding = book.position === 0n ? "no position" : `a ${direction(book.position)}`;
    throw new RiskDeniedError(
      `a reduceOnly ${ask.side} reduces nothing: ${ask.trader} holds ${holding} on ${ask.market}`,
    );
  }
  const held = book.position < 0n ? -book.position : book.position;
  const left = held > book.closing ? held - book.closing : 0n;
  if (ask.amount > left) {
    throw new RiskDeniedError(
      `a reduceOnly ${ask.side} of ${units(ask.amount)} is more than the ${units(left)} of ${ask.trader}'s ${direction(book.position)} ${units(held)} on ${ask.market} not already offered to close`,
    );
  }
  return 0n;
}

/** The mandate's contract bounds: leverage, and the position the order could make. */
export function checkContractMandate(
  exposure: ContractExposure,
  ask: ContractAsk,
  book: ContractBook,
  auth: AuthorizedMandate,
): void {
  if (ask.reduceOnly) return;
  if (ask.leverage > auth.maxLeverage) {
    throw new MandateDeniedError(
      `over leverage: the order asks ${ask.leverage}x, mandate ${auth.nonce} allows at most ${auth.maxLeverage}x`,
    );
  }
  if (auth.maxPosition === undefined) return;
  const { baseScale } = exposure.rules;
  const max = parseDecimal(auth.maxPosition, baseScale, "down");
  const sign = ask.side === "buy" ? 1n : -1n;
  const worst = book.position + sign * (book.adding + ask.amount);
  const size = worst < 0n ? -worst : worst;
  if (size > max) {
    const units = (n: bigint) => formatDecimal(n, baseScale);
    throw new MandateDeniedError(
      `over position: filled with ${ask.trader}'s other open orders this ${ask.side} makes a ${direction(worst)} of ${units(size)} on ${ask.market}, mandate ${auth.nonce} allows at most ${auth.maxPosition}`,
    );
  }
}

function direction(position: bigint): string {
  return position < 0n ? "short" : "long";
}

/** What the margin in use is read from: the gateway's books and its Desk's market data. */
export interface MarginBooks {
  open: Iterable<{ market: string; budget: bigint }>;
  positions: Iterable<{ trader: string; market: string; position: PositionLedger }>;
  /** The rules of a market; throws for one the venue does not list. */
  exposure: (market: string) => SpotExposure;
  ticker: (market: string) => Ticker | undefined;
  /** The leverage a Trader's position on a market was opened at, if known. */
  leverage: (trader: string, market: string) => number | undefined;
}

/**
 * Margin in use in `settle`, settle minor units: each contract position at the mark (its basis
 * with no price yet) over its leverage — 1x where unknown (a restart before any fill), the most
 * margin it can hold — and what open contract orders reserve.
 */
export function marginInUse(settle: string, books: MarginBooks): bigint {
  const contractOf = (market: string): ContractExposure | undefined => {
    try {
      const exposure = books.exposure(market);
      return exposure instanceof ContractExposure ? exposure : undefined;
    } catch {
      return undefined; // a market the venue no longer lists holds no margin here
    }
  };
  let used = 0n;
  for (const o of books.open) {
    if (contractOf(o.market)?.contract.settle === settle) used += o.budget;
  }
  for (const { trader, market, position } of books.positions) {
    const exposure = contractOf(market);
    if (position.flat || exposure?.contract.settle !== settle) continue;
    const last = books.ticker(market)?.last;
    const size = position.quantity < 0n ? -position.quantity : position.quantity;
    const basis = position.basis < 0n ? -position.basis : position.basis;
    const value = last === undefined ? basis : exposure.notional(size, parseDecimal(last, 18));
    used += exposure.marginOf(value, books.leverage(trader, market) ?? 1);
  }
  return used;
}
