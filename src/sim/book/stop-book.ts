/**
 * Stop orders waiting for their trigger: a buy stop triggers when the last trade price is at or
 * above its stop price, a sell stop when it is at or below. The book only holds ids; the caller
 * keeps what each stop turns into.
 *
 * Trigger order follows the price path from the previous trigger() price to the new one: a stop
 * that was already through at the previous price (added since) triggers at the start of the path,
 * the others where the path reaches their stop price; ties go by insertion order. With no previous
 * price, every triggered stop is at the start of the path (insertion order).
 *
 * Each side is an array sorted so the next stop to trigger is last, so trigger() with nothing to
 * trigger is two comparisons and returns a shared, frozen empty array.
 */
import { InvalidInputError } from "../../domain/errors.js";
import { BUY, SELL, type Side } from "./types.js";

interface Stop {
  readonly id: number;
  readonly side: Side;
  readonly stopPrice: number;
  readonly seq: number;
}

const NOTHING: readonly number[] = Object.freeze([]);

/** True when `a` triggers after `b` on its side (so sits before it in the array). */
function later(a: Stop, b: Stop): boolean {
  if (a.stopPrice !== b.stopPrice) {
    return a.side === BUY ? a.stopPrice > b.stopPrice : a.stopPrice < b.stopPrice;
  }
  return a.seq > b.seq;
}

export class StopBook {
  /** Buy stops, highest stop first: the lowest (next to trigger) is last. */
  private readonly buys: Stop[] = [];
  /** Sell stops, lowest stop first: the highest (next to trigger) is last. */
  private readonly sells: Stop[] = [];
  private readonly byId = new Map<number, Stop>();
  private seq = 0;
  private previous = Number.NaN;

  get size(): number {
    return this.byId.size;
  }

  /** The price of the last trigger() call (NaN before the first). */
  get lastPrice(): number {
    return this.previous;
  }

  add(id: number, side: Side, stopPrice: number): void {
    if (!Number.isSafeInteger(id)) throw new InvalidInputError(`stop id must be an integer: ${id}`);
    if (this.byId.has(id)) throw new InvalidInputError(`stop id already waiting: ${id}`);
    if (side !== BUY && side !== SELL) throw new InvalidInputError(`side must be 0 or 1: ${side}`);
    if (!Number.isSafeInteger(stopPrice)) {
      throw new InvalidInputError(`stop price must be integer ticks: ${stopPrice}`);
    }
    const stop: Stop = { id, side, stopPrice, seq: this.seq++ };
    const list = side === BUY ? this.buys : this.sells;
    list.splice(this.position(list, stop), 0, stop);
    this.byId.set(id, stop);
  }

  remove(id: number): boolean {
    const stop = this.byId.get(id);
    if (stop === undefined) return false;
    const list = stop.side === BUY ? this.buys : this.sells;
    list.splice(this.position(list, stop), 1);
    this.byId.delete(id);
    return true;
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** Ids triggered by a trade at `lastPrice`, in trigger order; they leave the book. */
  trigger(lastPrice: number): readonly number[] {
    const from = Number.isNaN(this.previous) ? lastPrice : this.previous;
    this.previous = lastPrice;
    const { buys, sells } = this;
    const buyNext = buys[buys.length - 1];
    const sellNext = sells[sells.length - 1];
    const buyHit = buyNext !== undefined && lastPrice >= buyNext.stopPrice;
    const sellHit = sellNext !== undefined && lastPrice <= sellNext.stopPrice;
    if (!buyHit && !sellHit) return NOTHING;
    const hit: Array<{ stop: Stop; at: number }> = [];
    while (buys.length > 0 && lastPrice >= buys[buys.length - 1]!.stopPrice) {
      const stop = buys.pop()!;
      hit.push({ stop, at: Math.max(0, stop.stopPrice - from) });
    }
    while (sells.length > 0 && lastPrice <= sells[sells.length - 1]!.stopPrice) {
      const stop = sells.pop()!;
      hit.push({ stop, at: Math.max(0, from - stop.stopPrice) });
    }
    hit.sort((a, b) => a.at - b.at || a.stop.seq - b.stop.seq);
    return hit.map(({ stop }) => {
      this.byId.delete(stop.id);
      return stop.id;
    });
  }

  /** Index of `stop` in `list`, or where it belongs (binary search on trigger order). */
  private position(list: Stop[], stop: Stop): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (later(list[mid]!, stop)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
