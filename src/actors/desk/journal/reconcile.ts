/**
 * After a restart the journal says what the Desk believed; the venue says what is. Before the Desk
 * takes an order, every order the journal left open (or unknown: sent, never answered) is looked
 * up by its client order id and its venue state taken in — fills the Desk missed while it was down
 * are accounted and journaled once, as any state is. An intent the venue does not know never
 * reached it: its reservation is released. Open orders at the venue that the journal never saw are
 * another client's (or a human's): reported, left alone.
 */
import { OrderNotFoundError } from "../../../domain/errors.js";
import type { Order } from "../../../domain/order.js";
import { crashPoint } from "../../../journal/crash-point.js";
import type { Venue } from "../../../venues/venue.js";
import type { OrderGateway } from "../gateway/order-gateway.js";

export interface Reconciled {
  /** Orders looked up by client order id. */
  lookedUp: number;
  /** Intents the venue never received. */
  lost: number;
  /** Open orders at the venue the journal never saw. */
  external: Order[];
}

export async function reconcileOrders(gateway: OrderGateway, venue: Venue): Promise<Reconciled> {
  let lookedUp = 0;
  let lost = 0;
  for (const owned of gateway.orders.open()) {
    lookedUp += 1;
    try {
      const order = await venue.fetchOrder("", owned.market, {
        clientOrderId: owned.clientOrderId,
      });
      gateway.take(order);
      crashPoint("desk.recover.looked-up");
    } catch (err) {
      if (!(err instanceof OrderNotFoundError)) throw err;
      lost += 1;
      gateway.lose(owned, "the venue never received it (not found by client order id at restart)");
    }
  }
  const open = await venue.fetchOpenOrders();
  const external = open.filter((o) => gateway.orders.byClientId(o.clientOrderId) === undefined);
  return { lookedUp, lost, external };
}
