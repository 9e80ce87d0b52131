/**
 * Each market's order book as Binance numbers it: a book state with an update id, so the REST depth
 * snapshot and the diff depth stream agree and Binance's local order book procedure works.
 *
 * The simulator's book has no ids of its own (the makers' quotes are recomputed around the path),
 * so ids are given here: `sync` reads the simulator's book, and when it differs from the last state
 * that got an id, the difference becomes the next update, id + 1. A snapshot syncs first and then
 * answers from the state it numbered, so a snapshot with `lastUpdateId` N equals the first snapshot
 * plus the updates up to N, applied in order.
 *
 * Invariants: ids start at 1 and grow by one per update, per market; an update lists every level
 * whose quantity changed, a level that left the book (or the tracked depth) with quantity "0".
 */
import type { BookLevel } from "../../domain/market-data.js";
import type { Simulator } from "../../sim/simulator.js";

/** Binance's deepest REST snapshot; levels beyond it are not tracked. */
export const TRACKED_DEPTH = 5000;

export interface DepthUpdate {
  symbol: string;
  /** The update's id: the previous update's + 1. */
  id: number;
  /** Levels to set, quantity "0" meaning removed. */
  bids: BookLevel[];
  asks: BookLevel[];
}

export interface DepthSnapshot {
  lastUpdateId: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

interface BookState {
  id: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

export type DepthListener = (update: DepthUpdate) => void;

export class DepthBooks {
  private readonly books = new Map<string, BookState>();
  private readonly listeners = new Set<DepthListener>();

  constructor(private readonly sim: Simulator) {}

  /** Tells `listener` every update from now on; returns a function that stops it. */
  onUpdate(listener: DepthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The id of `symbol`'s current state (after syncing it). */
  lastUpdateId(symbol: string): number {
    return this.state(symbol).id;
  }

  /** The top `limit` levels per side, numbered: the REST depth answer. */
  snapshot(symbol: string, limit: number): DepthSnapshot {
    const state = this.state(symbol);
    return {
      lastUpdateId: state.id,
      bids: state.bids.slice(0, limit),
      asks: state.asks.slice(0, limit),
    };
  }

  /** The best bid and ask of the current (synced) state. */
  top(symbol: string): { id: number; bid: BookLevel | undefined; ask: BookLevel | undefined } {
    const state = this.state(symbol);
    return { id: state.id, bid: state.bids[0], ask: state.asks[0] };
  }

  /** Reads the simulator's book; a change becomes the next update, told to the listeners. */
  sync(symbol: string): DepthUpdate | undefined {
    const book = this.sim.orderBook(symbol, TRACKED_DEPTH);
    const previous = this.books.get(symbol);
    if (previous === undefined) {
      this.books.set(symbol, { id: 1, bids: book.bids, asks: book.asks });
      return undefined;
    }
    const bids = changes(previous.bids, book.bids);
    const asks = changes(previous.asks, book.asks);
    if (bids.length === 0 && asks.length === 0) return undefined;
    const update: DepthUpdate = { symbol, id: previous.id + 1, bids, asks };
    this.books.set(symbol, { id: update.id, bids: book.bids, asks: book.asks });
    for (const listener of this.listeners) listener(update);
    return update;
  }

  private state(symbol: string): BookState {
    this.sync(symbol);
    return this.books.get(symbol)!;
  }
}

/** The levels of `after` whose quantity differs from `before`'s, and `before`'s gone ones at "0". */
function changes(before: readonly BookLevel[], after: readonly BookLevel[]): BookLevel[] {
  const old = new Map(before);
  const out: BookLevel[] = [];
  for (const [price, qty] of after) {
    if (old.get(price) !== qty) out.push([price, qty]);
    old.delete(price);
  }
  for (const price of old.keys()) out.push([price, "0"]);
  return out;
}
