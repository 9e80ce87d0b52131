/**
 * After a restart the journal says what the Desk believed; the venue says what is. Before the Desk
 * takes an order, every order the journal left open (or unknown: sent, never answered) is looked
 * up by its client order id and its venue state taken in — fills the Desk missed while it was down
 * are accounted and journaled once, as any state is. An intent the venue does not know never
 * reached it: its reservation is released. Open orders at the venue that the journal never saw are
 * another client's (or a human's): reported, left alone.
 *
 * A venue may tell an order's fee only after its fill (binance: the stream's report, not the REST
 * reply). An order the journal has filled but without a fee was cut off before that report was
 * journaled: its fee is read from the venue's fills of that order (fetchMyTrades) and taken in, so
 * a fee paid in the base shrinks the position the Desk holds as it did at the venue.
 */
import { OrderNotFoundError } from "../../../domain/errors.js";
import { formatDecimal, parseDecimal } from "../../../domain/fixed.js";
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
  await feesCutOff(gateway, venue);
  const open = await venue.fetchOpenOrders();
  const external = open.filter((o) => gateway.orders.byClientId(o.clientOrderId) === undefined);
  return { lookedUp, lost, external };
}

/** Fees of filled orders the journal holds without one, from the venue's fills of each. */
async function feesCutOff(gateway: OrderGateway, venue: Venue): Promise<void> {
  if (venue.has.fetchMyTrades === false) return;
  // Only the last few can have been cut off by the crash; a venue that never tells fees (no fee
  // at all) must not cost a request per order it ever filled.
  const candidates = gateway.orders
    .remembered()
    .filter((o) => o.last !== undefined && o.last.fee === undefined && units(o.last.filled) > 0n)
    .slice(-CUT_OFF_LOOKUPS);
  for (const owned of candidates) {
    const last = owned.last;
    if (last === undefined) continue;
    // Whole milliseconds: a venue's API takes no fraction (a simulated clock may have one).
    const since = Math.floor(last.timestamp) - 60_000;
    const fills = (await venue.fetchMyTrades(last.symbol, since, 1_000)).filter(
      (f) => f.orderId === last.id,
    );
    const currency = fills[0]?.fee.currency;
    if (currency === undefined || fills.some((f) => f.fee.currency !== currency)) continue;
    const cost = fills.reduce((sum, f) => sum + units(f.fee.cost), 0n);
    if (cost === 0n) continue;
    gateway.take({ ...last, fee: { currency, cost: formatDecimal(cost, SCALE) } });
  }
}

const SCALE = 18;
/** Filled orders without a fee looked up at a restart, the most recent first. */
const CUT_OFF_LOOKUPS = 20;

function units(text: string): bigint {
  return parseDecimal(text, SCALE, "half-even");
}
