/**
 * A Trader's stop loss held by the venue: a stop_market order through the Desk, where its
 * capabilities allow one (capabilities/stop.ts), at the very trigger a monitored stop would use.
 *
 * Rules:
 * - Placed once the entry filled, for the whole position in lots, on the closing side (a sell for
 *   a long, a buy for a short), reduceOnly on a contract. The trigger is the stop loss on the
 *   tick grid, rounded toward the position (down for a long, up for a short): prices trade on the
 *   grid, so it fires at exactly the prices a monitored stop fires at.
 * - Before any other exit it is cancelled first: its base is then free to sell, and it can no
 *   longer fire after the position is gone. A cancel that finds it already filled or gone is no
 *   error: the exit then finds less, or nothing, left to close.
 * - Moving the stop loss (`adjust`) cancels it and places it again at the new level.
 * - A placement the Desk refuses leaves the stop monitored (the Trader checks every ticker), and
 *   says so: the position is never left without its stop.
 */
import type { Order } from "../../domain/order.js";
import type { Logger } from "../../log/logger.js";

export interface StopOrders {
  /** Places a closing stop_market order of `amount` at `trigger`. */
  place(side: "buy" | "sell", amount: string, trigger: string): Promise<Order>;
  /** Cancels the Trader's order `id` at the Desk. */
  cancel(id: string): Promise<Order>;
}

export class NativeStop {
  /** The venue's id of the resting stop order, while one rests. */
  #id: string | undefined;

  constructor(
    private readonly orders: StopOrders,
    private readonly log: Logger,
    private readonly emit: (event: string, fields: Record<string, unknown>) => void,
  ) {}

  /** True while the venue holds the stop: the Trader does not monitor it then. */
  get resting(): boolean {
    return this.#id !== undefined;
  }

  /** Whether `order` is this stop (its fills close the position). */
  owns(order: Order): boolean {
    return order.id === this.#id;
  }

  /** After a restart: the stop the Desk knows is still open, if any. */
  adopt(orders: readonly Order[]): void {
    const open = orders.find((o) => o.type === "stop_market" && o.status === "open");
    this.#id = open?.id;
  }

  /** Places the stop; true when the venue holds it. A refusal leaves the stop monitored. */
  async place(side: "buy" | "sell", amount: string, trigger: string): Promise<boolean> {
    try {
      const order = await this.orders.place(side, amount, trigger);
      this.#id = order.status === "open" ? order.id : undefined;
      if (this.#id !== undefined)
        this.emit("trader.stop_placed", { trigger, amount, id: order.id });
      return this.#id !== undefined;
    } catch (err) {
      this.log.warn({ err }, "the native stop was refused; the stop is monitored instead");
      this.emit("trader.stop_monitored", { trigger, error: String(err) });
      return false;
    }
  }

  /** Cancels the resting stop, if any; one already filled or gone is not an error. */
  async cancel(): Promise<void> {
    const id = this.#id;
    if (id === undefined) return;
    this.#id = undefined;
    try {
      await this.orders.cancel(id);
    } catch (err) {
      this.log.info({ err, id }, "the native stop was no longer open to cancel");
    }
  }
}
