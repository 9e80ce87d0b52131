/**
 * Money that moved in or out of an account other than by trading: deposits, withdrawals, transfers
 * between the venue's wallets, and anything else the venue books (rebates, airdrops). ccxt calls
 * the list a ledger (`fetchLedger`); trades and their fees are not in it here — those are fills
 * (fill.ts), and counting them twice is exactly what a balance check must not do.
 *
 * Money rule as in order.ts: `amount` is a decimal string, signed — what the account's balance of
 * `currency` changed by (a withdrawal is negative and includes its fee).
 */

import type { Balances } from "./balance.js";

export const LEDGER_KINDS = ["deposit", "withdrawal", "transfer", "other"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface LedgerEntry {
  id: string;
  /** When the venue booked it, ms since the epoch (the venue's clock). */
  timestamp: number;
  currency: string;
  /** Signed change of the balance, e.g. "250" for a deposit, "-0.0105" for a withdrawal. */
  amount: string;
  kind: LedgerKind;
}

/** An account's balances and the venue time they are as of (undefined: the venue did not say). */
export interface BalancesAt {
  balances: Balances;
  timestamp: number | undefined;
}
