/**
 * A Trader's signature on each order request: proof that the Trader a mandate names (by its public
 * key) sent this very order, once.
 *
 * The signed bytes are rebuilt from the request's fields in one fixed order behind a domain tag:
 * desk, trader, market, side, type, amount, price (null for a market order), the mandate's nonce,
 * and the Trader's sequence number; then, on a contract market, reduceOnly and leverage when the
 * request names either, and a stop order's trigger (an order without them signs the same bytes as
 * before they existed). Changing any field breaks the signature; the sequence only
 * grows per Trader key (DurableCounter), so a replayed request is recognised by the Desk.
 */
import type { ActorKeys } from "./identity/keys.js";
import { signedBytes } from "./identity/keys.js";

const ORDER_TAG = "crypy-order-v1";
const CANCEL_TAG = "crypy-cancel-v1";

/** The fields of an order request that its signature covers. */
export interface SignedOrderFields {
  trader: string;
  market: string;
  side: string;
  type: string;
  amount: string;
  price?: string | undefined;
  /** A stop order's trigger. */
  stopPrice?: string | undefined;
  /** Contract markets: the order may only reduce the Trader's position. */
  reduceOnly?: boolean | undefined;
  /** Contract markets: the leverage the order's margin is reserved at (1 if absent). */
  leverage?: number | undefined;
}

/** What travels with an order request to prove it. */
export interface OrderProof {
  seq: number;
  signature: string;
}

/** The bytes of `order` to `desk` under mandate `nonce` at sequence `seq`. */
export function orderBytes(
  desk: string,
  order: SignedOrderFields,
  nonce: string,
  seq: number,
): Buffer {
  const fields: unknown[] = [
    desk,
    order.trader,
    order.market,
    order.side,
    order.type,
    order.amount,
    order.price ?? null,
    nonce,
    seq,
  ];
  if (order.reduceOnly !== undefined || order.leverage !== undefined) {
    fields.push(order.reduceOnly ?? false, order.leverage ?? null);
  }
  // A stop's trigger last: an order without one signs the same bytes as before stops existed.
  if (order.stopPrice !== undefined) fields.push(order.stopPrice);
  return signedBytes(ORDER_TAG, fields);
}

/**
 * Signs `order` as its Trader.
 *
 * @example
 * const proof = signOrder(keys, "sim-main", request, mandate.nonce, sequence.next());
 * bus.request(deskOrder("sim-main"), { op: "place", ...request, mandate, ...proof });
 */
export function signOrder(
  keys: ActorKeys,
  desk: string,
  order: SignedOrderFields,
  nonce: string,
  seq: number,
): OrderProof {
  return { seq, signature: keys.sign(orderBytes(desk, order, nonce, seq)) };
}

/** The bytes of a cancel of order `id` (venue or client id) by `trader` at sequence `seq`. */
export function cancelBytes(desk: string, trader: string, id: string, seq: number): Buffer {
  return signedBytes(CANCEL_TAG, [desk, trader, id, seq]);
}

/** Signs a cancel as its Trader (the same sequence as its orders). */
export function signCancel(
  keys: ActorKeys,
  desk: string,
  trader: string,
  id: string,
  seq: number,
): OrderProof {
  return { seq, signature: keys.sign(cancelBytes(desk, trader, id, seq)) };
}
