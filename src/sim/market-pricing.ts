/**
 * Pricing a market buy before it runs: the match is synchronous, so walking the book the way the
 * match will (self-trade prevention included) gives its exact cost, which is then reserved.
 */
import type { Side, StpMode } from "./book/index.js";
import type { SimMarket } from "./sim-market.js";

export interface MarketBuyPrice {
  /** Lots the book (and, with a budget, the funds) can fill. */
  lots: number;
  /** Their exact cost in quote minor units. */
  cost: bigint;
}

/**
 * What buying `lots` at market costs for `self`. With `budget` (quote minor units), buys only what
 * the budget pays for — a triggered stop spends what it has; a plain market order is priced in full.
 */
export function priceMarketBuy(
  m: SimMarket,
  side: Side,
  self: number,
  stp: StpMode,
  lots: number,
  budget?: bigint,
): MarketBuyPrice {
  const inst = m.instrument;
  let cost = 0n;
  let fillable = 0;
  m.book.forEachCrossing(side, Number.POSITIVE_INFINITY, (ticks, qty, owner) => {
    if (owner === self && stp !== "none") return stp === "expire_maker";
    let take = Math.min(qty, lots - fillable);
    if (budget !== undefined) take = Math.min(take, Number((budget - cost) / inst.cost(ticks, 1)));
    cost += inst.cost(ticks, take);
    fillable += take;
    return fillable < lots && (budget === undefined || take > 0);
  });
  return { lots: fillable, cost };
}
