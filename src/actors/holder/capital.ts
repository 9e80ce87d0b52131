/**
 * A Holder's capital, in its asset's minor units: what the Desk says is free, and what the Holder
 * has allocated to Traders, each allocation with the nonce of the mandate that carries it.
 *
 * Invariants:
 * - Exact: bigint minor units at the asset's decimals (the venue's); decimal strings only at the
 *   edges (`text`, `view`), so BTC allocates to 10^-8 and a two-decimal asset to 0.01.
 * - A share is floor((free − allocated) × fraction): never more than what is unallocated.
 * - An allocation is released once. Released with a nonce, only the allocation of that mandate
 *   goes: a late report of a replaced Trader frees nothing of its successor's (same Trader id).
 */
import { formatDecimal, mulDiv, parseDecimal } from "../../domain/fixed.js";

/** Decimals an allocation fraction is read at. */
const FRACTION_SCALE = 12;

export interface Grant {
  /** Minor units allocated. */
  readonly units: bigint;
  /** The nonce of the mandate that carries it. */
  readonly nonce: string;
}

export class Capital {
  #free = 0n;
  readonly #grants = new Map<string, Grant>();

  /** `changed` hears of every allocation made or released (the Holder keeps its record by it). */
  constructor(
    readonly asset: string,
    readonly decimals: number,
    private readonly changed: () => void = () => {},
  ) {}

  /** The Desk's free balance of the asset, a decimal string; false (and no change) if unreadable. */
  setFree(text: unknown): boolean {
    if (typeof text !== "string") return false;
    try {
      this.#free = parseDecimal(text, this.decimals, "down");
      return true;
    } catch {
      return false;
    }
  }

  get free(): bigint {
    return this.#free;
  }

  get allocated(): bigint {
    let sum = 0n;
    for (const g of this.#grants.values()) sum += g.units;
    return sum;
  }

  /**
   * What an accepted proposal gets: `fraction` of the unallocated capital, rounded down to a
   * minor unit; 0 when nothing is unallocated.
   *
   * @example
   * const c = new Capital("USDT", 2);
   * c.setFree("100.05");
   * c.share(0.5); // 5002n, i.e. "50.02"
   */
  share(fraction: number): bigint {
    const unallocated = this.#free - this.allocated;
    if (unallocated <= 0n || !(fraction > 0)) return 0n;
    const f = parseDecimal(String(Math.min(fraction, 1)), FRACTION_SCALE, "down");
    return mulDiv(unallocated, f, 10n ** BigInt(FRACTION_SCALE), "down");
  }

  grant(trader: string, units: bigint, nonce: string): void {
    this.#grants.set(trader, { units, nonce });
    this.changed();
  }

  /** Every allocation, by Trader. */
  grants(): [string, Grant][] {
    return [...this.#grants];
  }

  grantOf(trader: string): Grant | undefined {
    return this.#grants.get(trader);
  }

  /** Releases `trader`'s allocation (only that of mandate `nonce`, when given); what it was. */
  release(trader: string, nonce?: string): Grant | undefined {
    const g = this.#grants.get(trader);
    if (g === undefined || (nonce !== undefined && g.nonce !== nonce)) return undefined;
    this.#grants.delete(trader);
    this.changed();
    return g;
  }

  /** Minor units as a decimal string of the asset. */
  text(units: bigint): string {
    return formatDecimal(units, this.decimals);
  }

  /** `capital`: free, allocated, unallocated and each Trader's allocation, as decimal strings. */
  view(): Record<string, unknown> {
    const allocated = this.allocated;
    return {
      asset: this.asset,
      free: this.text(this.#free),
      allocated: this.text(allocated),
      unallocated: this.text(this.#free - allocated),
      byTrader: Object.fromEntries([...this.#grants].map(([t, g]) => [t, this.text(g.units)])),
    };
  }
}
