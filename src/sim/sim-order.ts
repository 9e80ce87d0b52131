/**
 * The simulator's record of an order, in exact integers, and its ccxt-shaped view.
 *
 * Reservation rule: an open order keeps `reserved` minor units of `reservedAsset` locked — a buy
 * reserves quote (limit price × remaining, or the exact cost of a market buy), a sell reserves base
 * (the remaining quantity). Each fill consumes its share; whatever is left is unlocked when the
 * order ends.
 */
import type { Fill } from "../domain/fill.js";
import { formatDecimal } from "../domain/fixed.js";
import type { Order, OrderStatus, OrderType, Side, TimeInForce } from "../domain/order.js";
import type { Instrument } from "./instrument.js";

export interface SimOrder {
  /** Book id (a number); the venue's order id is its decimal string. */
  readonly num: number;
  readonly clientOrderId: string;
  readonly account: string;
  readonly instrument: Instrument;
  readonly type: OrderType;
  readonly side: Side;
  readonly timeInForce: TimeInForce;
  /** Limit price in ticks (NaN for market orders). */
  priceTicks: number;
  /** Trigger price in ticks (NaN unless a stop order). */
  readonly stopTicks: number;
  amountLots: number;
  filledLots: number;
  /** Quote minor units paid or received so far. */
  costUnits: bigint;
  /** Σ ticks × lots over fills, for the average price. */
  notionalTickLots: bigint;
  feeUnits: bigint;
  reserved: bigint;
  readonly reservedAsset: string;
  status: OrderStatus;
  readonly timestamp: number;
  lastTradeTimestamp: number | undefined;
  /** Stop orders wait in the stop book until triggered. */
  triggered: boolean;
  /** With the queue-position fill rule: lots displayed ahead of this order at its price. */
  queueAhead: number;
  /** Contracts only: the order may only reduce the account's position (it reserves nothing). */
  readonly reduceOnly: boolean;
}

export function remainingLots(o: SimOrder): number {
  return o.amountLots - o.filledLots;
}

/** Spot: the asset the order receives. A contract: its settle asset (the quote). */
export function feeAsset(o: SimOrder): string {
  return o.side === "buy" && o.instrument.contract === undefined
    ? o.instrument.base
    : o.instrument.quote;
}

function formatFee(o: SimOrder, fee: bigint): string {
  const inst = o.instrument;
  return feeAsset(o) === inst.base ? inst.formatBase(fee) : inst.formatQuote(fee);
}

/** The ccxt view of an order. */
export function orderView(o: SimOrder): Order {
  const inst = o.instrument;
  const order: Order = {
    id: String(o.num),
    clientOrderId: o.clientOrderId,
    timestamp: o.timestamp,
    symbol: inst.symbol,
    type: o.type,
    side: o.side,
    timeInForce: o.timeInForce,
    amount: inst.lotsToAmount(o.amountLots),
    filled: inst.lotsToAmount(o.filledLots),
    remaining: inst.lotsToAmount(o.status === "open" ? remainingLots(o) : 0),
    cost: inst.formatQuote(o.costUnits),
    status: o.status,
    postOnly: o.timeInForce === "PO",
    reduceOnly: o.reduceOnly,
    fee: { currency: feeAsset(o), cost: formatFee(o, o.feeUnits) },
  };
  if (!Number.isNaN(o.priceTicks)) order.price = inst.ticksToPrice(o.priceTicks);
  if (!Number.isNaN(o.stopTicks)) order.stopPrice = inst.ticksToPrice(o.stopTicks);
  if (o.filledLots > 0) order.average = averagePrice(o);
  return order;
}

/** Σ(ticks × lots) / lots, in price units with 4 more decimals than the tick, rounded half-even. */
export function averagePrice(o: SimOrder): string {
  const extra = 4;
  const inst = o.instrument;
  const scaled = (o.notionalTickLots * 10n ** BigInt(extra)) / BigInt(o.filledLots);
  const ticksScaled = scaled * inst.tick.step;
  return formatDecimal(ticksScaled, inst.tick.scale + extra);
}

/**
 * A fill as the exchange records it, in exact integers. Its ccxt view (decimal strings) is built
 * only when someone reads it: a backtest with nobody listening makes thousands of fills a second.
 */
export interface SimFill {
  readonly order: SimOrder;
  readonly id: number;
  readonly time: number;
  readonly ticks: number;
  readonly lots: number;
  readonly cost: bigint;
  readonly fee: bigint;
  readonly role: "maker" | "taker";
}

/** The ccxt view of a recorded fill: the same whenever it is built (it reads no mutable field). */
export function simFillView(f: SimFill): Fill {
  return fillView(f.order, f.id, f.time, f.ticks, f.lots, f.cost, f.fee, f.role);
}

export function fillView(
  o: SimOrder,
  id: number,
  time: number,
  ticks: number,
  lots: number,
  cost: bigint,
  fee: bigint,
  role: "maker" | "taker",
): Fill {
  const inst = o.instrument;
  return {
    id: String(id),
    orderId: String(o.num),
    clientOrderId: o.clientOrderId,
    timestamp: time,
    symbol: inst.symbol,
    side: o.side,
    price: inst.ticksToPrice(ticks),
    amount: inst.lotsToAmount(lots),
    cost: inst.formatQuote(cost),
    takerOrMaker: role,
    fee: { currency: feeAsset(o), cost: formatFee(o, fee), rate: inst.feeRate(role) },
  };
}
