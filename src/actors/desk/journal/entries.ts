/**
 * What the Desk journals, and the port it journals through. The Desk's books are a fold over these
 * entries: replaying them in order rebuilds every owned order, its reservation, every mandate
 * budget, the Traders' positions, the client order id sequences and the trading state.
 *
 * - `desk.intent`, before the venue is called: the order as reserved (client order id, owner,
 *   amounts, what it reserves), the mandate's budget terms, and the Trader's request sequence.
 * - `desk.order`, each new state of an owned order the Desk takes in (acknowledgement, fill,
 *   cancel, expiry, rejection): the venue's own record, from which fills follow.
 * - `desk.lost`, an intent the venue never received (looked up by client id: not found).
 * - `desk.state`, a trading-state change (halted, reducing, active) and its reason.
 * - `desk.balances`, the account's balances as the venue reported them (a stream's update may hold
 *   only the assets it changed), and the venue time they are as of: the restart's balance check
 *   counts fills and deposits from there (balance-check.ts).
 * - `desk.revoked`, a mandate revoked: it authorizes nothing again, restart or not.
 * - `desk.books`, the books at one instant, compacted: what a snapshot holds instead of every
 *   entry before it (client id sequences, mandate budgets, request sequences, positions, and the
 *   orders still open with what they reserve and their last state).
 * - `desk.venue`, the state of a venue that lives in this process (the simulator, paper mode's
 *   account), written in the same durable step as the Desk's entry (venue-state.ts). Replay
 *   leaves it alone; the session loads the last one into the venue before the Desk starts.
 *
 * Amounts are decimal strings or bigint minor units written as strings: JSON has no bigint.
 */
import type { Balances } from "../../../domain/balance.js";
import type { Order, Side } from "../../../domain/order.js";
import type { PositionScales, SavedPosition } from "../../../domain/position-ledger.js";
import type { SavedRiskGate } from "../risk.js";

export interface IntentEntry {
  kind: "desk.intent";
  clientOrderId: string;
  trader: string;
  market: string;
  side: Side;
  nonce: string;
  price: string;
  /** Minor units (of base, or of quote for budget), as decimal integers. */
  amount: string;
  budget: string;
  closing: string;
  excess: string;
  /** Contract markets only: as the request named them (absent on spot). */
  reduceOnly?: boolean;
  leverage?: number;
  marginPrice?: string;
  mandate: {
    fingerprint: string;
    trader: string;
    traderKey: string;
    market: string;
    max: string;
  };
  /** The Trader's request sequence this order was signed at. */
  signed: { key: string; seq: number } | undefined;
}

export interface OrderEntry {
  kind: "desk.order";
  order: Order;
}

export interface LostEntry {
  kind: "desk.lost";
  clientOrderId: string;
  reason: string;
}

export interface StateEntry {
  kind: "desk.state";
  state: "halted" | "reducing" | "active";
  reason: string;
}

export interface RevokedEntry {
  kind: "desk.revoked";
  nonce: string;
}

export interface BalancesEntry {
  kind: "desk.balances";
  balances: Balances;
  /** The venue's time the balances are as of; absent where the venue does not say. */
  time?: number;
}

export interface BooksEntry {
  kind: "desk.books";
  /** Per market, the last client order id sequence used. */
  sequences: [string, number][];
  budgets: {
    nonce: string;
    fingerprint: string;
    trader: string;
    traderKey: string;
    market: string;
    max: string;
    /** Reserved by open orders plus spent by fills, minor units. */
    spent: string;
  }[];
  /** Per Trader key, the last request sequence seen. */
  signed: [string, number][];
  /** Mandate nonces revoked. */
  revoked: string[];
  positions: {
    trader: string;
    market: string;
    scales: PositionScales;
    saved: SavedPosition;
  }[];
  /** The risk gates by quote currency: positions' notional and the day's realised PnL. */
  risk: [string, SavedRiskGate][];
  /** Orders still open: the intent as it reserves now, what filled, and the last state. */
  open: { intent: IntentEntry; filled: string; last: Order | undefined }[];
}

export interface VenueEntry {
  kind: "desk.venue";
  /** Whatever the venue saved (a JSON value); the venue reads it back. */
  state: unknown;
}

export type DeskEntry =
  | IntentEntry
  | OrderEntry
  | LostEntry
  | StateEntry
  | BalancesEntry
  | RevokedEntry
  | BooksEntry
  | VenueEntry;

/**
 * Where the Desk's entries go. `append` resolves once the entry is durable and rejects (for good:
 * the journal is failed) when it cannot be made so; `recovered` is what an earlier run made
 * durable, oldest first, for the Desk to replay before it trades.
 */
export interface DeskJournal {
  readonly recovered: readonly DeskEntry[];
  append(entry: DeskEntry): Promise<void>;
  /**
   * Appends entries in one durable step: after a crash a replay has all of them or none.
   * Optional: venue-state.ts falls back to ordered appends (see there why that is still safe).
   */
  appendAll?(entries: DeskEntry[]): Promise<void>;
  /**
   * Replaces everything journaled so far with `entries` (the books, compacted), so a restart
   * replays those and the tail after them. Optional: a journal without it just grows.
   */
  snapshot?(entries: DeskEntry[]): Promise<void>;
}

/** A journal that keeps entries in memory: for tests, and to restart a Desk on the same books. */
export class MemoryDeskJournal implements DeskJournal {
  /** Appended since the start, or since the last snapshot. */
  entries: DeskEntry[] = [];
  /** The last snapshot's entries, if one was taken. */
  snapshotted: DeskEntry[] | undefined;
  /** Set to make every append fail, as a full disk would. */
  failWith: Error | undefined;

  constructor(readonly recovered: readonly DeskEntry[] = []) {}

  async append(entry: DeskEntry): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    // Stored as the file journal would: through JSON, so nothing relies on object identity.
    this.entries.push(JSON.parse(JSON.stringify(entry)) as DeskEntry);
  }

  async appendAll(entries: DeskEntry[]): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.entries.push(...(JSON.parse(JSON.stringify(entries)) as DeskEntry[]));
  }

  async snapshot(entries: DeskEntry[]): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.snapshotted = JSON.parse(JSON.stringify(entries)) as DeskEntry[];
    this.entries = [];
  }

  /** A journal for the next run: everything this one made durable. */
  reopen(): MemoryDeskJournal {
    return new MemoryDeskJournal([...(this.snapshotted ?? this.recovered), ...this.entries]);
  }
}
