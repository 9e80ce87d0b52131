/**
 * The ledger: every account's balance per asset in integer minor units (bigint, 10^-decimals of the
 * asset), split into free and locked (reserved by open orders).
 *
 * Invariants (tested):
 * - No balance is ever negative. An order that needs more than is free is refused with
 *   InsufficientFundsError; anything else that would go negative is a bug and throws InternalError
 *   at once (corrupt balances are worse than a stopped simulator).
 * - Money is conserved: after setup (`deposit`), every change moves an amount between places —
 *   accounts, free/locked, the fee account — so each asset's total over all accounts is constant,
 *   except for money deposited to or withdrawn from an account from outside the venue
 *   (`deposit`/`withdraw` again, which the simulator records with their times: movements.ts).
 * - `version` changes with every balance change (and only then), so a reader can tell that nothing
 *   moved since it last looked (perp/liquidation-watch.ts).
 */

import type { Balances } from "../domain/balance.js";
import { InsufficientFundsError, InternalError, InvalidInputError } from "../domain/errors.js";
import { formatDecimal, parseDecimal } from "../domain/fixed.js";

/** Where trading fees go. */
export const FEE_ACCOUNT = "__fees__";
/** The synthetic market makers' account (the liquidity model trades from it). */
export const MARKET_MAKER_ACCOUNT = "__mm__";
/** Contracts: receives liquidation fees and surpluses, pays for losses past bankruptcy. */
export const INSURANCE_FUND_ACCOUNT = "__insurance__";

export interface Holding {
  free: bigint;
  locked: bigint;
}

export type Bucket = "free" | "locked";

export class Ledger {
  private readonly holdings = new Map<string, Map<string, Holding>>();
  /** Counts balance changes (see the header). */
  version = 0;

  constructor(private readonly decimals: ReadonlyMap<string, number>) {}

  /** Declares an account, so it exists even before it holds anything. */
  open(account: string): void {
    if (!this.holdings.has(account)) this.holdings.set(account, new Map());
  }

  /** Creates money in an account: initial balances, market-maker inventory, a user's deposit. */
  deposit(account: string, asset: string, amount: bigint): void {
    if (amount < 0n) throw new InternalError(`deposit of a negative amount to ${account}`);
    this.holding(account, asset).free += amount;
    this.version++;
  }

  /** Money leaves the venue from `account`'s free balance; refused beyond what is free. */
  withdraw(account: string, asset: string, amount: bigint): void {
    if (amount < 0n) throw new InternalError(`withdrawal of a negative amount from ${account}`);
    const h = this.holding(account, asset);
    if (h.free < amount) {
      throw new InsufficientFundsError(
        `a withdrawal of ${this.format(asset, amount)} ${asset} needs it free; ${account} has ${this.format(asset, h.free)} ${asset} free`,
      );
    }
    h.free -= amount;
    this.version++;
  }

  free(account: string, asset: string): bigint {
    return this.holdings.get(account)?.get(asset)?.free ?? 0n;
  }

  locked(account: string, asset: string): bigint {
    return this.holdings.get(account)?.get(asset)?.locked ?? 0n;
  }

  /**
   * free → locked; refuses with InsufficientFundsError naming what was needed and what is free.
   * `what` may be a function: the order's description is then written only for a refusal.
   */
  lock(account: string, asset: string, amount: bigint, what: string | (() => string)): void {
    const h = this.holding(account, asset);
    if (h.free < amount) {
      throw new InsufficientFundsError(
        `${typeof what === "string" ? what : what()} needs ${this.format(asset, amount)} ${asset}, ${account} has ${this.format(asset, h.free)} ${asset} free`,
      );
    }
    h.free -= amount;
    h.locked += amount;
    this.version++;
  }

  /** locked → free (an order cancelled, or filled at a better price than reserved). */
  unlock(account: string, asset: string, amount: bigint): void {
    const h = this.holding(account, asset);
    this.check(h.locked >= amount, account, asset, "unlock more than is locked");
    h.locked -= amount;
    h.free += amount;
    this.version++;
  }

  /** Moves `amount` out of `from`'s bucket into `to`'s free balance. */
  transfer(from: string, bucket: Bucket, to: string, asset: string, amount: bigint): void {
    if (amount === 0n) return;
    const src = this.holding(from, asset);
    this.check(src[bucket] >= amount, from, asset, `transfer more than its ${bucket} balance`);
    src[bucket] -= amount;
    this.holding(to, asset).free += amount;
    this.version++;
  }

  /** The sum of one asset over every account, free and locked: constant after setup. */
  total(asset: string): bigint {
    let sum = 0n;
    for (const assets of this.holdings.values()) {
      const h = assets.get(asset);
      if (h !== undefined) sum += h.free + h.locked;
    }
    return sum;
  }

  /** Every account's holdings, for a saved state (saved-state.ts). */
  allHoldings(): ReadonlyMap<string, ReadonlyMap<string, Readonly<Holding>>> {
    return this.holdings;
  }

  /**
   * Replaces every account's holdings with `saved` (a state loaded after a restart). Setup only,
   * like `deposit`: the totals are whatever the saved state conserved.
   */
  replace(saved: ReadonlyMap<string, ReadonlyMap<string, Readonly<Holding>>>): void {
    for (const assets of saved.values()) {
      for (const [asset, h] of assets) {
        if (!this.decimals.has(asset))
          throw new InternalError(`unknown asset ${asset} in the ledger`);
        if (h.free < 0n || h.locked < 0n) throw new InternalError(`a negative ${asset} holding`);
      }
    }
    this.holdings.clear();
    this.version++;
    for (const [account, assets] of saved) {
      const copy = new Map<string, Holding>();
      for (const [asset, h] of assets) copy.set(asset, { free: h.free, locked: h.locked });
      this.holdings.set(account, copy);
    }
  }

  /** The decimals of `asset`'s minor unit, undefined for an asset the ledger does not know. */
  decimalsOf(asset: string): number | undefined {
    return this.decimals.get(asset);
  }

  accounts(): string[] {
    return [...this.holdings.keys()];
  }

  assets(): string[] {
    return [...this.decimals.keys()];
  }

  /** One account's balances as decimal strings (ccxt shape), every declared asset included. */
  balances(account: string): Balances {
    const out: Balances = {};
    for (const asset of this.decimals.keys()) {
      const free = this.free(account, asset);
      const used = this.locked(account, asset);
      out[asset] = {
        free: this.format(asset, free),
        used: this.format(asset, used),
        total: this.format(asset, free + used),
      };
    }
    return out;
  }

  /** An amount of `asset` as minor units; refused with more decimals than the asset has. */
  units(asset: string, amount: string): bigint {
    const decimals = this.decimals.get(asset);
    if (decimals === undefined) throw new InvalidInputError(`unknown asset ${asset}`);
    return parseDecimal(amount, decimals);
  }

  format(asset: string, units: bigint): string {
    return formatDecimal(units, this.decimals.get(asset) ?? 0);
  }

  private holding(account: string, asset: string): Holding {
    let assets = this.holdings.get(account);
    if (assets === undefined) {
      assets = new Map();
      this.holdings.set(account, assets);
    }
    let h = assets.get(asset);
    if (h === undefined) {
      if (!this.decimals.has(asset))
        throw new InternalError(`unknown asset ${asset} in the ledger`);
      h = { free: 0n, locked: 0n };
      assets.set(asset, h);
    }
    return h;
  }

  private check(ok: boolean, account: string, asset: string, what: string): void {
    if (!ok)
      throw new InternalError(`ledger invariant broken: ${account} would ${what} of ${asset}`);
  }
}
