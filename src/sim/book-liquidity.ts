/**
 * Liquidity from an external L2 book: a live venue's displayed levels, so a paper order walks the
 * real market's depth at its real prices.
 *
 * Rules:
 * - A snapshot replaces the levels only when it is newer than the last one applied: a larger nonce
 *   when both carry one, else a later timestamp. An older or repeated snapshot changes nothing.
 * - Prices go onto the tick grid away from the other side (a bid rounds down, an ask up); sizes
 *   round down to whole lots; a level of less than one lot is not there.
 * - What a match takes from a level stays taken until a newer snapshot arrives: the live venue never
 *   saw the paper fill, so its next update is the whole truth again.
 * - A level at or through a user's resting order on the other side is hidden (not moved): the user
 *   order is in front, and only the tape fills it.
 * - The reference price plays no part. Before the first snapshot and after `clear` there are no
 *   levels.
 */

import { toSteps } from "../domain/fixed.js";
import type { BookLevel, OrderBook as L2Book } from "../domain/market-data.js";
import { BUY, SELL, type Side } from "./book/index.js";
import { type Levels, TakenLots } from "./displayed-levels.js";
import type { Instrument } from "./instrument.js";
import { type Level, QuotedLiquidity } from "./liquidity-source.js";

export class BookLiquidity extends QuotedLiquidity {
  private readonly sides: [Levels, Levels] = [[], []];
  private readonly taken = new TakenLots();
  private timestamp = Number.NEGATIVE_INFINITY;
  private nonce: number | undefined;
  private present = false;

  constructor(readonly instrument: Instrument) {
    super();
  }

  /** Whether a snapshot is in force. */
  get hasBook(): boolean {
    return this.present;
  }

  /** Applies `book` if it is newer than the last snapshot; returns whether it did. */
  update(book: L2Book): boolean {
    const newer =
      book.nonce !== undefined && this.nonce !== undefined
        ? book.nonce > this.nonce
        : book.timestamp > this.timestamp;
    if (this.present && !newer) return false;
    this.timestamp = book.timestamp;
    this.nonce = book.nonce;
    this.sides[BUY] = this.toLevels(book.bids, BUY);
    this.sides[SELL] = this.toLevels(book.asks, SELL);
    this.taken.reset();
    this.present = true;
    return true;
  }

  /** Forgets the book (its feed broke): nothing to trade against until the next snapshot. */
  clear(): void {
    this.present = false;
    this.sides[BUY] = [];
    this.sides[SELL] = [];
  }

  /** The best displayed price on `side` in ticks (consumption ignored); NaN when there is none. */
  best(side: Side): number {
    return this.sides[side][0]?.[0] ?? Number.NaN;
  }

  levels(
    side: Side,
    _refTicks: number,
    _now: number,
    clipTicks: number,
    budgetLots: number,
    maxLevels = Number.POSITIVE_INFINITY,
  ): Level[] {
    return this.taken.walk(side, this.sides[side], clipTicks, budgetLots, maxLevels);
  }

  protected consume(side: Side, level: Level, taken: number): void {
    this.taken.take(side, level, taken);
  }

  private toLevels(levels: readonly BookLevel[], side: Side): Levels {
    const inst = this.instrument;
    const byPrice = new Map<number, number>();
    for (const [price, amount] of levels) {
      const ticks = Number(toSteps(price, inst.tick, side === BUY ? "down" : "up"));
      const lots = Number(toSteps(amount, inst.lot, "down"));
      if (ticks <= 0 || lots <= 0 || !Number.isSafeInteger(ticks) || !Number.isSafeInteger(lots)) {
        continue;
      }
      byPrice.set(ticks, (byPrice.get(ticks) ?? 0) + lots);
    }
    return [...byPrice].sort((a, b) => (side === BUY ? b[0] - a[0] : a[0] - b[0]));
  }
}
