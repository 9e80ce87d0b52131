/**
 * The bench's own checks that crypy did the work it is timed for:
 * - every order's signature was verified: node:crypto's `verify` is counted on the Desk's thread
 *   (the Trader signs on its own thread), and the timed rounds must count exactly one verification
 *   of an order's signed bytes per order — an order whose check was skipped, or was answered from
 *   a cache, would show as a missing one;
 * - the Desk refuses, over the same bus, an order replayed at a sequence it already took and one
 *   whose signature does not match its fields, then takes the genuine next order: its last sequence
 *   is exactly the number of orders sent, so each of them passed the signature check (the
 *   Trader's thread checked that each was filled).
 */
import crypto from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
import type { ActorKeys } from "../../src/actors/identity/keys.js";
import type { Mandate } from "../../src/actors/mandate.js";
import { type SignedOrderFields, signOrder } from "../../src/actors/order-signature.js";
import type { Bus } from "../../src/bus/bus.js";
import { MandateDeniedError } from "../../src/domain/errors.js";
import type { Order } from "../../src/domain/order.js";

const ORDER_TAG = Buffer.from('["crypy-order-v1",');

/**
 * Counts calls of node:crypto's `verify` made on this thread from now until `stop`: those over an
 * order's signed bytes (order-signature.ts, behind its domain tag), and the others.
 */
export function countVerifies(): {
  readonly orders: number;
  readonly others: number;
  stop(): void;
} {
  const original = crypto.verify;
  let orders = 0;
  let others = 0;
  // The same function, counted: ESM named imports of a builtin follow its CommonJS exports once
  // they are synced, so the Desk's `import { verify }` calls this.
  crypto.verify = ((...args: Parameters<typeof crypto.verify>) => {
    const data = args[1];
    if (Buffer.isBuffer(data) && data.subarray(0, ORDER_TAG.length).equals(ORDER_TAG)) orders++;
    else others++;
    return original(...args);
  }) as typeof crypto.verify;
  syncBuiltinESMExports();
  return {
    get orders() {
      return orders;
    },
    get others() {
      return others;
    },
    stop() {
      crypto.verify = original;
      syncBuiltinESMExports();
    },
  };
}

export interface SignedOrdersSetup {
  bus: Bus;
  subject: string;
  desk: string;
  mandate: Mandate;
  traderKeys: ActorKeys;
  amount: string;
  /** Orders the Trader sent and the Desk filled, at sequences 1..sent, buy first, alternating. */
  sent: number;
}

/** Throws naming the first check that failed; returns the genuine order, filled. */
export async function checkSignedOrders(s: SignedOrdersSetup): Promise<Order> {
  const fields = (side: "buy" | "sell", amount = s.amount): SignedOrderFields => ({
    trader: s.mandate.trader,
    market: s.mandate.market,
    side,
    type: "market",
    amount,
  });
  const next: "buy" | "sell" = s.sent % 2 === 0 ? "buy" : "sell";
  const ask = (order: SignedOrderFields, seq: number, signedAs = order) =>
    s.bus.request<Order>(s.subject, {
      op: "place",
      ...order,
      mandate: s.mandate,
      ...signOrder(s.traderKeys, s.desk, signedAs, s.mandate.nonce, seq),
    });
  const refused = async (what: string, reason: string, sending: Promise<Order>) => {
    try {
      await sending;
    } catch (err) {
      if (err instanceof MandateDeniedError && err.message.startsWith(reason)) return;
      throw new Error(`${what}: refused for another reason than ${reason}: ${String(err)}`);
    }
    throw new Error(`${what}: the Desk took it`);
  };
  await refused(`an order replayed at sequence ${s.sent}`, "replayed", ask(fields(next), s.sent));
  // Signed for twice the amount it asks: the bytes the Desk rebuilds do not match.
  await refused(
    `an order whose signature covers another amount, at sequence ${s.sent + 1}`,
    "bad signature",
    ask(fields(next), s.sent + 1, fields(next, String(Number(s.amount) * 2))),
  );
  const order = await ask(fields(next), s.sent + 1);
  if (order.status !== "closed")
    throw new Error(`the genuine order at sequence ${s.sent + 1} was not filled: ${order.status}`);
  return order;
}
