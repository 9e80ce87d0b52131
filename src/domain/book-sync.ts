/**
 * A local order book kept from a snapshot and sequenced diffs, by the exchange's documented
 * rules — what the Recorder stores so a replay rebuilds the book exactly, and what tells it a feed
 * has a gap.
 *
 * Rules, Binance spot ("How to manage a local order book correctly", Spot WebSocket Streams):
 * - Diffs carry U (first update id) and u (final update id). They are buffered until a snapshot
 *   (lastUpdateId) arrives.
 * - A snapshot older than the first buffered diff (lastUpdateId < its U) cannot be joined to it:
 *   another snapshot is needed.
 * - Buffered diffs with u <= lastUpdateId are discarded; the first one applied must have
 *   U <= lastUpdateId + 1 <= u.
 * - After that each diff's U must be the previous diff's u + 1; a diff with u at or below the
 *   book's id is old and ignored; one with U above it + 1 is a gap: the book is dropped and a new
 *   snapshot is needed.
 *
 * Rules, Binance USDⓈ-M and COIN-M futures (the same page of their docs):
 * - Buffered diffs with u < lastUpdateId are dropped; the first applied must have
 *   U <= lastUpdateId <= u, or pu = lastUpdateId (a snapshot taken exactly between two events:
 *   the next event starts past it but chains to it; ccxt joins it the same way).
 * - After that each diff's pu (the previous diff's u) must equal the last applied u; otherwise
 *   a gap, as above. A diff with u at or below the last applied u is old (a message delivered
 *   twice) and ignored.
 *
 * Both: a level's quantity is absolute, and 0 removes the level (a removal of a level the book
 * does not hold is normal). The buffer is bounded: past `capacity` diffs without a snapshot the
 * oldest go, and the book then needs a snapshot past them (the first kept diff's rule checks it).
 * Prices and quantities are decimal strings, compared exactly.
 */
import { InvalidInputError } from "./errors.js";
import { parseDecimal } from "./fixed.js";

export type SequenceRule = "spot" | "futures";

/** [price, quantity] as decimal strings; quantity "0" removes the level. */
export type BookLevel = readonly [string, string];

export interface BookDiff {
  /** First update id in the diff (Binance U). */
  first: number;
  /** Final update id in the diff (Binance u). */
  last: number;
  /** Futures: the previous diff's final update id (Binance pu). */
  previous?: number;
  bids: readonly BookLevel[];
  asks: readonly BookLevel[];
}

export interface BookSnapshot {
  /** Binance lastUpdateId. */
  id: number;
  bids: readonly BookLevel[];
  asks: readonly BookLevel[];
}

/** What a diff or a snapshot did to the book. */
export type SyncStep =
  | { kind: "buffered" }
  | { kind: "applied"; id: number }
  | { kind: "ignored"; why: string }
  | { kind: "gap"; why: string }
  | { kind: "synced"; id: number; applied: number }
  | { kind: "snapshot-too-old"; why: string };

/** Decimals prices are compared at: beyond any venue's. */
const SCALE = 18;

export class BookSync {
  readonly #rule: SequenceRule;
  readonly #capacity: number;
  #buffer: BookDiff[] = [];
  /** The id the book is at; undefined until a snapshot joins the diffs. */
  #id: number | undefined;
  /** A snapshot is in but no diff has joined it yet (futures join by U <= id <= u, not pu). */
  #joining = false;
  readonly #bids = new Map<string, { price: bigint; text: string; qty: string }>();
  readonly #asks = new Map<string, { price: bigint; text: string; qty: string }>();

  constructor(rule: SequenceRule, capacity = 10_000) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new InvalidInputError(`a book buffer's capacity must be a whole number above 0`);
    this.#rule = rule;
    this.#capacity = capacity;
  }

  /** The id of the last update applied; undefined while the book waits for a snapshot. */
  get id(): number | undefined {
    return this.#id;
  }

  /** True once a snapshot joined the diffs, until a gap. */
  get synced(): boolean {
    return this.#id !== undefined;
  }

  /** One diff from the stream. */
  onDiff(diff: BookDiff): SyncStep {
    checkDiff(diff);
    const id = this.#id;
    if (id === undefined) {
      this.#buffer.push(diff);
      // Bounded: the oldest go; joining the snapshot then checks nothing was lost in between.
      if (this.#buffer.length > this.#capacity) this.#buffer.shift();
      return { kind: "buffered" };
    }
    if (this.#rule === "spot") {
      if (diff.last <= id) return { kind: "ignored", why: `u ${diff.last} is at or below ${id}` };
      if (diff.first > id + 1) return this.#gap(`U ${diff.first} skips past ${id} + 1`);
    } else {
      if (diff.last < id || (!this.#joining && diff.last === id))
        return { kind: "ignored", why: `u ${diff.last} is at or below ${id}` };
      if (this.#joining) {
        if (diff.first > id && diff.previous !== id)
          return this.#gap(`U ${diff.first} is past lastUpdateId ${id}`);
      } else if (diff.previous !== id) {
        return this.#gap(`pu ${String(diff.previous)} is not the last u ${id}`);
      }
    }
    this.#apply(diff);
    return { kind: "applied", id: diff.last };
  }

  /** A REST snapshot: joins the buffered diffs, or says why it cannot. */
  onSnapshot(snapshot: BookSnapshot): SyncStep {
    const spot = this.#rule === "spot";
    const first = this.#buffer[0];
    if (spot && first !== undefined && snapshot.id < first.first) {
      return {
        kind: "snapshot-too-old",
        why: `lastUpdateId ${snapshot.id} is older than the first buffered U ${first.first}`,
      };
    }
    // Diffs the snapshot already holds.
    const kept = this.#buffer.filter((d) => (spot ? d.last > snapshot.id : d.last >= snapshot.id));
    const head = kept[0];
    if (head !== undefined) {
      const joins = spot
        ? head.first <= snapshot.id + 1 && snapshot.id + 1 <= head.last
        : (head.first <= snapshot.id && snapshot.id <= head.last) || head.previous === snapshot.id;
      if (!joins) {
        this.#buffer = kept;
        return {
          kind: "snapshot-too-old",
          why: `the first buffered diff [${head.first}, ${head.last}] does not follow lastUpdateId ${snapshot.id}`,
        };
      }
    }
    this.#bids.clear();
    this.#asks.clear();
    this.#set(this.#bids, snapshot.bids);
    this.#set(this.#asks, snapshot.asks);
    this.#id = snapshot.id;
    this.#joining = true;
    this.#buffer = [];
    let applied = 0;
    for (const diff of kept) {
      // The first kept diff joins the snapshot; each next must chain as on the live stream.
      const step = applied === 0 ? this.#join(diff) : this.onDiff(diff);
      if (step.kind === "gap") return step;
      if (step.kind === "applied") applied++;
    }
    return { kind: "synced", id: this.#id ?? snapshot.id, applied };
  }

  /** The best `depth` levels of a side, best first, as decimal strings. */
  levels(side: "bids" | "asks", depth = Number.POSITIVE_INFINITY): BookLevel[] {
    const book = side === "bids" ? this.#bids : this.#asks;
    const sorted = [...book.values()].sort((a, b) =>
      side === "bids" ? compare(b.price, a.price) : compare(a.price, b.price),
    );
    return sorted.slice(0, depth).map((l) => [l.text, l.qty] as const);
  }

  #join(diff: BookDiff): SyncStep {
    this.#apply(diff);
    return { kind: "applied", id: diff.last };
  }

  #gap(why: string): SyncStep {
    this.#id = undefined;
    this.#joining = false;
    this.#buffer = [];
    return { kind: "gap", why };
  }

  #apply(diff: BookDiff): void {
    this.#set(this.#bids, diff.bids);
    this.#set(this.#asks, diff.asks);
    this.#id = diff.last;
    this.#joining = false;
  }

  #set(
    book: Map<string, { price: bigint; text: string; qty: string }>,
    levels: readonly BookLevel[],
  ): void {
    for (const [text, qty] of levels) {
      const price = parseDecimal(text, SCALE);
      const key = String(price);
      if (parseDecimal(qty, SCALE) === 0n) book.delete(key);
      else book.set(key, { price, text, qty });
    }
  }
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkDiff(diff: BookDiff): void {
  if (
    !Number.isSafeInteger(diff.first) ||
    !Number.isSafeInteger(diff.last) ||
    diff.first > diff.last
  ) {
    throw new InvalidInputError(
      `a book diff needs whole update ids with U <= u, got U ${diff.first} u ${diff.last}`,
    );
  }
}
