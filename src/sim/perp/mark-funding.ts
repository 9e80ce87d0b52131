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
 *   The makers' best level alone usually fills it (its average price is then the level's price),
 *   so only the best level is built first, and the whole side only when it does not.
 * - Funding happens at every multiple of the interval since 00:00 UTC (8 h: 00:00, 08:00, 16:00),
 *   at the first path point at or after it; its rate is the interval's weighted average premium
 *   through funding.ts's clamp and cap (no sample: a premium of 0, so the interest rate).
 *   Payments are funding.ts's `settleFunding` (perp/funding-payments.ts moves the money).
 * - Mark candles (one a minute) are kept for fetchMarkOHLCV, as the feed keeps its own.
 */

import { BUY, SELL, type Side } from "../book/index.js";
import type { FundingConfig } from "../config/types.js";
import {
  type BookLevel,
  fundingRate,
  impactMarginNotional,
  impactPrice,
  notionalPerPriceUnit,
  PremiumAverage,
  premiumIndex,
} from "../derivatives/funding.js";
import type { DerivativeMarket } from "../derivatives/instrument.js";
import { FundingCarry, RollingBasis } from "../derivatives/mark-price.js";
import { median3 } from "../derivatives/rate.js";
import type { Level } from "../liquidity-source.js";
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
  /** The premium samples of the interval so far. */
  readonly premium = new PremiumAverage();
  lastRate = 0n;
  nextFunding: number;
  readonly history: FundingEntry[] = [];
  readonly candles: MarkCandle[] = [];
  readonly intervalMs: number;
  private carry: FundingCarry;
  private readonly spec: DerivativeMarket;
  private readonly impactNotional: bigint;
  private readonly perPriceUnit: bigint;

  constructor(
    readonly market: SimMarket,
    readonly indexMarket: SimMarket,
    readonly funding: FundingConfig | undefined,
    now: number,
  ) {
    this.intervalMs = (funding?.intervalHours ?? 8) * HOUR;
    this.nextFunding = nextBoundary(now, this.intervalMs);
    this.carry = new FundingCarry(this.lastRate, this.intervalMs);
    this.spec = market.instrument.contract!;
    this.impactNotional = impactMarginNotional(this.spec);
    this.perPriceUnit = notionalPerPriceUnit(this.spec);
  }

  /** A path point of the contract market at `now`; returns the funding rate due now, if any. */
  sample(now: number): bigint | undefined {
    const m = this.market;
    const step = this.spec.tick.step;
    if (Number.isNaN(this.indexMarket.lastPrice) || Number.isNaN(m.lastPrice)) return undefined;
    const index = BigInt(Math.max(1, Math.round(this.indexMarket.lastPrice / m.tickSize))) * step;
    this.index = index;
    const ref = referenceTicks(m);
    const liquidity = m.liquidity;
    const bid = liquidity.levels(BUY, ref, now, Number.NaN, Number.MAX_SAFE_INTEGER, 1)[0];
    const ask = liquidity.levels(SELL, ref, now, Number.NaN, Number.MAX_SAFE_INTEGER, 1)[0];
    if (bid !== undefined && ask !== undefined) {
      const bidPrice = BigInt(bid.price) * step;
      const askPrice = BigInt(ask.price) * step;
      this.basis.add(bidPrice, askPrice, index);
      const impactBid = this.impact(BUY, bid, bidPrice, ref, now);
      const impactAsk = this.impact(SELL, ask, askPrice, ref, now);
      if (impactBid !== undefined && impactAsk !== undefined) {
        this.premium.add(premiumIndex(impactBid, impactAsk, index));
      }
    }
    const until = Math.max(0, Math.min(this.intervalMs, this.nextFunding - now));
    // mark-price.ts's markPrice, with price 1 from the carry of the last rate.
    if (this.carry.lastFundingRate !== this.lastRate) {
      this.carry = new FundingCarry(this.lastRate, this.intervalMs);
    }
    this.mark = median3(
      this.carry.at(index, until),
      index + (this.basis.average() ?? 0n),
      BigInt(ref) * step,
    );
    this.candle(now, this.mark);
    if (this.funding === undefined || now < this.nextFunding) return undefined;
    const rate = this.predictedRate()!;
    this.lastRate = rate;
    this.history.push({ time: this.nextFunding, rate });
    if (this.history.length > 2 * HISTORY) this.history.splice(0, this.history.length - HISTORY);
    this.premium.clear();
    this.nextFunding = nextBoundary(now, this.intervalMs);
    return rate;
  }

  /** Impact price on `side` (BUY: the bids) from its best level, else from the whole side. */
  private impact(side: Side, best: Level, price: bigint, ref: number, now: number) {
    const spec = this.spec;
    // impactPrice of a first level that fills the notional N alone: N × price / N, its price.
    if (BigInt(best.qty) * spec.lot.step * price * this.perPriceUnit >= this.impactNotional) {
      return price;
    }
    const all = this.market.liquidity.levels(side, ref, now, Number.NaN, Number.MAX_SAFE_INTEGER);
    return impactPrice(
      spec,
      all.map((l) => bookLevel(spec, l)),
      this.impactNotional,
    );
  }

  /** The rate the next funding would have from the premium sampled so far (perpetuals only). */
  predictedRate(): bigint | undefined {
    const f = this.funding;
    if (f === undefined) return undefined;
    const p = this.premium.average() ?? 0n;
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

function bookLevel(spec: DerivativeMarket, l: Level): BookLevel {
  return { price: BigInt(l.price) * spec.tick.step, qty: BigInt(l.qty) * spec.lot.step };
}

/** The first multiple of `interval` since the epoch (00:00 UTC) strictly after `t`. */
export function nextBoundary(t: number, interval: number): number {
  return Math.floor(t / interval) * interval + interval;
}
