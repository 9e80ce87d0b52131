/**
 * The synthetic makers as seen from the exchange: what they can afford, placing their quotes for
 * one match, the size they display at a price, and queue position at a touched price.
 */
import { BUY, SELL, type Side } from "./book/index.js";
import { type Ledger, MARKET_MAKER_ACCOUNT } from "./ledger.js";
import { referenceTicks, type SimMarket } from "./sim-market.js";
import type { SimOrder } from "./sim-order.js";

const MAX_LOTS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * How many lots the makers can trade on `side` from their inventory: their base when they sell;
 * when they buy, their quote at twice the reference price (a bound that holds for every level).
 */
export function makerBudget(m: SimMarket, ledger: Ledger, side: Side): number {
  const inst = m.instrument;
  // On a contract the makers are the house: they sell contracts, not inventory (contract-fills.ts).
  if (inst.contract !== undefined) return Number.MAX_SAFE_INTEGER;
  const lots =
    side === SELL
      ? ledger.free(MARKET_MAKER_ACCOUNT, inst.base) / inst.lotFactor
      : ledger.free(MARKET_MAKER_ACCOUNT, inst.quote) / inst.cost(referenceTicks(m) * 2, 1);
  // A deep inventory (a live market's stands for an unbounded one) still gives whole book lots.
  return Number(lots > MAX_LOTS ? MAX_LOTS : lots);
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
 * Queue position at a touched price `p`: the `volumeLots` traded there first use up what was
 * displayed ahead of each order resting at `p` (its queueAhead, never below 0); what is left fills
 * those orders in FIFO order, whole lots only, so a trade smaller than an order fills it partly.
 * Orders at strictly better prices fill in full (the path went through them). Returns the lots
 * that fill.
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
  /** Lots of this volume already given to orders in front at `p`. */
  let given = 0;
  m.book.forEachCrossing(makersTake, p, (price, qty, _owner, id) => {
    if (price !== p) {
      fillable += qty;
      return true;
    }
    const order = orders.get(id);
    if (order === undefined) return true;
    const past = volumeLots - order.queueAhead;
    order.queueAhead = Math.max(0, order.queueAhead - volumeLots);
    if (blocked) return true;
    const take = Math.max(0, Math.min(qty, Math.floor(past - given)));
    fillable += take;
    given += take;
    if (take < qty) blocked = true;
    return true;
  });
  return fillable;
}
