/**
 * One price level: its resting orders in an intrusive doubly-linked FIFO (O(1) append at the
 * back, O(1) removal anywhere), and their total remaining quantity. Orders and levels are pooled
 * by their owners, so every field is initialised with its final type (one hidden class each).
 */
import { BUY, type Side } from "./types.js";

export class Order {
  id = 0;
  owner = 0;
  side: Side = BUY;
  price = 0;
  remaining = 0;
  prev: Order | null = null;
  next: Order | null = null;
  level: Level | null = null;
}

export class Level {
  price = 0;
  /** price for bids, -price for asks: every side sorts ascending by key with its best level last. */
  key = 0;
  /** Sum of the remaining quantity of the orders in the queue. */
  total = 0;
  head: Order | null = null;
  tail: Order | null = null;

  /** Puts `order` at the back of the queue (it loses any earlier priority). */
  append(order: Order): void {
    order.level = this;
    order.next = null;
    order.prev = this.tail;
    if (this.tail === null) this.head = order;
    else this.tail.next = order;
    this.tail = order;
    this.total += order.remaining;
  }

  /** Takes `order` out of the queue, with whatever quantity it still has. */
  unlink(order: Order): void {
    const { prev, next } = order;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    this.total -= order.remaining;
    order.prev = null;
    order.next = null;
    order.level = null;
  }
}
