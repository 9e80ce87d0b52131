/**
 * Liquidity from a recorded L2 book: the snapshots and diffs a Recorder stored (read back by
 * store/postgres/read-book.ts), replayed on the simulator's clock, so an order fills against the
 * book the market really showed at that instant.
 *
 * Rules:
 * - The book at time `now` is every recorded event at or before `now` applied in order: a snapshot
 *   replaces both sides, a diff sets its levels (amounts are absolute, 0 removes: Binance's rule,
 *   domain/book-sync.ts), a gap empties the book until the next snapshot. Before the first event
 *   there are no levels. Time only moves forward: asking about an earlier `now` changes nothing.
 * - Prices go onto the tick grid away from the other side (a bid rounds down, an ask up), levels
 *   meeting on one tick add up; sizes round down to whole lots, and a level under one lot is not
 *   there — as for a live venue's book (book-liquidity.ts).
 * - What a match takes from a level stays taken until the recording says something new of that
 *   level: a snapshot (all levels), or a diff naming its price. The market never saw the
 *   simulated fill, so its next word on a level is the whole truth again.
 * - A level at or through a user's resting order on the other side is hidden (the user's order is
 *   in front). The reference price plays no part.
 */
import { BookSync } from "../domain/book-sync.js";
import { toSteps } from "../domain/fixed.js";
import type { BookEvent } from "../store/postgres/read-book.js";
import { BUY, SELL, type Side } from "./book/index.js";
import { type Levels, TakenLots } from "./displayed-levels.js";
import type { Instrument } from "./instrument.js";
import { type Level, QuotedLiquidity } from "./liquidity-source.js";

export class RecordedBookLiquidity extends QuotedLiquidity {
  private next = 0;
  private book: BookSync | undefined;
  private sides: [Levels, Levels] = [[], []];
  private dirty = false;
  private readonly taken = new TakenLots();

  constructor(
    readonly instrument: Instrument,
    private readonly events: readonly BookEvent[],
  ) {
    super();
  }

  /** Applies every recorded event at or before `now`. */
  advance(now: number): void {
    const events = this.events;
    while (this.next < events.length && events[this.next]!.time <= now) {
      const event = events[this.next++]!;
      if (event.kind === "snapshot") {
        this.book = new BookSync("spot");
        this.book.onSnapshot({ id: event.sequence, bids: event.bids, asks: event.asks });
        this.taken.reset();
      } else if (event.kind === "diff") {
        if (this.book === undefined) continue;
        this.book.onDiff(event);
        for (const [price] of event.bids) this.taken.forget(BUY, this.ticks(price, BUY));
        for (const [price] of event.asks) this.taken.forget(SELL, this.ticks(price, SELL));
      } else {
        this.book = undefined;
      }
      this.dirty = true;
    }
  }

  /** The best displayed price on `side` at `now` in ticks (consumption ignored); NaN when none. */
  best(side: Side, now: number): number {
    this.advance(now);
    return this.current(side)[0]?.[0] ?? Number.NaN;
  }

  levels(
    side: Side,
    _refTicks: number,
    now: number,
    clipTicks: number,
    budgetLots: number,
    maxLevels = Number.POSITIVE_INFINITY,
  ): Level[] {
    this.advance(now);
    return this.taken.walk(side, this.current(side), clipTicks, budgetLots, maxLevels);
  }

  protected consume(side: Side, level: Level, taken: number): void {
    this.taken.take(side, level, taken);
  }

  private current(side: Side): Levels {
    if (this.dirty) {
      this.sides =
        this.book === undefined
          ? [[], []]
          : [this.toLevels(this.book, BUY), this.toLevels(this.book, SELL)];
      this.dirty = false;
    }
    return this.sides[side];
  }

  private ticks(price: string, side: Side): number {
    return Number(toSteps(price, this.instrument.tick, side === BUY ? "down" : "up"));
  }

  private toLevels(book: BookSync, side: Side): Levels {
    const byPrice = new Map<number, number>();
    for (const [price, amount] of book.levels(side === BUY ? "bids" : "asks")) {
      const ticks = this.ticks(price, side);
      const lots = Number(toSteps(amount, this.instrument.lot, "down"));
      if (ticks <= 0 || lots <= 0 || !Number.isSafeInteger(ticks) || !Number.isSafeInteger(lots))
        continue;
      byPrice.set(ticks, (byPrice.get(ticks) ?? 0) + lots);
    }
    return [...byPrice].sort((a, b) => (side === BUY ? b[0] - a[0] : a[0] - b[0]));
  }
}
