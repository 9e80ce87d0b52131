/**
 * The Desk's `mandates` answer: each mandate's budget as decimal strings of its market's quote —
 * its maximum, what open orders reserve, what fills spent, and what is left.
 */
import { formatDecimal } from "../../../domain/fixed.js";
import { parseMarket } from "../../../domain/market.js";
import type { MandateBook } from "../mandate-book.js";
import type { OwnedOrders } from "./owned-orders.js";

export function budgetsView(
  mandates: MandateBook,
  orders: OwnedOrders,
  decimalsOf: (asset: string) => number,
): Record<string, unknown>[] {
  const reserved = new Map<string, bigint>();
  for (const o of orders.open()) reserved.set(o.nonce, (reserved.get(o.nonce) ?? 0n) + o.budget);
  return mandates.budgets().map((b) => {
    const decimals = decimalsOf(parseMarket(b.market).quote);
    const money = (n: bigint) => formatDecimal(n, decimals);
    const open = reserved.get(b.nonce) ?? 0n;
    return {
      nonce: b.nonce,
      trader: b.trader,
      market: b.market,
      max: money(b.max),
      reserved: money(open),
      spent: money(b.used - open),
      left: money(b.revoked ? 0n : b.max - b.used),
      ...(b.revoked ? { revoked: true } : {}),
    };
  });
}
