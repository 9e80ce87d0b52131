/**
 * The matching core of the exchange simulator: one instrument's limit order book.
 *
 * Invariants (each one is asserted by test/sim/book):
 *  1. Price-time priority: a taker matches the best price first and, within a price, the order
 *     that has rested longest first (FIFO). A fill's price is always the maker's price.
 *  2. The book is never crossed after an operation: bestBid() < bestAsk() whenever both exist.
 *  3. Post-only that would take is rejected untouched; fill-or-kill that cannot fill completely is
 *     rejected untouched; IOC fills what it can and expires the rest; a market order is an IOC at
 *     any price, or up to its protection price.
 *  4. Amend: a smaller quantity at the same price keeps priority (the same price and quantity is
 *     a no-op); any price change or quantity increase is cancel + new GTC limit at the back of its
 *     level, which may match if the new price crosses (with postOnly, a crossing amend is
 *     rejected and the order left as it was).
 *  5. Self-trade prevention (per book) when a taker meets a maker of the same owner:
 *     expire_maker removes the maker (onMakerExpired) and matching goes on; expire_taker expires
 *     the taker's remainder (EXPIRED_STP, earlier fills stand); expire_both does both; none lets
 *     them trade. Orders of NO_STP_OWNER (-1) are never subject to it.
 *  6. Quantity is conserved: for a taker, filled + rested-or-expired = its quantity; for a maker,
 *     its fills + its remaining (or cancelled/expired) quantity = its quantity.
 *
 * The hot path allocates nothing in steady state: orders and levels are pooled, orders are found
 * through an integer hash table, fills reach the listener as primitive arguments and the filled quantity of
 * the last add is a field. Malformed input (see checks.ts, plus a duplicate id or an unknown time
 * in force) throws InvalidInputError: a caller bug, not an exchange rejection.
 */
import { InternalError, InvalidInputError } from "../../domain/errors.js";
import { BookSide } from "./book-side.js";
import { checkOrder, checkPrice, checkQty, checkStpMode } from "./checks.js";
import { IdTable } from "./id-table.js";
import type { Order } from "./level.js";
import {
  AddResult,
  type BookListener,
  BUY,
  type CrossingVisitor,
  NO_STP_OWNER,
  type OrderBookOptions,
  type RestingOrder,
  SELL,
  type Side,
  type StpMode,
  type TimeInForce,
} from "./types.js";

const { RESTED, FILLED, EXPIRED, REJECTED_POST_ONLY, REJECTED_FOK, EXPIRED_STP } = AddResult;

export class OrderBook {
  private readonly byId = new IdTable<Order>();
  private readonly bids = new BookSide(BUY, this.byId);
  private readonly asks = new BookSide(SELL, this.byId);
  private readonly stp: StpMode;
  /** Set while matching or walking, so a listener or callback cannot mutate the book under us. */
  private busy = false;
  private filled = 0;

  constructor(
    private readonly listener: BookListener,
    options: OrderBookOptions = {},
  ) {
    this.stp = checkStpMode(options.stp ?? "none");
  }

  /** Quantity filled by the last addLimit / addMarket / amend. */
  get lastFilledQty(): number {
    return this.filled;
  }

  get size(): number {
    return this.byId.size;
  }

  /** A limit order at `price` ticks for `qty` lots. */
  addLimit(
    id: number,
    owner: number,
    side: Side,
    price: number,
    qty: number,
    tif: TimeInForce,
  ): AddResult {
    this.checkNew(id, owner, side, qty);
    checkPrice(price);
    this.filled = 0;
    if (tif === "GTC") return this.place(id, owner, side, price, qty, true);
    if (tif === "IOC") return this.place(id, owner, side, price, qty, false);
    if (tif === "PO") {
      if (this.opposite(side).isCrossedBy(price)) return REJECTED_POST_ONLY;
      this.rest(id, owner, side, price, qty);
      return RESTED;
    }
    if (tif === "FOK") {
      const stp = owner === NO_STP_OWNER ? "none" : this.stp;
      if (!this.opposite(side).canFill(owner, price, qty, stp)) return REJECTED_FOK;
      return this.place(id, owner, side, price, qty, false);
    }
    throw new InvalidInputError(`unknown time in force: ${String(tif)}`);
  }

  /** A market order: matches at any price, or up to `protectionPrice`; the remainder expires. */
  addMarket(
    id: number,
    owner: number,
    side: Side,
    qty: number,
    protectionPrice?: number,
  ): AddResult {
    this.checkNew(id, owner, side, qty);
    let limit = side === BUY ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    if (protectionPrice !== undefined) {
      checkPrice(protectionPrice);
      limit = protectionPrice;
    }
    this.filled = 0;
    return this.place(id, owner, side, limit, qty, false);
  }

  /** Remaining quantity cancelled, or -1 if `id` is not resting. */
  cancel(id: number): number {
    this.checkIdle();
    const order = this.byId.get(id);
    if (order === undefined) return -1;
    const remaining = order.remaining;
    this.remove(order);
    return remaining;
  }

  /**
   * Changes a resting order's price and/or remaining quantity (`newQty` is what stays open, not
   * a new original quantity). Keeps priority only when reducing at the same price; otherwise it
   * is cancel + a new GTC limit, and the result says what that did. With `postOnly`, a new price
   * that would take is REJECTED_POST_ONLY and the order stays as it was. -1 if `id` is not resting.
   */
  amend(id: number, newPrice: number, newQty: number, postOnly = false): AddResult | -1 {
    this.checkIdle();
    checkPrice(newPrice);
    checkQty(newQty);
    this.filled = 0;
    const order = this.byId.get(id);
    if (order === undefined) return -1;
    if (newPrice === order.price && newQty <= order.remaining) {
      order.level!.total -= order.remaining - newQty;
      order.remaining = newQty;
      return RESTED;
    }
    const { owner, side } = order;
    if (postOnly && this.opposite(side).isCrossedBy(newPrice)) return REJECTED_POST_ONLY;
    this.remove(order);
    return this.place(id, owner, side, newPrice, newQty, true);
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** Remaining quantity of a resting order, or -1 if `id` is not resting. */
  remainingOf(id: number): number {
    return this.byId.get(id)?.remaining ?? -1;
  }

  /** A snapshot of one resting order, or undefined. */
  get(id: number): RestingOrder | undefined {
    const o = this.byId.get(id);
    return o === undefined ? undefined : snapshot(o);
  }

  /** Best bid price in ticks; NaN when there are no bids. */
  bestBid(): number {
    return this.bids.best()?.price ?? Number.NaN;
  }

  /** Best ask price in ticks; NaN when there are no asks. */
  bestAsk(): number {
    return this.asks.best()?.price ?? Number.NaN;
  }

  /**
   * Walks the resting orders a `takerSide` order limited at `limitPrice` would meet, in the order
   * it would meet them, without changing anything. Self-trade prevention is not applied: `fn`
   * gets each maker's owner (and id) so the caller can. `limitPrice` may be ±Infinity for "any
   * price". `fn` returns false to stop; it must not change the book (InternalError if it does).
   */
  forEachCrossing(takerSide: Side, limitPrice: number, fn: CrossingVisitor): void {
    this.checkIdle();
    this.busy = true;
    try {
      this.opposite(takerSide).walkCrossing(limitPrice, fn);
    } finally {
      this.busy = false;
    }
  }

  /** Up to `maxLevels` aggregated levels of `side`, best first. */
  depth(side: Side, maxLevels: number): Array<[price: number, qty: number]> {
    return (side === BUY ? this.bids : this.asks).depth(maxLevels);
  }

  /** Every resting order: bids then asks, each in priority order. */
  *orders(): IterableIterator<RestingOrder> {
    for (const o of this.bids.orders()) yield snapshot(o);
    for (const o of this.asks.orders()) yield snapshot(o);
  }

  /** Matches, then rests (GTC) or expires (IOC/FOK/market) the remainder. */
  private place(
    id: number,
    owner: number,
    side: Side,
    limit: number,
    qty: number,
    rests: boolean,
  ): AddResult {
    const opposite = this.opposite(side);
    const stp = owner === NO_STP_OWNER ? "none" : this.stp;
    this.busy = true;
    let remaining: number;
    try {
      remaining = opposite.take(id, owner, limit, qty, stp, this.listener);
    } catch (err) {
      // A throwing listener aborts the taker; the level it was matching may be left empty.
      opposite.dropEmptyBest();
      throw err;
    } finally {
      this.busy = false;
    }
    this.filled = qty - remaining;
    if (opposite.takerExpired) return EXPIRED_STP;
    if (remaining === 0) return FILLED;
    if (!rests) return EXPIRED;
    this.rest(id, owner, side, limit, remaining);
    return RESTED;
  }

  private opposite(side: Side): BookSide {
    return side === BUY ? this.asks : this.bids;
  }

  private rest(id: number, owner: number, side: Side, price: number, qty: number): void {
    (side === BUY ? this.bids : this.asks).add(id, owner, price, qty);
  }

  private remove(order: Order): void {
    (order.side === BUY ? this.bids : this.asks).remove(order);
  }

  private checkIdle(): void {
    if (this.busy) throw new InternalError("order book changed from inside its own listener");
  }

  private checkNew(id: number, owner: number, side: Side, qty: number): void {
    this.checkIdle();
    checkOrder(id, owner, side, qty);
    if (this.byId.has(id)) throw new InvalidInputError(`order id already resting: ${id}`);
  }
}

function snapshot(o: Order): RestingOrder {
  return { id: o.id, owner: o.owner, side: o.side, price: o.price, remaining: o.remaining };
}
