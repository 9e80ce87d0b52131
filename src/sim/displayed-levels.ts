/**
 * The displayed levels of an external L2 book (a live venue's, or a recorded one's) as a taker
 * meets them: each level's lots less what earlier matches took of it, best first, those at or
 * through `clipTicks` (a user's resting order on the other side) hidden, within a budget of lots
 * and a number of levels. What a match takes stays taken until the owner resets it.
 */
import { BUY, type Side } from "./book/index.js";
import type { Level } from "./liquidity-source.js";

/** [price in ticks, lots], best first. */
export type Levels = Array<[ticks: number, lots: number]>;

export class TakenLots {
  private readonly taken: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];

  /** The levels of `side` a taker may take now; `clipTicks` NaN hides none. */
  walk(
    side: Side,
    levels: Levels,
    clipTicks: number,
    budgetLots: number,
    maxLevels: number,
  ): Level[] {
    const out: Level[] = [];
    const taken = this.taken[side];
    let budget = budgetLots;
    for (let i = 0; i < levels.length && budget > 0 && out.length < maxLevels; i++) {
      const [price, lots] = levels[i]!;
      if (!Number.isNaN(clipTicks) && (side === BUY ? price >= clipTicks : price <= clipTicks)) {
        continue;
      }
      const qty = Math.min(budget, lots - (taken.get(price) ?? 0));
      if (qty <= 0) continue;
      budget -= qty;
      out.push({ index: i, price, qty });
    }
    return out;
  }

  take(side: Side, level: Level, lots: number): void {
    const taken = this.taken[side];
    taken.set(level.price, (taken.get(level.price) ?? 0) + lots);
  }

  /** Everything taken is there again (a newer snapshot is the whole truth). */
  reset(): void {
    for (const t of this.taken) t.clear();
  }

  /** The level at `price` was told anew (a diff): what was taken of it no longer counts. */
  forget(side: Side, price: number): void {
    this.taken[side].delete(price);
  }
}
