/**
 * A Venue's `createOrder` arguments as the simulator's order entry takes them: numbers through
 * their shortest decimal form, ccxt's two names of a trigger price as one. Shared by every venue
 * whose fills come from `src/sim` (SimVenue, PaperVenue).
 */
import type { OrderType, Side } from "../../domain/order.js";
import type { OrderInput } from "../../sim/order-entry.js";
import { type CreateOrderParams, type Num, numToString } from "../venue.js";

export function orderInput(
  symbol: string,
  type: OrderType,
  side: Side,
  amount: Num,
  price: Num | undefined,
  params: CreateOrderParams,
): OrderInput {
  const stop = params.triggerPrice ?? params.stopPrice;
  return {
    symbol,
    type,
    side,
    amount: numToString(amount),
    price: price === undefined ? undefined : numToString(price),
    stopPrice: stop === undefined ? undefined : numToString(stop),
    timeInForce: params.timeInForce,
    postOnly: params.postOnly,
    reduceOnly: params.reduceOnly,
    clientOrderId: params.clientOrderId,
  };
}
