/**
 * What a Holder keeps across a crash (runtime/actor-store.ts): its allocations, each with the nonce
 * of the mandate that carries it. The Traders that resume (trader/saved.ts) say which allocations
 * are still in use; their own records are the truth of what each was given.
 */
import { parseDecimal } from "../../domain/fixed.js";
import type { Capital } from "./capital.js";

export interface SavedHolder {
  version: 1;
  grants: { trader: string; units: string; nonce: string }[];
}

/** An allocation a resuming Trader trades under, as its record holds it. */
export interface ResumedGrant {
  trader: string;
  /** A decimal string of the asset. */
  allocation: string;
  nonce: string;
}

export function savedHolder(capital: Capital): SavedHolder {
  return {
    version: 1,
    grants: capital
      .grants()
      .map(([trader, g]) => ({ trader, units: String(g.units), nonce: g.nonce })),
  };
}

/**
 * At start: each resuming Trader's allocation is granted again; an allocation the last run made
 * whose Trader does not resume is over — its mandate is revoked, so nobody can trade on it. Returns
 * the nonces revoked.
 */
export function restoreGrants(
  capital: Capital,
  saved: SavedHolder | undefined,
  resumed: readonly ResumedGrant[],
  revoke: (nonce: string) => void,
): string[] {
  for (const r of resumed)
    capital.grant(r.trader, parseDecimal(r.allocation, capital.decimals, "down"), r.nonce);
  const kept = new Set(resumed.map((r) => r.nonce));
  const revoked: string[] = [];
  for (const g of saved?.version === 1 ? saved.grants : []) {
    if (kept.has(g.nonce)) continue;
    revoke(g.nonce);
    revoked.push(g.nonce);
  }
  return revoked;
}
