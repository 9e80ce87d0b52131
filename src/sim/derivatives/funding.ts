/**
 * Funding of a perpetual, by Binance's "Introduction to Binance Futures Funding Rates".
 *
 * Rules (money in settle minor units, prices in units at one scale, rates at RATE_SCALE):
 * - Impact margin notional (IMN) = 200 USDT / initial margin rate at the max leverage
 *   = 200 × the first bracket's max leverage (125x: 200 / 0.8 % = 25,000 USDT).
 * - Impact bid / ask price = the average fill price of a market order of IMN notional against the
 *   bids / asks: IMN / the base quantity it takes, the last level filled in part. Rounded once,
 *   half-even. A book too thin to fill IMN has no impact price (undefined): the caller decides.
 * - Premium index P = [max(0, impact bid − index) − max(0, index − impact ask)] / index, half-even.
 * - The interval's average premium weights the i-th sample by i (1..n), so later samples count
 *   more: Σ i × P_i / Σ i, half-even. `PremiumAverage` keeps Σ i × P_i as samples come, so an
 *   interval's samples are not stored; its average is exactly `averagePremium`'s.
 * - Funding rate F = [P + clamp(I − P, −0.05 %, +0.05 %)] × N / 8 for an N-hour interval, with
 *   interest I = 0.01 % per 8 hours by default; so with 8-hour funding any premium between
 *   −0.04 % and +0.06 % gives exactly I. Then F is clamped to [floor, cap]: Binance's majors use
 *   ±0.75 × the first bracket's maintenance margin ratio, others a configured cap (±2 % today).
 *   The ×N/8 rounds half-even; the rest is exact.
 * - Payment = notional at mark × F. With F > 0 longs pay and shorts receive; with F < 0 the
 *   reverse. `settleFunding` rounds every payer's amount UP and every receiver's DOWN, so the
 *   receivers never get more than the payers gave; the remainder (≥ 0, less than one minor unit
 *   per position) goes to a named account (the insurance fund), and the transfers sum to zero.
 */
import { InvalidInputError } from "../../domain/errors.js";
import { mulDiv } from "../../domain/fixed.js";
import { type DerivativeMarket, notionalPerPriceUnit } from "./instrument.js";
import { type Position, positionNotional, sideOf } from "./margin.js";
import { clamp, maxOf, RATE_ONE } from "./rate.js";

/** 0.01 % per 8 hours. */
export const DEFAULT_INTEREST_RATE = RATE_ONE / 10_000n;
/** The ±0.05 % band of the clamp. */
export const CLAMP_BAND = (RATE_ONE * 5n) / 10_000n;

/** IMN in settle units: `marginUnits` (200 USDT by default, in settle units) × max leverage. */
export function impactMarginNotional(market: DerivativeMarket, marginUnits?: bigint): bigint {
  const margin = marginUnits ?? 200n * 10n ** BigInt(market.settleDecimals);
  return margin * BigInt(market.brackets[0]!.maxLeverage);
}

export interface BookLevel {
  /** Units at the tick's scale. */
  price: bigint;
  /** Contracts, units at the lot's scale. */
  qty: bigint;
}

/**
 * Average fill price of `notional` (settle units) against `levels`, best first.
 * Works in "notional per price unit" so the partial last level stays an exact fraction.
 */
export function impactPrice(
  market: DerivativeMarket,
  levels: readonly BookLevel[],
  notional: bigint,
): bigint | undefined {
  if (notional <= 0n) throw new InvalidInputError(`impact notional ${notional} is not > 0`);
  const perPriceUnit = notionalPerPriceUnit(market);
  let filledSize = 0n; // Σ qty × perPriceUnit of whole levels: settle units per price unit
  let remaining = notional;
  for (const { price, qty } of levels) {
    if (price <= 0n || qty <= 0n) throw new InvalidInputError("book level with price or qty ≤ 0");
    const levelNotional = qty * price * perPriceUnit;
    if (levelNotional >= remaining) {
      // avg = N / (filledSize + remaining / price) = N × price / (filledSize × price + remaining)
      return mulDiv(notional, price, filledSize * price + remaining, "half-even");
    }
    filledSize += qty * perPriceUnit;
    remaining -= levelNotional;
  }
  return undefined;
}

/** P = [max(0, impactBid − index) − max(0, index − impactAsk)] / index, as a rate. */
export function premiumIndex(impactBid: bigint, impactAsk: bigint, index: bigint): bigint {
  if (index <= 0n) throw new InvalidInputError(`premium index: index ${index} is not > 0`);
  const spread = maxOf(0n, impactBid - index) - maxOf(0n, index - impactAsk);
  return spread === 0n ? 0n : mulDiv(spread, RATE_ONE, index, "half-even");
}

/** Σ i × P_i / Σ i over the interval's samples, oldest first (i = 1..n). */
export function averagePremium(samples: readonly bigint[]): bigint {
  if (samples.length === 0) throw new InvalidInputError("average premium of no samples");
  let weighted = 0n;
  for (const [i, p] of samples.entries()) weighted += BigInt(i + 1) * p;
  const n = BigInt(samples.length);
  return mulDiv(weighted, 2n, n * (n + 1n), "half-even"); // Σ i = n(n+1)/2
}

/** averagePremium over samples given one at a time, without keeping them. */
export class PremiumAverage {
  private weighted = 0n;
  private n = 0;

  get count(): number {
    return this.n;
  }

  add(premium: bigint): void {
    this.n++;
    if (premium !== 0n) this.weighted += BigInt(this.n) * premium;
  }

  /** averagePremium of the samples added since the last `clear`; undefined with none. */
  average(): bigint | undefined {
    if (this.n === 0) return undefined;
    const n = BigInt(this.n);
    return mulDiv(this.weighted, 2n, n * (n + 1n), "half-even");
  }

  clear(): void {
    this.weighted = 0n;
    this.n = 0;
  }
}

export interface FundingRule {
  /** Per 8 hours (default 0.01 %). */
  interestRate?: bigint;
  /** Hours between fundings (default 8). */
  intervalHours?: number;
  /** The rate's bounds after the clamp: floor ≤ F ≤ cap. */
  floor: bigint;
  cap: bigint;
}

export function fundingRate(averagePremiumIndex: bigint, rule: FundingRule): bigint {
  const interest = rule.interestRate ?? DEFAULT_INTEREST_RATE;
  const hours = rule.intervalHours ?? 8;
  if (!Number.isInteger(hours) || hours < 1) {
    throw new InvalidInputError(`funding interval ${hours} h is not a whole ≥ 1`);
  }
  const p = averagePremiumIndex;
  const eightHour = p + clamp(interest - p, -CLAMP_BAND, CLAMP_BAND);
  const scaled = mulDiv(eightHour, BigInt(hours), 8n, "half-even");
  return clamp(scaled, rule.floor, rule.cap);
}

/** ±ratio × the first bracket's maintenance margin ratio (Binance majors: 0.75), toward zero. */
export function capFromMaintenance(
  market: DerivativeMarket,
  ratio: bigint,
): { floor: bigint; cap: bigint } {
  const cap = mulDiv(market.brackets[0]!.maintMarginRatio, ratio, RATE_ONE, "down");
  return { floor: -cap, cap };
}

export interface FundingTransfer {
  position: Position;
  /** Signed settle units: < 0 the position pays, > 0 it receives. */
  amount: bigint;
}

export interface FundingSettlement {
  transfers: FundingTransfer[];
  /** What payers paid beyond what receivers got (≥ 0): to the insurance fund. */
  residual: bigint;
}

/**
 * Settles one funding of one market: payer amounts rounded up, receiver amounts down;
 * Σ amounts + residual = 0. More paid out than in (short and long interest differ) is an error.
 */
export function settleFunding(
  positions: readonly Position[],
  mark: bigint,
  rate: bigint,
): FundingSettlement {
  const transfers: FundingTransfer[] = [];
  let sum = 0n;
  for (const position of positions) {
    if (position.market !== positions[0]!.market) {
      throw new InvalidInputError(
        `funding: ${position.market.symbol} settled with ${positions[0]!.market.symbol}`,
      );
    }
    const side = sideOf(position);
    const exact = positionNotional(position, mark) * rate; // at settle + RATE_SCALE decimals
    const pays = side * rate > 0n; // longs pay a positive rate, shorts a negative one
    const magnitude = mulDiv(exact < 0n ? -exact : exact, 1n, RATE_ONE, pays ? "up" : "down");
    const amount = side === 0n || magnitude === 0n ? 0n : pays ? -magnitude : magnitude;
    transfers.push({ position, amount });
    sum += amount;
  }
  if (sum > 0n) {
    throw new InvalidInputError(
      `funding: receivers would get ${sum} more than payers give (long and short open ` +
        "interest differ)",
    );
  }
  return { transfers, residual: -sum };
}
