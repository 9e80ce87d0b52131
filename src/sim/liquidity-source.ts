/**
 * Where the liquidity a user's taker order meets comes from: the synthetic makers (liquidity.ts,
 * quotes around the path price) or an external L2 book (book-liquidity.ts, a live venue's levels).
 * The exchange asks a source for its levels on one side and, for one match, places them in the
 * order book as orders of MARKET_MAKER_OWNER (`materialize` … `withdraw`); what the match took is
 * reported back to the source (`consume`), which decides when it comes back.
 *
 * Between matches the order book holds only the users' resting orders.
 */
import { BUY, NO_STP_OWNER, type OrderBook, type Side } from "./book/index.js";

/** Owner number of the liquidity source's orders in the book (self-trade prevention ignores it). */
export const MARKET_MAKER_OWNER = NO_STP_OWNER;

export interface Level {
  /** Which level (0 = best) this is. */
  index: number;
  price: number;
  qty: number;
}

export interface LiquiditySource {
  /**
   * The levels on `side` (BUY = bids) best first, after what matches consumed, never at or through
   * `clipTicks` (the best user order on the other side; NaN when there is none) and limited to
   * `budgetLots` in total, and to the first `maxLevels` of them (all by default: a caller that
   * needs only the best asks for 1). `refTicks` is the market's reference price (sources may
   * ignore it).
   */
  levels(
    side: Side,
    refTicks: number,
    now: number,
    clipTicks: number,
    budgetLots: number,
    maxLevels?: number,
  ): Level[];
  /**
   * The best level on `side` as `levels(side, refTicks, now, NaN, MAX_SAFE_INTEGER, 1)[0]` gives
   * it, written into `into` (the caller's scratch object: no allocation on a hot path); false,
   * and `into` untouched, when there is none.
   */
  bestLevel(side: Side, refTicks: number, now: number, into: Level): boolean;
  /** Places the levels on `side` into the book for one match. */
  materialize(book: OrderBook, side: Side, refTicks: number, now: number, budgetLots: number): void;
  /** Removes what `materialize` placed, reporting what the match took. */
  withdraw(book: OrderBook): void;
  /** A fresh order id for the source taking a resting user order (the market path crossing it). */
  takerId(): number;
}

/** Ids of the source's orders live above any user order id. */
const FIRST_SOURCE_ID = 2 ** 48;

/** The materialize/withdraw bookkeeping every source shares; a source says what its levels are. */
export abstract class QuotedLiquidity implements LiquiditySource {
  private nextId = FIRST_SOURCE_ID;
  private live: number[] = [];
  private liveLevels: Level[] = [];
  private liveSide: Side = BUY;

  abstract levels(
    side: Side,
    refTicks: number,
    now: number,
    clipTicks: number,
    budgetLots: number,
    maxLevels?: number,
  ): Level[];

  bestLevel(side: Side, refTicks: number, now: number, into: Level): boolean {
    const level = this.levels(side, refTicks, now, Number.NaN, Number.MAX_SAFE_INTEGER, 1)[0];
    if (level === undefined) return false;
    into.index = level.index;
    into.price = level.price;
    into.qty = level.qty;
    return true;
  }

  /** A match took `taken` lots of `level` on `side`. */
  protected abstract consume(side: Side, level: Level, taken: number): void;

  materialize(
    book: OrderBook,
    side: Side,
    refTicks: number,
    now: number,
    budgetLots: number,
  ): void {
    const clip = side === BUY ? book.bestAsk() : book.bestBid();
    this.liveSide = side;
    this.live = [];
    this.liveLevels = this.levels(side, refTicks, now, clip, budgetLots);
    for (const level of this.liveLevels) {
      const id = this.nextId++;
      book.addLimit(id, MARKET_MAKER_OWNER, side, level.price, level.qty, "GTC");
      this.live.push(id);
    }
  }

  withdraw(book: OrderBook): void {
    for (let k = 0; k < this.live.length; k++) {
      const id = this.live[k]!;
      const remaining = book.has(id) ? book.cancel(id) : 0;
      const level = this.liveLevels[k]!;
      const taken = level.qty - Math.max(0, remaining);
      if (taken > 0) this.consume(this.liveSide, level, taken);
    }
    this.live = [];
    this.liveLevels = [];
  }

  takerId(): number {
    return this.nextId++;
  }
}
