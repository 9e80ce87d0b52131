/**
 * The matching core's vocabulary. Prices are integer ticks and quantities integer lots, held as
 * plain numbers (safe integers): the book only compares, adds and subtracts them, so it never
 * leaves the safe range and never needs bigint. Money (price × quantity) is the caller's, in bigint.
 */
import type { TimeInForce } from "../../domain/order.js";

export type { TimeInForce };

export const BUY = 0;
export const SELL = 1;
/** Numeric on purpose (the domain's Side is "buy" | "sell"): the hot path indexes and compares it. */
export type Side = typeof BUY | typeof SELL;

/** What happens when a taker would match a resting order of the same owner. */
export type StpMode = "expire_maker" | "expire_taker" | "expire_both" | "none";
export const STP_MODES: readonly StpMode[] = [
  "expire_maker",
  "expire_taker",
  "expire_both",
  "none",
];

/**
 * The owner that self-trade prevention never applies to: its orders trade with each other (the
 * simulator's synthetic liquidity account quotes both sides and may also take).
 */
export const NO_STP_OWNER = -1;

/** What an add (or an amend that re-adds) did with the order. */
export const AddResult = {
  /** Placed (possibly after partial fills); the remainder rests in the book. */
  RESTED: 0,
  /** Fully filled; nothing rests. */
  FILLED: 1,
  /** IOC or market: the unfilled remainder expired (possibly after partial fills, possibly none). */
  EXPIRED: 2,
  /** Post-only that would have taken: nothing happened. */
  REJECTED_POST_ONLY: 3,
  /** Fill-or-kill that could not fill completely: nothing happened. */
  REJECTED_FOK: 4,
  /** Self-trade prevention expired the taker (earlier fills stand); nothing rests. */
  EXPIRED_STP: 5,
} as const;
export type AddResult = (typeof AddResult)[keyof typeof AddResult];

/**
 * Told about every fill and every STP expiry, synchronously, in matching order, with primitive
 * arguments so the hot path allocates nothing. A listener must not call the book's mutating
 * methods (the book throws InternalError if it does; queries are fine) and should not throw: a
 * throw aborts the taker after the fills already reported (its remainder neither rests nor is
 * reported) and propagates to the caller of add*, leaving the book consistent.
 */
export interface BookListener {
  /** `price` is always the maker's price. */
  onFill(
    makerId: number,
    takerId: number,
    price: number,
    qty: number,
    makerOwner: number,
    takerOwner: number,
  ): void;
  /** A resting order left the book because of self-trade prevention. */
  onMakerExpired(makerId: number, remainingQty: number, reason: "stp"): void;
}

/** Called per resting order by forEachCrossing; returns false to stop the walk. */
export type CrossingVisitor = (price: number, qty: number, owner: number, id: number) => boolean;

export interface OrderBookOptions {
  /** Self-trade prevention for every order of this book; default "none". */
  stp?: StpMode;
}

/** A snapshot of one resting order (tests, snapshots; not the hot path). */
export interface RestingOrder {
  readonly id: number;
  readonly owner: number;
  readonly side: Side;
  readonly price: number;
  readonly remaining: number;
}
