/**
 * Mark price and funding of one contract market, on the simulator's clock.
 *
 * Rules (the formulas are derivatives/mark-price.ts's and funding.ts's; this module says when):
 * - Sampled at every path point of the contract market: the index is the index market's latest
 *   path price, put on the contract's tick grid (the one float → exact step, rounded to nearest);
 *   the basis sample is the makers' best bid and ask; the basis average is over the last 300
 *   samples (RollingBasis). That is the feed's cadence, not Binance's (the basis once a second,
 *   the premium index every 5 seconds: 5,760 samples an 8-hour interval, "Introduction to Binance
 *   Futures Funding Rates"): 1-minute candles give a point every 15 s, each sample weighted as one.
 * - Mark = median(index × (1 + last funding rate × time to funding / interval), index + basis
 *   average, last price): mark-price.ts. Before the first sample there is none: the last price.
 * - Premium index samples: impact bid/ask of the impact margin notional (200 settle × the first
 *   bracket's max leverage) against the makers' levels; a book too thin for it gives no sample.
 *   The makers' best level alone usually fills it (its average price is then the level's price),
 *   so only the best level is read first (`bestLevel`), and the whole side only when it does not.
 * - Arithmetic: each value is the exact integer the rules give. Prices in units are carried as
 *   doubles where they are safe integers (derivatives/safe-int.ts: exact, else NaN) and as bigints
 *   where they are not, so a mark update usually allocates no bigint (the mark is made one when
 *   asked for: `mark`).
 * - Funding happens at every multiple of the interval since 00:00 UTC (8 h: 00:00, 08:00, 16:00),
 *   at the first path point at or after it; its rate is the interval's weighted average premium
 *   through funding.ts's clamp and cap (no sample: a premium of 0, so the interest rate). With
 *   recorded rates (venue file `funding.rates`), a funding time that has one is replayed at it
 *   exactly, neither clamped nor capped: it is what the venue paid. The predicted rate shows it too.
 *   Payments are funding.ts's `settleFunding` (perp/funding-payments.ts moves the money).
 * - Mark candles (one a minute) are kept for fetchMarkOHLCV, as the feed keeps its own.
 */

import { BUY, SELL, type Side } from "../book/index.js";
import { recordedRateAt } from "../config/funding-rates.js";
import type { FundingConfig } from "../config/types.js";
import {
  type BookLevel,
  fundingRate,
  impactMarginNotional,
  impactPrice,
  PremiumAverage,
  premiumIndex,
} from "../derivatives/funding.js";
import { type DerivativeMarket, notionalPerPriceUnit } from "../derivatives/instrument.js";
import { FundingCarry, RollingBasis } from "../derivatives/mark-price.js";
import { median3 } from "../derivatives/rate.js";
import { median3n, safeAdd, safeMul } from "../derivatives/safe-int.js";
import type { Level } from "../liquidity-source.js";
import { referenceTicks, type SimMarket } from "../sim-market.js";

export const BASIS_WINDOW = 300;
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Mark candles kept per market (a week of minutes). */
const MARK_CANDLES = 7 * 24 * 60;
const HISTORY = 5_000;

/**
 * [time, open, high, low, close] in price units at the tick's scale: a safe-integer double or a
 * bigint (JavaScript compares the two exactly); `candleUnits` turns one into a bigint.
 */
export type MarkCandle = [number, Units, Units, Units, Units];
type Units = bigint | number;

export interface FundingEntry {
  time: number;
  rate: bigint;
}

export class MarkAndFunding {
  readonly basis = new RollingBasis(BASIS_WINDOW);
  /** The mark as a safe-integer double; NaN when it is not one (then `mark` only) or none yet. */
  markUnits = Number.NaN;
  private markExact: bigint | undefined;
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
  /** The makers' best levels at the last sample (scratch: written by bestLevel). */
  private readonly bid: Level = { index: 0, price: 0, qty: 0 };
  private readonly ask: Level = { index: 0, price: 0, qty: 0 };
  /** The last index sample in ticks. */
  private indexTicks: number | undefined;
  /** As doubles (safe-int.ts), NaN when they are not safe integers: the tick in price units,
   * a lot's notional per price unit, the impact margin notional. */
  private readonly stepUnits: number;
  private readonly lotNotionalUnits: number;
  private readonly impactUnits: number;

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
    this.stepUnits = units(this.spec.tick.step);
    this.lotNotionalUnits = units(this.spec.lot.step * this.perPriceUnit);
    this.impactUnits = units(this.impactNotional);
  }

  /** The mark in price units (the tick's scale); undefined before the first sample. */
  get mark(): bigint | undefined {
    if (this.markExact === undefined && !Number.isNaN(this.markUnits)) {
      this.markExact = BigInt(this.markUnits);
    }
    return this.markExact;
  }

  /** The last index sample in price units (the tick's scale); undefined before the first. */
  get index(): bigint | undefined {
    const ticks = this.indexTicks;
    return ticks === undefined ? undefined : BigInt(ticks) * this.spec.tick.step;
  }

  /** A path point of the contract market at `now`; returns the funding rate due now, if any. */
  sample(now: number): bigint | undefined {
    const m = this.market;
    if (Number.isNaN(this.indexMarket.lastPrice) || Number.isNaN(m.lastPrice)) return undefined;
    const indexTicks = Math.max(1, Math.round(this.indexMarket.lastPrice / m.tickSize));
    this.indexTicks = indexTicks;
    const ref = referenceTicks(m);
    const liquidity = m.liquidity;
    const bid = this.bid;
    const ask = this.ask;
    const quoted =
      liquidity.bestLevel(BUY, ref, now, bid) && liquidity.bestLevel(SELL, ref, now, ask);
    // Prices in units as exact doubles where they are safe integers (NaN where not: then bigint).
    const step = this.stepUnits;
    const index = safeMul(indexTicks, step);
    if (quoted) this.samplePremium(bid, ask, index, ref, now);
    const until = Math.max(0, Math.min(this.intervalMs, this.nextFunding - now));
    if (this.carry.lastFundingRate !== this.lastRate) {
      this.carry = new FundingCarry(this.lastRate, this.intervalMs);
    }
    // mark-price.ts's markPrice: median(price 1, price 2, last price), price 1 from the carry.
    const price1 = this.carry.atUnits(index, until);
    const price2 = safeAdd(index, this.basis.averageUnits());
    const last = safeMul(ref, step);
    if (Number.isNaN(price1) || Number.isNaN(price2) || Number.isNaN(last)) {
      const exact = this.index!;
      this.markUnits = Number.NaN;
      this.markExact = median3(
        this.carry.at(exact, until),
        exact + (this.basis.average() ?? 0n),
        BigInt(ref) * this.spec.tick.step,
      );
      this.candle(now, this.markExact);
    } else {
      this.markUnits = median3n(price1, price2, last);
      this.markExact = undefined;
      this.candle(now, this.markUnits);
    }
    if (this.funding === undefined || now < this.nextFunding) return undefined;
    const rate = this.predictedRate()!;
    this.lastRate = rate;
    this.history.push({ time: this.nextFunding, rate });
    if (this.history.length > 2 * HISTORY) this.history.splice(0, this.history.length - HISTORY);
    this.premium.clear();
    this.nextFunding = nextBoundary(now, this.intervalMs);
    return rate;
  }

  /** The basis and premium samples from the makers' best levels (`index` in units, or NaN). */
  private samplePremium(bid: Level, ask: Level, index: number, ref: number, now: number): void {
    const bidUnits = safeMul(bid.price, this.stepUnits);
    const askUnits = safeMul(ask.price, this.stepUnits);
    const impactBid = this.bestFills(bid, bidUnits);
    const impactAsk = this.bestFills(ask, askUnits);
    if (!Number.isNaN(index) && !Number.isNaN(impactBid) && !Number.isNaN(impactAsk)) {
      this.basis.addUnits(bidUnits, askUnits, index);
      // premiumIndex is 0 with the index between the impact prices (no division needed).
      const inside = impactBid <= index && index <= impactAsk;
      this.premium.add(
        inside ? 0n : premiumIndex(BigInt(impactBid), BigInt(impactAsk), BigInt(index)),
      );
      return;
    }
    const step = this.spec.tick.step;
    const exact = this.index!;
    const bidPrice = BigInt(bid.price) * step;
    const askPrice = BigInt(ask.price) * step;
    this.basis.add(bidPrice, askPrice, exact);
    const b = this.impact(BUY, bid, bidPrice, ref, now);
    const a = this.impact(SELL, ask, askPrice, ref, now);
    if (b !== undefined && a !== undefined) this.premium.add(premiumIndex(b, a, exact));
  }

  /**
   * The impact price of the best level in units when that level alone fills the impact margin
   * notional N (impactPrice: N × price / N, its price) and doubles hold it exactly; else NaN.
   */
  private bestFills(best: Level, priceUnits: number): number {
    const levelNotional = safeMul(safeMul(best.qty, priceUnits), this.lotNotionalUnits);
    return levelNotional >= this.impactUnits ? priceUnits : Number.NaN;
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
    // Replayed: the rate recorded for this funding, where one was.
    const recorded =
      f.recorded === undefined
        ? undefined
        : recordedRateAt(f.recorded, this.nextFunding, this.intervalMs);
    if (recorded !== undefined) return recorded;
    const p = this.premium.average() ?? 0n;
    return fundingRate(p, {
      interestRate: f.interestRate,
      intervalHours: f.intervalHours,
      floor: -f.cap,
      cap: f.cap,
    });
  }

  private candle(now: number, mark: Units): void {
    const c = this.candles[this.candles.length - 1];
    // Within the last candle's minute (times ≥ 0) without the remainder of a large double.
    const within = c !== undefined && c[0] >= 0 && now >= c[0] && now < c[0] + MINUTE;
    const t = within ? c[0] : now - (now % MINUTE);
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

function units(x: bigint): number {
  const n = Number(x);
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

function bookLevel(spec: DerivativeMarket, l: Level): BookLevel {
  return { price: BigInt(l.price) * spec.tick.step, qty: BigInt(l.qty) * spec.lot.step };
}

/** A mark candle's value as a bigint. */
export function candleUnits(u: Units): bigint {
  return typeof u === "bigint" ? u : BigInt(u);
}

/** The first multiple of `interval` since the epoch (00:00 UTC) strictly after `t`. */
export function nextBoundary(t: number, interval: number): number {
  return Math.floor(t / interval) * interval + interval;
}
