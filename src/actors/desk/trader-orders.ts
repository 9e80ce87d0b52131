/**
 * The Desk's book of its Traders' orders: who owns each order, which are open, what each Trader
 * holds per market from its fills, and which order states were already handled (the same state
 * arrives both in the venue's reply and on its order stream).
 */
import { marketToken } from "../../domain/market.js";
import type { Order, Side } from "../../domain/order.js";

/** Orders whose last handled state is remembered (enough for any duplicate to arrive). */
const REPORTED_LIMIT = 10_000;

export interface OrderOwner {
  readonly trader: string;
  readonly market: string;
  readonly side: Side;
  /** Base filled so far. */
  filled: number;
}

/** A new state of an owned order: its owner, and the base filled since the last state. */
export interface OwnedUpdate {
  owner: OrderOwner;
  filledDelta: number;
}

export class TraderOrders {
  private readonly seq = new Map<string, number>();
  private readonly owners = new Map<string, OrderOwner>();
  private readonly openById = new Map<string, Order>();
  /** Base held per (trader, market), from fills: what a Trader may sell without spending budget. */
  private readonly positions = new Map<string, number>();
  /** The last state handled per order, newest last. */
  private readonly handled = new Map<string, string>();

  constructor(private readonly desk: string) {}

  /** Registers a new order of `trader` and returns its deterministic `<desk>-<market>-<seq>` id. */
  place(trader: string, market: string, side: Side): string {
    const seq = (this.seq.get(market) ?? 0) + 1;
    this.seq.set(market, seq);
    const clientOrderId = `${this.desk}-${marketToken(market)}-${seq}`;
    this.owners.set(clientOrderId, { trader, market, side, filled: 0 });
    return clientOrderId;
  }

  /** Base `trader` holds on `market`, from its fills through this Desk. */
  held(trader: string, market: string): number {
    return this.positions.get(`${trader}\u0000${market}`) ?? 0;
  }

  open(): Order[] {
    return [...this.openById.values()];
  }

  get openCount(): number {
    return this.openById.size;
  }

  /** The open order `id` when `trader` owns it. */
  openOf(trader: string, id: string): Order | undefined {
    const order = this.openById.get(id);
    return order !== undefined && this.owners.get(order.clientOrderId)?.trader === trader
      ? order
      : undefined;
  }

  /**
   * Takes in a state of an order: undefined when this state was handled before or nobody here owns
   * the order; otherwise its owner and the base filled since, with the owner's position updated.
   */
  update(order: Order): OwnedUpdate | undefined {
    const state = `${order.status}\u0000${order.filled}`;
    if (this.handled.get(order.id) === state) return undefined;
    this.handled.set(order.id, state);
    if (this.handled.size > REPORTED_LIMIT) {
      this.handled.delete(this.handled.keys().next().value as string); // the oldest
    }
    if (order.status === "open") this.openById.set(order.id, order);
    else this.openById.delete(order.id);
    const owner = this.owners.get(order.clientOrderId);
    if (owner === undefined) return undefined;
    const filled = Number(order.filled);
    const filledDelta = Math.max(0, filled - owner.filled);
    if (filledDelta > 0) {
      owner.filled = filled;
      const key = `${owner.trader}\u0000${owner.market}`;
      // A buy holds what was bought less the fee taken in base; a sell gives up what it sold.
      const base =
        owner.side === "buy"
          ? filledDelta - Number(order.fee?.cost ?? "0") * (filledDelta / filled)
          : -filledDelta;
      this.positions.set(key, Math.max(0, (this.positions.get(key) ?? 0) + base));
    }
    return { owner, filledDelta };
  }
}
