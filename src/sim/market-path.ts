/**
 * The market path meeting users' resting orders: the makers cross every resting order the path
 * went through (or touched, with the touch rule), at the order's own price.
 */
import { SELL, type Side } from "./book/index.js";
import type { Ledger } from "./ledger.js";
import { MARKET_MAKER_OWNER } from "./liquidity.js";
import { makerBudget, queueFillable } from "./maker-quotes.js";
import { pathLots, type SimMarket } from "./sim-market.js";
import type { SimOrder } from "./sim-order.js";

/**
 * The makers take (`makersTake` = SELL: they sell to resting bids) every resting order the path at
 * `p` ticks crosses, as far as their inventory allows.
 */
export function crossResting(
  m: SimMarket,
  ledger: Ledger,
  orders: ReadonlyMap<number, SimOrder>,
  makersTake: Side,
  p: number,
  volume: number,
): void {
  const touch = m.fillRule === "touch";
  let limit: number;
  if (makersTake === SELL) limit = touch ? Math.ceil(p) : Math.floor(p) + 1;
  else limit = touch ? Math.floor(p) : Math.ceil(p) - 1;
  let qty = makerBudget(m, ledger, makersTake);
  if (touch && m.queuePosition && Number.isInteger(p)) {
    qty = Math.min(qty, queueFillable(m, orders, makersTake, p, pathLots(m, volume)));
    limit = p;
  }
  if (qty > 0) {
    m.book.addLimit(m.liquidity.takerId(), MARKET_MAKER_OWNER, makersTake, limit, qty, "IOC");
  }
}
