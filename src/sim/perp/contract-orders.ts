/**
 * Order entry on a contract: what an order reserves, and which orders may only reduce.
 *
 * Rules:
 * - An order that is not reduce-only reserves initial margin + taker fee on its whole notional
 *   (notional / leverage rounded UP, fee rounded UP), in the settle asset, whether it will open or
 *   close: only `reduceOnly` orders get the closing exemption (as the Desk's gateway reserves).
 *   The notional is at the limit price (stop: trigger price); a market buy at the exact cost of
 *   what the book fills; a market sell at the best bid (no fill of a sell is above it).
 * - A leverage the bracket of the resulting position does not allow is refused, naming it.
 * - A delivery contract takes no order (nor amendment) once its expiry has come: the market is
 *   closed (delivery.ts settles it); the error names the market and its expiry.
 * - A reduce-only order must be opposite to the account's position and no bigger than it; else it
 *   is refused with the reason. It reserves nothing; a fill of it beyond the position (the
 *   position shrank meanwhile) opens the rest with margin from the free balance.
 */
import { InvalidOrderError } from "../../domain/errors.js";
import { bracketFor } from "../derivatives/brackets.js";
import type { SimMarket } from "../sim-market.js";
import type { SimOrder } from "../sim-order.js";
import { orderMargin } from "./contract-fills.js";
import { abs, type Positions } from "./positions.js";

/** What a contract order reserves for `notional` (settle units) of it. */
export function contractReserve(
  positions: Positions,
  m: SimMarket,
  order: SimOrder,
  notional: bigint,
): bigint {
  if (order.reduceOnly) return 0n;
  const inst = m.instrument;
  const spec = inst.contract!;
  const { leverage } = positions.setting(order.account, inst.symbol);
  const held = positions.get(order.account, inst.symbol)?.entryNotional ?? 0n;
  const b = bracketFor(spec.brackets, held + notional);
  if (leverage > b.maxLeverage) {
    throw new InvalidOrderError(
      `${inst.symbol}: leverage ${leverage} is above ${b.maxLeverage}, the maximum of bracket ` +
        `${b.bracket} that a position of this size falls in; lower the leverage or the amount`,
    );
  }
  return orderMargin(inst, leverage, notional);
}

export function checkReduceOnly(positions: Positions, order: SimOrder): void {
  const inst = order.instrument;
  const p = positions.get(order.account, inst.symbol);
  const qty = p?.qty ?? 0n;
  const wanted = BigInt(order.amountLots) * inst.contract!.lot.step;
  const what = `reduceOnly ${order.side} of ${inst.lotsToAmount(order.amountLots)} ${inst.symbol}`;
  if (qty === 0n) throw new InvalidOrderError(`${what} would not reduce: there is no position`);
  const long = qty > 0n;
  if (long === (order.side === "buy")) {
    throw new InvalidOrderError(
      `${what} would not reduce: the position is ${long ? "long" : "short"}, so only a ${long ? "sell" : "buy"} reduces it`,
    );
  }
  if (wanted > abs(qty)) {
    const held = inst.lotsToAmount(Number(abs(qty) / inst.contract!.lot.step));
    throw new InvalidOrderError(
      `${what} is more than the position of ${held}: it would open the rest`,
    );
  }
}

/** An upper bound of a market order's notional: exact for a buy (`buyCost`), best bid for a sell. */
export function marketNotional(m: SimMarket, order: SimOrder, lots: number, buyCost: bigint) {
  if (order.side === "buy") return buyCost;
  const bid = m.book.bestBid();
  return Number.isNaN(bid) ? 0n : m.instrument.cost(bid, lots);
}

/** Refuses an order on a delivery contract whose expiry has come (`now` ≥ expiry). */
export function refuseExpired(m: SimMarket, now: number): void {
  if (!isExpired(m, now)) return;
  const expiry = new Date(m.instrument.contract!.expiry!).toISOString();
  throw new InvalidOrderError(
    `${m.instrument.symbol} expired at ${expiry}: the delivery contract ` +
      "is settled and the market is closed to orders",
  );
}

/** Whether `m` is a delivery contract whose expiry has come. */
export function isExpired(m: SimMarket, now: number): boolean {
  const expiry = m.instrument.contract?.expiry;
  return expiry !== undefined && now >= expiry;
}
