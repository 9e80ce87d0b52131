/**
 * An obviously-correct order book for the property tests: a flat array of orders, sorted on
 * demand by price then arrival, matched one order at a time. Slow on purpose; no shared code with
 * src/sim/book. Fill-or-kill is a trial run on a copy, kept only if it filled completely.
 */
import {
  AddResult,
  type BookListener,
  BUY,
  NO_STP_OWNER,
  type RestingOrder,
  type Side,
  type StpMode,
  type TimeInForce,
} from "../../../src/sim/book/index.js";

export type BookEvent =
  | [
      kind: "fill",
      makerId: number,
      takerId: number,
      price: number,
      qty: number,
      mo: number,
      to: number,
    ]
  | [kind: "expired", makerId: number, remaining: number];

/** A BookListener that keeps what it is told, in order. */
export class Recorder implements BookListener {
  events: BookEvent[] = [];
  onFill(makerId: number, takerId: number, price: number, qty: number, mo: number, to: number) {
    this.events.push(["fill", makerId, takerId, price, qty, mo, to]);
  }
  onMakerExpired(makerId: number, remaining: number) {
    this.events.push(["expired", makerId, remaining]);
  }
  take(): BookEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}

interface RefOrder {
  id: number;
  owner: number;
  side: Side;
  price: number;
  remaining: number;
  seq: number;
}

export interface RefOutcome {
  result: AddResult;
  filled: number;
  events: BookEvent[];
}

export class ReferenceBook {
  private book: RefOrder[] = [];
  private seq = 0;

  constructor(private readonly stp: StpMode) {}

  addLimit(id: number, owner: number, side: Side, price: number, qty: number, tif: TimeInForce) {
    if (tif === "PO") {
      if (this.crossing(side, price).length > 0) return outcome(AddResult.REJECTED_POST_ONLY);
      this.rest(id, owner, side, price, qty);
      return outcome(AddResult.RESTED);
    }
    const saved = this.book.map((o) => ({ ...o }));
    const { remaining, stpExpired, events } = this.match(id, owner, side, price, qty);
    if (tif === "FOK" && (remaining > 0 || stpExpired)) {
      this.book = saved;
      return outcome(AddResult.REJECTED_FOK);
    }
    const filled = qty - remaining;
    if (stpExpired) return { result: AddResult.EXPIRED_STP, filled, events };
    if (remaining === 0) return { result: AddResult.FILLED, filled, events };
    if (tif === "IOC" || tif === "FOK") return { result: AddResult.EXPIRED, filled, events };
    this.rest(id, owner, side, price, remaining);
    return { result: AddResult.RESTED, filled, events };
  }

  addMarket(id: number, owner: number, side: Side, qty: number, protection?: number): RefOutcome {
    const limit = protection ?? (side === BUY ? Number.MAX_VALUE : -Number.MAX_VALUE);
    const { remaining, stpExpired, events } = this.match(id, owner, side, limit, qty);
    const filled = qty - remaining;
    if (stpExpired) return { result: AddResult.EXPIRED_STP, filled, events };
    return { result: remaining === 0 ? AddResult.FILLED : AddResult.EXPIRED, filled, events };
  }

  cancel(id: number): number {
    const o = this.find(id);
    if (o === undefined) return -1;
    this.book = this.book.filter((x) => x !== o);
    return o.remaining;
  }

  amend(id: number, price: number, qty: number, postOnly: boolean): RefOutcome | -1 {
    const o = this.find(id);
    if (o === undefined) return -1;
    if (price === o.price && qty <= o.remaining) {
      o.remaining = qty;
      return outcome(AddResult.RESTED);
    }
    if (postOnly && this.crossing(o.side, price).length > 0) {
      return outcome(AddResult.REJECTED_POST_ONLY);
    }
    this.cancel(id);
    return this.addLimit(id, o.owner, o.side, price, qty, "GTC");
  }

  /** Bids best first, then asks best first; each price in arrival order. */
  orders(): RestingOrder[] {
    const bids = this.book
      .filter((o) => o.side === BUY)
      .sort((a, b) => b.price - a.price || a.seq - b.seq);
    const asks = this.book
      .filter((o) => o.side !== BUY)
      .sort((a, b) => a.price - b.price || a.seq - b.seq);
    return [...bids, ...asks].map(({ id, owner, side, price, remaining }) => ({
      id,
      owner,
      side,
      price,
      remaining,
    }));
  }

  private find(id: number): RefOrder | undefined {
    return this.book.find((o) => o.id === id);
  }

  /** Opposite orders a `side` taker limited at `limit` would meet, in the order it meets them. */
  private crossing(side: Side, limit: number): RefOrder[] {
    const buying = side === BUY;
    return this.book
      .filter((o) => o.side !== side && (buying ? o.price <= limit : o.price >= limit))
      .sort((a, b) => (buying ? a.price - b.price : b.price - a.price) || a.seq - b.seq);
  }

  private match(id: number, owner: number, side: Side, limit: number, qty: number) {
    const events: BookEvent[] = [];
    let remaining = qty;
    const selfTrades = this.stp !== "none" && owner !== NO_STP_OWNER;
    for (const maker of this.crossing(side, limit)) {
      if (remaining === 0) break;
      if (selfTrades && maker.owner === owner) {
        if (this.stp === "expire_taker") return { remaining, stpExpired: true, events };
        this.cancel(maker.id);
        events.push(["expired", maker.id, maker.remaining]);
        if (this.stp === "expire_both") return { remaining, stpExpired: true, events };
        continue;
      }
      const q = Math.min(maker.remaining, remaining);
      maker.remaining -= q;
      remaining -= q;
      events.push(["fill", maker.id, id, maker.price, q, maker.owner, owner]);
      if (maker.remaining === 0) this.cancel(maker.id);
    }
    return { remaining, stpExpired: false, events };
  }

  private rest(id: number, owner: number, side: Side, price: number, remaining: number): void {
    this.book.push({ id, owner, side, price, remaining, seq: this.seq++ });
  }
}

function outcome(result: AddResult): RefOutcome {
  return { result, filled: 0, events: [] };
}
