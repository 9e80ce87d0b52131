/**
 * Binance's order lookup, shared by its spot and USDⓈ-M endpoints: by `orderId`, else by
 * `origClientOrderId` (-1102 when both are missing); an order of another market is unknown to
 * this one, as on Binance.
 */
import { OrderNotFoundError } from "../domain/errors.js";
import type { Order } from "../domain/order.js";
import type { Simulator } from "../sim/simulator.js";
import { orderIdOrClientIdMissing } from "./binance-error.js";
import type { Query } from "./binance-spot.js";

export function findOrder(sim: Simulator, account: string, symbol: string, q: Query): Order {
  const orderId = q.get("orderId");
  const clientOrderId = q.get("origClientOrderId");
  let order: Order;
  if (orderId !== null && orderId !== "") order = sim.order(account, { id: orderId });
  else if (clientOrderId !== null && clientOrderId !== "")
    order = sim.order(account, { clientOrderId });
  else throw orderIdOrClientIdMissing();
  if (order.symbol !== symbol) throw new OrderNotFoundError(`order ${order.id} is not ${symbol}`);
  return order;
}
