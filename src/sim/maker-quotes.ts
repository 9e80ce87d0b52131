/**
 * The synthetic makers as seen from the exchange: what they can afford, placing their quotes for
 * one match, the size they display at a price, and queue position at a touched price.
 */
import { BUY, SELL, type Side } from "./book/index.js";
import { type Ledger, MARKET_MAKER_ACCOUNT } from "./ledger.js";
import { referenceTicks, type SimMarket } from "./sim-market.js";
import type { SimOrder } from "./sim-order.js";

/**
 * How many lots the makers can trade on `side` from their inventory: their base when they sell;
 * when they buy, their quote at twice the reference price (a bound that holds for every level).
 */
export function makerBudget(m: SimMarket, ledger: Ledger, side: Side): number {
  const inst = m.instrument;
  if (side === SELL) return Number(ledger.free(MARKET_MAKER_ACCOUNT, inst.base) / inst.lotFactor);
  const unit = inst.cost(referenceTicks(m) * 2, 1);
  return Number(ledger.free(MARKET_MAKER_ACCOUNT, inst.quote) / unit);
}

/** Places the makers' quotes opposite to a `side` order of `wantLots`, for one match (no price yet: none). */
export function quoteAgainst(
  m: SimMarket,
  ledger: Ledger,
  side: "buy" | "sell",
  now: number,
  wantLots = Number.POSITIVE_INFINITY,
): void {
  if (Number.isNaN(m.lastPrice)) return;
  const makersSide: Side = side === "buy" ? SELL : BUY;
  // Only as much depth as the order can take: the best levels that alone could fill it. Levels
  // beyond are worse-priced than fills the order never needs to reach.
  const budget = Math.min(makerBudget(m, ledger, makersSide), wantLots);
  m.liquidity.materialize(m.book, makersSide, referenceTicks(m), now, budget);
}

/** The makers' displayed size at `priceTicks` on `side`: the queue ahead of an order placed there. */
export function displayedAt(m: SimMarket, side: Side, priceTicks: number, now: number): number {
  const levels = m.liquidity.levels(
    side,
    referenceTicks(m),
    now,
    Number.NaN,
    Number.MAX_SAFE_INTEGER,
  );
  return levels.find((l) => l.price === priceTicks)?.qty ?? 0;
}

/**
 * Queue position at a touched price `p`: the volume traded there first uses up what was displayed
 * ahead of each order resting at `p`; orders whose queue is used up fill, in FIFO order, as do all
 * orders at strictly better prices (the path went through those). Returns the lots that fill.
 */
export function queueFillable(
  m: SimMarket,
  orders: ReadonlyMap<number, SimOrder>,
  makersTake: Side,
  p: number,
  volumeLots: number,
): number {
  let fillable = 0;
  let blocked = false;
  m.book.forEachCrossing(makersTake, p, (price, qty, _owner, id) => {
    if (price !== p) {
      fillable += qty;
      return true;
    }
    const order = orders.get(id);
    if (order === undefined) return true;
    order.queueAhead -= volumeLots;
    if (!blocked && order.queueAhead <= 0) fillable += qty;
    else blocked = true;
    return true;
  });
  return fillable;
}
