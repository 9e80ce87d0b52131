/**
 * What the journal last knew of the account's balances, asset by asset, and the venue time each
 * was as of: the starting point of the restart's balance check (balance-check.ts).
 *
 * Why per asset: a venue's balance stream may report only the assets an event changed (Binance's
 * `outboundAccountPosition`, which ccxt merges into a cache that never held the others), so the
 * journal's `desk.balances` entries are folded — a later entry replaces the assets it names, and
 * each asset keeps the time of the entry that last named it. An asset the stream has not named
 * since is unchanged as of that later time too (the venue reports every change), but counting its
 * fills from its own older time is as exact and needs no such promise.
 *
 * An entry without a time (a venue that does not say) cannot anchor anything: the assets it names
 * are forgotten, so the check does not compare them against a starting point it cannot place.
 */
import type { BalanceEntry } from "../../../domain/balance.js";
import type { BalancesAt } from "../../../domain/ledger-entry.js";
import type { Venue } from "../../../venues/venue.js";
import type { BalancesEntry, DeskEntry } from "./entries.js";

export interface AssetBaseline {
  balance: BalanceEntry;
  /** Venue time, ms. */
  time: number;
}

export class BalanceBaseline {
  private readonly assets = new Map<string, AssetBaseline>();

  /** The baseline of a journal's entries, oldest first. */
  static of(entries: readonly DeskEntry[]): BalanceBaseline {
    const baseline = new BalanceBaseline();
    for (const entry of entries) if (entry.kind === "desk.balances") baseline.take(entry);
    return baseline;
  }

  take(entry: BalancesEntry): void {
    for (const [asset, balance] of Object.entries(entry.balances)) {
      if (entry.time === undefined) this.assets.delete(asset);
      else this.assets.set(asset, { balance, time: entry.time });
    }
  }

  get size(): number {
    return this.assets.size;
  }

  get(asset: string): AssetBaseline | undefined {
    return this.assets.get(asset);
  }

  names(): string[] {
    return [...this.assets.keys()];
  }

  /** The earliest time of any asset: from when an asset the baseline never named is counted. */
  oldest(): number | undefined {
    let oldest: number | undefined;
    for (const { time } of this.assets.values())
      if (oldest === undefined || time < oldest) oldest = time;
    return oldest;
  }

  /** The baseline as journal entries, one per time: what a snapshot keeps of the balances. */
  entries(): BalancesEntry[] {
    const byTime = new Map<number, BalancesEntry>();
    for (const [asset, { balance, time }] of this.assets) {
      let entry = byTime.get(time);
      if (entry === undefined) {
        entry = { kind: "desk.balances", balances: {}, time };
        byTime.set(time, entry);
      }
      entry.balances[asset] = balance;
    }
    return [...byTime.values()].sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
  }
}

/** The venue's balances now, with their time where the venue says it. */
export async function fetchBalancesAt(venue: Venue): Promise<BalancesAt> {
  if (venue.fetchBalanceAt !== undefined) return venue.fetchBalanceAt();
  return { balances: await venue.fetchBalance(), timestamp: undefined };
}

/** The balance stream's next update, with its time where the venue says it. */
export async function watchBalancesAt(venue: Venue): Promise<BalancesAt> {
  if (venue.watchBalanceAt !== undefined) return venue.watchBalanceAt();
  return { balances: await venue.watchBalance(), timestamp: undefined };
}

/** A balances entry for the journal. */
export function balancesEntry({ balances, timestamp }: BalancesAt): BalancesEntry {
  return {
    kind: "desk.balances",
    balances,
    ...(timestamp === undefined ? {} : { time: timestamp }),
  };
}
