/**
 * A Trader's requests to its Desk's order gateway: place and cancel, each signed with the key its
 * mandate names at a sequence never used before (a sniffed mandate, a replayed or a changed
 * request is refused by the Desk), each bounded in the Trader's clock.
 *
 * After ORDER_WAIT_MS an order is unknown to the Trader, not gone: the Desk's reports of it still
 * count (position.ts takes every state once).
 */
import type { Bus } from "../../bus/bus.js";
import { deskOrder } from "../../bus/subjects.js";
import type { Order } from "../../domain/order.js";
import type { Clock } from "../../time/clock.js";
import type { Mandate } from "../mandate.js";
import { signCancel, signOrder } from "../order-signature.js";
import { askWithin } from "../runtime/ask.js";
import type { TraderOptions } from "./types.js";

/** Clock time an order request may take; after it the order is unknown, and reports still count. */
export const ORDER_WAIT_MS = 60_000;

/** What an order may say beyond a market order of its side and amount. */
export interface OrderExtra {
  /** Contract markets: the leverage its margin is reserved at. */
  leverage?: number;
  /** Contract markets: it may only reduce the position. */
  reduceOnly?: boolean;
  /** A stop held at the venue until the last price reaches `stopPrice`. */
  type?: "stop_market";
  stopPrice?: string;
}

export class DeskOrders {
  constructor(
    private readonly trader: TraderOptions,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly mandate: () => Mandate | undefined,
  ) {}

  /** A market order (or a stop) of `side` and `amount` under the Trader's mandate. */
  place(side: "buy" | "sell", amount: string, extra: OrderExtra = {}): Promise<Order> {
    const t = this.trader;
    const mandate = this.mandate();
    const request = { trader: t.id, market: t.market, side, type: "market", amount, ...extra };
    const proof =
      mandate === undefined
        ? {}
        : signOrder(t.keys, t.desk, request, mandate.nonce, t.sequence.next());
    return askWithin<Order>(
      this.bus,
      this.clock,
      deskOrder(t.desk),
      { op: "place", ...request, mandate, ...proof },
      ORDER_WAIT_MS,
      `${t.desk} (a ${side} order)`,
    );
  }

  /** Cancels one of the Trader's own orders at the Desk. */
  cancel(id: string): Promise<Order> {
    const t = this.trader;
    const proof = signCancel(t.keys, t.desk, t.id, id, t.sequence.next());
    return askWithin<Order>(
      this.bus,
      this.clock,
      deskOrder(t.desk),
      { op: "cancel", trader: t.id, id, ...proof },
      ORDER_WAIT_MS,
      `${t.desk} (a cancel)`,
    );
  }
}
