/**
 * Balances per currency, in ccxt's `{ free, used, total }` shape.
 *
 * Money fields are decimal strings (see order.ts). Invariant: `free + used = total`, where `used`
 * is what open orders and margin hold.
 */

export interface BalanceEntry {
  free: string;
  used: string;
  total: string;
}

/** Keyed by currency code, e.g. `USDT`. */
export type Balances = Record<string, BalanceEntry>;
