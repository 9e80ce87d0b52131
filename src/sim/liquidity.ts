/**
 * The liquidity model: synthetic market makers quoting a book around the reference price, so a
 * market order walks real depth and pays realistic slippage.
 *
 * It costs nothing until an order needs the book: quotes are computed and placed in the order
 * book only for the duration of one match (`materialize` … `withdraw`), and for a book snapshot.
 * Between matches the book holds only the users' resting orders.
 *
 * Level i (0 = best) on each side sits at reference × (1 ± (spreadBps/2 + i × levelSpacingBps)/10⁴),
 * rounded away from the reference to the tick grid, at least one tick from the previous level,
 * and never crossing a user's resting order (those are in front). It holds
 * levelNotional × depthGrowth^i of quote value, in whole lots (at least one). What a match takes
 * from a level stays taken until `refreshMs` has passed since the level was last refreshed. The
 * makers never quote more than their account holds (money is conserved), and their orders are
 * owned by MARKET_MAKER_OWNER, which self-trade prevention ignores.
 */
import { BUY, SELL, type Side } from "./book/index.js";
import type { Instrument } from "./instrument.js";
import { type Level, MARKET_MAKER_OWNER, QuotedLiquidity } from "./liquidity-source.js";

export { type Level, MARKET_MAKER_OWNER };

export interface LiquidityParams {
  spreadBps: number;
  levels: number;
  levelSpacingBps: number;
  /** Quote-currency notional at the best level, as a decimal string. */
  levelNotional: string;
  depthGrowth: number;
  refreshMs: number;
}

export class LiquidityModel extends QuotedLiquidity {
  private readonly consumed: [number[], number[]] = [[], []];
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private readonly tickSize: number;
  private readonly lotSize: number;
  private readonly notional: number;

  constructor(
    private readonly params: LiquidityParams,
    readonly instrument: Instrument,
  ) {
    super();
    this.tickSize = Number(instrument.spec.tickSize);
    this.lotSize = Number(instrument.spec.lotSize);
    this.notional = Number(params.levelNotional);
  }

  /**
   * The makers' levels on `side` (BUY = their bids) around `refTicks`, after depletion, clipped so
   * they never cross `clipTicks` (the best user order on the other side; NaN when there is none)
   * and limited to `budgetLots` in total (their inventory) and to the first `maxLevels` levels.
   */
  levels(
    side: Side,
    refTicks: number,
    now: number,
    clipTicks: number,
    budgetLots: number,
    maxLevels = Number.POSITIVE_INFINITY,
  ): Level[] {
    this.refresh(now);
    const out: Level[] = [];
    const consumed = this.consumed[side];
    let previous = side === BUY ? Number.POSITIVE_INFINITY : 0;
    let budget = budgetLots;
    for (let i = 0; i < this.params.levels && budget > 0 && out.length < maxLevels; i++) {
      const price = this.priceAt(side, i, refTicks, previous, clipTicks);
      if (side === BUY && price < 1) break;
      previous = price;
      const qty = Math.min(budget, this.fullAt(i, price) - (consumed[i] ?? 0));
      if (qty <= 0) continue;
      budget -= qty;
      out.push({ index: i, price, qty });
    }
    return out;
  }

  override bestLevel(side: Side, refTicks: number, now: number, into: Level): boolean {
    this.refresh(now);
    const consumed = this.consumed[side];
    let previous = side === BUY ? Number.POSITIVE_INFINITY : 0;
    for (let i = 0; i < this.params.levels; i++) {
      const price = this.priceAt(side, i, refTicks, previous, Number.NaN);
      if (side === BUY && price < 1) return false;
      previous = price;
      const qty = Math.min(Number.MAX_SAFE_INTEGER, this.fullAt(i, price) - (consumed[i] ?? 0));
      if (qty <= 0) continue;
      into.index = i;
      into.price = price;
      into.qty = qty;
      return true;
    }
    return false;
  }

  /** Level i's price in ticks: away from the reference, past `previous`, never crossing `clip`. */
  private priceAt(side: Side, i: number, refTicks: number, previous: number, clip: number) {
    const offset = (this.params.spreadBps / 2 + i * this.params.levelSpacingBps) / 1e4;
    if (side === BUY) {
      const price = Math.min(Math.floor(refTicks * (1 - offset)), previous - 1);
      return Number.isNaN(clip) ? price : Math.min(price, clip - 1);
    }
    const price = Math.max(Math.ceil(refTicks * (1 + offset)), previous + 1);
    return Number.isNaN(clip) ? price : Math.max(price, clip + 1);
  }

  /** Level i's whole size in lots at `price` (at least one), before what matches took. */
  private fullAt(i: number, price: number): number {
    const value = this.notional * this.params.depthGrowth ** i;
    return Math.max(1, Math.floor(value / (price * this.tickSize) / this.lotSize));
  }

  protected consume(side: Side, level: Level, taken: number): void {
    const consumed = this.consumed[side];
    consumed[level.index] = (consumed[level.index] ?? 0) + taken;
  }

  private refresh(now: number): void {
    if (now - this.refreshedAt < this.params.refreshMs) return;
    this.refreshedAt = now;
    if (this.consumed[BUY].length > 0) this.consumed[BUY].length = 0;
    if (this.consumed[SELL].length > 0) this.consumed[SELL].length = 0;
  }
}
