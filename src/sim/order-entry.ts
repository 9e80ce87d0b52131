/**
 * Order entry: a request from the outside world (decimal strings, ccxt names) checked and turned
 * into exact integers, or refused with an error that names the reason: unknown market, unsupported
 * type or time in force (NotSupportedError), bad tick or lot, size outside the market's limits,
 * missing price, duplicate client order id (InvalidOrderError).
 */
import { InvalidOrderError, NotSupportedError } from "../domain/errors.js";
import {
  isOrderType,
  isSide,
  isTimeInForce,
  type OrderType,
  type Side,
  type TimeInForce,
} from "../domain/order.js";
import { pathTicks, type SimMarket } from "./sim-market.js";

export interface OrderInput {
  symbol: string;
  type: string;
  side: string;
  amount: string;
  price?: string | undefined;
  stopPrice?: string | undefined;
  timeInForce?: string | undefined;
  postOnly?: boolean | undefined;
  reduceOnly?: boolean | undefined;
  clientOrderId?: string | undefined;
}

export interface CheckedOrder {
  type: OrderType;
  side: Side;
  timeInForce: TimeInForce;
  lots: number;
  priceTicks: number;
  stopTicks: number;
  clientOrderId: string | undefined;
  reduceOnly: boolean;
}

export interface VenueRules {
  readonly venue: string;
  readonly orderTypes: ReadonlySet<OrderType>;
  readonly timeInForce: ReadonlySet<TimeInForce>;
}

/** Binance's rule for client order ids, so ids that work here work there. */
const CLIENT_ORDER_ID = /^[.A-Za-z0-9:/_-]{1,36}$/;

export function checkOrder(m: SimMarket, input: OrderInput, rules: VenueRules): CheckedOrder {
  const inst = m.instrument;
  if (!isOrderType(input.type)) {
    throw new InvalidOrderError(
      `unknown order type ${JSON.stringify(input.type)}: use market, limit, stop_market or stop_limit`,
    );
  }
  const type = input.type;
  if (!rules.orderTypes.has(type)) {
    throw new NotSupportedError(
      `${rules.venue} does not support ${type} orders (it supports ${[...rules.orderTypes].join(", ")})`,
    );
  }
  if (!isSide(input.side)) {
    throw new InvalidOrderError(`side must be buy or sell, got ${JSON.stringify(input.side)}`);
  }
  if (input.reduceOnly === true && inst.contract === undefined) {
    throw new NotSupportedError(
      `reduceOnly applies to derivatives; ${inst.symbol} is a spot market`,
    );
  }
  const requested = input.postOnly === true ? "PO" : (input.timeInForce ?? "GTC");
  if (!isTimeInForce(requested)) {
    throw new InvalidOrderError(
      `unknown time in force ${JSON.stringify(requested)}: use GTC, IOC, FOK or PO`,
    );
  }
  const priced = type === "limit" || type === "stop_limit";
  if (!priced && requested === "PO") {
    throw new InvalidOrderError(
      `a post-only order needs a limit price; ${type} orders take liquidity`,
    );
  }
  // Market orders are immediate by nature; only a priced order's time in force is the caller's.
  const timeInForce: TimeInForce = priced ? requested : "IOC";
  if (priced && !rules.timeInForce.has(timeInForce)) {
    throw new NotSupportedError(
      `${rules.venue} does not support time in force ${timeInForce} (it supports ${[...rules.timeInForce].join(", ")})`,
    );
  }
  const lots = inst.amountToLots(input.amount);
  let priceTicks = Number.NaN;
  if (priced) {
    if (input.price === undefined) throw new InvalidOrderError(`a ${type} order needs a price`);
    priceTicks = inst.priceToTicks(input.price);
  }
  let stopTicks = Number.NaN;
  if (type === "stop_market" || type === "stop_limit") {
    if (input.stopPrice === undefined) {
      throw new InvalidOrderError(`a ${type} order needs a stopPrice (triggerPrice)`);
    }
    stopTicks = inst.priceToTicks(input.stopPrice, "stopPrice");
  }
  const cid = input.clientOrderId;
  if (cid !== undefined && !CLIENT_ORDER_ID.test(cid)) {
    throw new InvalidOrderError(
      `clientOrderId ${JSON.stringify(cid)} must be 1-36 characters of letters, digits and . : / _ -`,
    );
  }
  const reduceOnly = input.reduceOnly === true;
  return {
    type,
    side: input.side,
    timeInForce,
    lots,
    priceTicks,
    stopTicks,
    clientOrderId: cid,
    reduceOnly,
  };
}

/** Market and stop orders need a market price: refused before the feed's first event. */
export function requireMarketPrice(m: SimMarket): void {
  if (Number.isNaN(m.lastPrice)) {
    throw new InvalidOrderError(
      `${m.instrument.symbol} has no market price yet: its feed has not started`,
    );
  }
}

/** A stop already through the market price would trigger at once: refused, as Binance does. */
export function refuseImmediateTrigger(m: SimMarket, side: Side, stopTicks: number): void {
  const p = pathTicks(m, m.lastPrice);
  if ((side === "buy" && p >= stopTicks) || (side === "sell" && p <= stopTicks)) {
    throw new InvalidOrderError(
      `stop price ${m.instrument.ticksToPrice(stopTicks)} would trigger immediately: ${m.instrument.symbol} is at ${m.lastPrice}`,
    );
  }
}
