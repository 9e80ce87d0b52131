/**
 * The simulator's deposit and withdrawal record (Simulator.deposit / withdraw) behind Binance's
 * wallet history endpoints, which ccxt's `fetchDeposits` and `fetchWithdrawals` call on spot
 * (binance's `fetchLedger` covers its futures and options wallets only):
 *
 * - GET /sapi/v1/capital/deposit/hisrec: `{amount, coin, status: 1 (success), insertTime, …}`
 * - GET /sapi/v1/capital/withdraw/history: `{id, amount, transactionFee, coin, status: 6
 *   (completed), applyTime: "YYYY-MM-DD HH:mm:ss" (UTC), …}`
 *
 * Both filter by `coin`, `startTime` and `endTime` and return at most `limit` (default 1000),
 * oldest first. Amounts are positive, as Binance writes them; the simulator books a withdrawal
 * with no fee.
 */
import type { LedgerEntry } from "../domain/ledger-entry.js";
import type { Simulator } from "../sim/simulator.js";
import { intParam, optionalInt, type Query } from "./binance-spot.js";

export class BinanceCapital {
  constructor(private readonly sim: Simulator) {}

  deposits(account: string, q: Query): object[] {
    return this.entries(account, q, "deposit").map((e) => ({
      id: e.id,
      amount: e.amount,
      coin: e.currency,
      network: e.currency,
      status: 1,
      address: "",
      addressTag: "",
      txId: `Internal transfer ${e.id}`,
      insertTime: Math.floor(e.timestamp),
      transferType: 1,
      confirmTimes: "1/1",
      unlockConfirm: 0,
      walletType: 0,
    }));
  }

  withdrawals(account: string, q: Query): object[] {
    return this.entries(account, q, "withdrawal").map((e) => ({
      id: e.id,
      amount: e.amount.replace(/^-/, ""),
      transactionFee: "0",
      coin: e.currency,
      status: 6,
      address: "",
      txId: `Internal transfer ${e.id}`,
      applyTime: applyTime(e.timestamp),
      network: e.currency,
      transferType: 1,
      completeTime: applyTime(e.timestamp),
    }));
  }

  private entries(account: string, q: Query, kind: LedgerEntry["kind"]): LedgerEntry[] {
    const coin = q.get("coin") ?? undefined;
    const start = optionalInt(q, "startTime");
    const end = optionalInt(q, "endTime");
    const limit = intParam(q, "limit", 1000, 1000);
    return this.sim
      .ledger(account, start, coin)
      .filter((e) => e.kind === kind && (end === undefined || e.timestamp <= end))
      .slice(0, limit);
  }
}

/** Binance's "2021-04-15 12:09:16" (UTC, whole seconds) for a time in ms. */
function applyTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace("T", " ");
}
