/**
 * Money moved into or out of the simulator's accounts from outside it: deposits and withdrawals,
 * each recorded with the simulated time it was booked, so the venue can list them as a real one
 * lists its deposit and withdrawal history (SimVenue's `fetchLedger`, the venue server's
 * /sapi/v1/capital endpoints) and a restarted Desk can tell them from a balance that changed
 * unexplained.
 *
 * Bounded as the fill history is: a venue keeps only recent history too.
 */
import type { LedgerEntry } from "../domain/ledger-entry.js";

/** Movements kept per account. */
export const ACCOUNT_MOVEMENT_HISTORY = 5_000;

export class AccountMovements {
  private readonly byAccount = new Map<string, LedgerEntry[]>();
  private count = 0;

  /** Records a movement booked at `timestamp`; returns it with its new id. */
  record(account: string, entry: Omit<LedgerEntry, "id">): LedgerEntry {
    this.count += 1;
    const booked: LedgerEntry = { id: `${entry.kind}-${this.count}`, ...entry };
    let list = this.byAccount.get(account);
    if (list === undefined) {
      list = [];
      this.byAccount.set(account, list);
    }
    list.push(booked);
    if (list.length > 2 * ACCOUNT_MOVEMENT_HISTORY)
      list.splice(0, list.length - ACCOUNT_MOVEMENT_HISTORY);
    return booked;
  }

  /** `account`'s movements booked at or after `since`, oldest first. */
  since(account: string, since = Number.NEGATIVE_INFINITY, currency?: string): LedgerEntry[] {
    return (this.byAccount.get(account) ?? []).filter(
      (e) => e.timestamp >= since && (currency === undefined || e.currency === currency),
    );
  }
}
