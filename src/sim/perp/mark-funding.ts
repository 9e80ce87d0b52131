/**
 * Mark price and funding of one contract market, on the simulator's clock.
 *
 * Rules (the formulas are derivatives/mark-price.ts's and funding.ts's; this module says when):
 * - Sampled at every path point of the contract market (the feed's points, not Binance's one a
 *   second): the index is the index market's latest path price, put on the contract's tick grid
 *   (the one float → exact step, rounded to nearest); the basis sample is the makers' best bid and
 *   ask; the basis average is over the last 300 samples (RollingBasis).
 * - Mark = median(index × (1 + last funding rate × time to funding / interval), index + basis
 *   average, last price): mark-price.ts. Before the first sample there is none: the last price.
 * - Premium index samples: impact bid/ask of the impact margin notional (200 settle × the first
 *   bracket's max leverage) against the makers' levels; a book too thin for it gives no sample.
 * - Funding happens at every multiple of the interval since 00:00 UTC (8 h: 00:00, 08:00, 16:00),
 *   at the first path point at or after it; its rate is the interval's weighted average premium
 *   through funding.ts's clamp and cap (no sample: a premium of 0, so the interest rate).
 *   Payments are funding.ts's `settleFunding` (perp/funding-payments.ts moves the money).
 * - Mark candles (one a minute) are kept for fetchMarkOHLCV, as the feed keeps its own.
 */

import { BUY, SELL } from "../book/index.js";
import type { FundingConfig } from "../config/types.js";
import {
  averagePremium,
  fundingRate,
  impactMarginNotional,
  impactPrice,
  premiumIndex,
} from "../derivatives/funding.js";
import { markPrice, RollingBasis } from "../derivatives/mark-price.js";
import { referenceTicks, type SimMarket } from "../sim-market.js";

export const BASIS_WINDOW = 300;
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Mark candles kept per market (a week of minutes). */
const MARK_CANDLES = 7 * 24 * 60;
const HISTORY = 5_000;

/** [time, open, high, low, close] in price units at the tick's scale. */
export type MarkCandle = [number, bigint, bigint, bigint, bigint];

export interface FundingEntry {
  time: number;
  rate: bigint;
}

export class MarkAndFunding {
  readonly basis = new RollingBasis(BASIS_WINDOW);
  index: bigint | undefined;
  mark: bigint | undefined;
  premiums: bigint[] = [];
  lastRate = 0n;
  nextFunding: number;
  readonly history: FundingEntry[] = [];
  readonly candles: MarkCandle[] = [];
  readonly intervalMs: number;

  constructor(
    readonly market: SimMarket,
    readonly indexMarket: SimMarket,
    readonly funding: FundingConfig | undefined,
    now: number,
  ) {
    this.intervalMs = (funding?.intervalHours ?? 8) * HOUR;
    this.nextFunding = nextBoundary(now, this.intervalMs);
  }

  /** A path point of the contract market at `now`; returns the funding rate due now, if any. */
  sample(now: number): bigint | undefined {
    const m = this.market;
    const inst = m.instrument;
    const spec = inst.contract!;
    const step = spec.tick.step;
    if (Number.isNaN(this.indexMarket.lastPrice) || Number.isNaN(m.lastPrice)) return undefined;
    const index = BigInt(Math.max(1, Math.round(this.indexMarket.lastPrice / m.tickSize))) * step;
    this.index = index;
    const ref = referenceTicks(m);
    const bids = m.liquidity.levels(BUY, ref, now, Number.NaN, Number.MAX_SAFE_INTEGER);
    const asks = m.liquidity.levels(SELL, ref, now, Number.NaN, Number.MAX_SAFE_INTEGER);
    const last = BigInt(ref) * step;
    if (bids[0] !== undefined && asks[0] !== undefined) {
      this.basis.push({
        bid: BigInt(bids[0].price) * step,
        ask: BigInt(asks[0].price) * step,
        index,
      });
      const level = (l: { price: number; qty: number }) => ({
        price: BigInt(l.price) * step,
        qty: BigInt(l.qty) * spec.lot.step,
      });
      const imn = impactMarginNotional(spec);
      const bid = impactPrice(spec, bids.map(level), imn);
      const ask = impactPrice(spec, asks.map(level), imn);
      if (bid !== undefined && ask !== undefined) this.premiums.push(premiumIndex(bid, ask, index));
    }
    const until = Math.max(0, Math.min(this.intervalMs, this.nextFunding - now));
    this.mark = markPrice({
      index,
      lastFundingRate: this.lastRate,
      msUntilFunding: until,
      fundingIntervalMs: this.intervalMs,
      basisAverage: this.basis.average() ?? 0n,
      lastPrice: last,
    });
    this.candle(now, this.mark);
    if (this.funding === undefined || now < this.nextFunding) return undefined;
    const rate = this.predictedRate()!;
    this.lastRate = rate;
    this.history.push({ time: this.nextFunding, rate });
    if (this.history.length > 2 * HISTORY) this.history.splice(0, this.history.length - HISTORY);
    this.premiums = [];
    this.nextFunding = nextBoundary(now, this.intervalMs);
    return rate;
  }

  /** The rate the next funding would have from the premium sampled so far (perpetuals only). */
  predictedRate(): bigint | undefined {
    const f = this.funding;
    if (f === undefined) return undefined;
    const p = this.premiums.length === 0 ? 0n : averagePremium(this.premiums);
    return fundingRate(p, {
      interestRate: f.interestRate,
      intervalHours: f.intervalHours,
      floor: -f.cap,
      cap: f.cap,
    });
  }

  private candle(now: number, mark: bigint): void {
    const t = now - (now % MINUTE);
    const c = this.candles[this.candles.length - 1];
    if (c !== undefined && c[0] === t) {
      if (mark > c[2]) c[2] = mark;
      if (mark < c[3]) c[3] = mark;
      c[4] = mark;
      return;
    }
    this.candles.push([t, mark, mark, mark, mark]);
    if (this.candles.length > 2 * MARK_CANDLES)
      this.candles.splice(0, this.candles.length - MARK_CANDLES);
  }
}

/** The first multiple of `interval` since the epoch (00:00 UTC) strictly after `t`. */
export function nextBoundary(t: number, interval: number): number {
  return Math.floor(t / interval) * interval + interval;
}
