/**
 * Price index and mark price of a perpetual, by Binance USDⓈ-M's published method ("What Are Mark
 * Price and Price Index in USDⓈ-Margined Futures?").
 *
 * Rules (prices are integer units at one scale the caller chooses; rates at RATE_SCALE):
 * - Price index = Σ weight_i × price_i / Σ weight_i over the spot sources that are live (a source
 *   that has stopped updating is left out by the caller, Binance giving it weight 0).
 *   A source further than `maxDeviation` from the median of all sources is first capped at
 *   median × (1 ± maxDeviation) (Binance: 3 %, and 1 % for the BTC and ETH indexes), so one bad
 *   exchange moves the index by at most that much.
 * - Price 1 = index × (1 + last funding rate × time until the next funding / funding interval).
 * - Price 2 = index + the moving average of the basis, basis = (bid1 + ask1)/2 − index, sampled
 *   once a second over the last 5 minutes (`RollingBasis` keeps the samples it is given).
 * - Mark price = the median of price 1, price 2 and the contract's last price.
 * - Rounding: each computed price (index, a capped source, price 1, the basis average) rounds once
 *   to the caller's scale, half-even, except a capped source, which rounds toward the median so a
 *   cap never lets a source further out than the rule allows. The median itself is exact.
 * - `FundingCarry` is price 1 for one rate and interval with the fraction reduced once by their
 *   common divisor: the same exact value and rounding as `fundingAdjustedIndex`, with numbers small
 *   enough (a round rate such as 0.01 %) for the engine's 64-bit fast path at every mark update,
 *   or for exact safe-integer doubles (safe-int.ts: `atUnits`, NaN where they do not suffice).
 * - `RollingBasis` keeps its window in doubles while every value and the sum are safe integers,
 *   and in bigints from the first one that is not: the same sums either way.
 */
import { InvalidInputError } from "../../domain/errors.js";
import { mulDiv } from "../../domain/fixed.js";
import { median, median3, RATE_ONE } from "./rate.js";
import { addDivHalfEven, safeAdd, safeMul } from "./safe-int.js";

export interface IndexSource {
  /** Units at the index's price scale. */
  price: bigint;
  /** Relative weight, any whole-number scale (e.g. a volume share in basis points); > 0. */
  weight: bigint;
}

/**
 * The weighted price index of live sources; `maxDeviation` is a rate (RATE_SCALE).
 *
 * @example
 * priceIndex([{ price: 100n, weight: 1n }, { price: 102n, weight: 1n }]); // 101n
 */
export function priceIndex(sources: readonly IndexSource[], maxDeviation?: bigint): bigint {
  if (sources.length === 0) throw new InvalidInputError("price index: no live sources");
  for (const [i, s] of sources.entries()) {
    if (s.weight <= 0n) throw new InvalidInputError(`price index: source ${i} has weight ≤ 0`);
    if (s.price <= 0n) throw new InvalidInputError(`price index: source ${i} has price ≤ 0`);
  }
  const mid = median(sources.map((s) => s.price));
  let weighted = 0n;
  let total = 0n;
  for (const s of sources) {
    const price = maxDeviation === undefined ? s.price : capped(s.price, mid, maxDeviation);
    weighted += price * s.weight;
    total += s.weight;
  }
  return mulDiv(weighted, 1n, total, "half-even");
}

/** A source's price held within median × (1 ± maxDeviation), rounded toward the median. */
export function capped(price: bigint, mid: bigint, maxDeviation: bigint): bigint {
  if (maxDeviation < 0n) throw new InvalidInputError("price index: maxDeviation is negative");
  const high = mulDiv(mid, RATE_ONE + maxDeviation, RATE_ONE, "down");
  const low = mulDiv(mid, RATE_ONE - maxDeviation, RATE_ONE, "up");
  return price > high ? high : price < low ? low : price;
}

/** Price 1: the index carried forward by the part of the last funding rate still to accrue. */
export function fundingAdjustedIndex(
  index: bigint,
  lastFundingRate: bigint,
  msUntilFunding: number,
  fundingIntervalMs: number,
): bigint {
  if (!Number.isSafeInteger(fundingIntervalMs) || fundingIntervalMs <= 0) {
    throw new InvalidInputError(`funding interval ${fundingIntervalMs} ms is not a whole > 0`);
  }
  if (!Number.isSafeInteger(msUntilFunding) || msUntilFunding < 0) {
    throw new InvalidInputError(`time until funding ${msUntilFunding} ms is not a whole ≥ 0`);
  }
  if (msUntilFunding > fundingIntervalMs) {
    throw new InvalidInputError("time until funding is longer than the funding interval");
  }
  const interval = BigInt(fundingIntervalMs);
  const factor = RATE_ONE * interval + lastFundingRate * BigInt(msUntilFunding);
  return mulDiv(index, factor, RATE_ONE * interval, "half-even");
}

/** Price 1 at one last funding rate and interval, any number of times (see the header). */
export class FundingCarry {
  private readonly den: bigint;
  private readonly per: bigint;
  /** den and per as doubles when they are safe integers, else NaN. */
  private readonly denUnits: number;
  private readonly perUnits: number;

  constructor(
    readonly lastFundingRate: bigint,
    readonly fundingIntervalMs: number,
  ) {
    fundingAdjustedIndex(1n, lastFundingRate, 0, fundingIntervalMs); // checks the interval
    const whole = RATE_ONE * BigInt(fundingIntervalMs);
    const g = gcd(lastFundingRate < 0n ? -lastFundingRate : lastFundingRate, whole);
    this.den = whole / g;
    this.per = lastFundingRate / g;
    this.denUnits = safeUnits(this.den);
    this.perUnits = safeUnits(this.per);
  }

  /** `at` for a safe-integer index, in doubles: NaN when they cannot hold it exactly. */
  atUnits(index: number, msUntilFunding: number): number {
    if (
      !Number.isSafeInteger(index) ||
      !Number.isSafeInteger(msUntilFunding) ||
      msUntilFunding < 0 ||
      msUntilFunding > this.fundingIntervalMs
    ) {
      return Number.NaN;
    }
    // index × (den + per × u) / den = index + index × per × u / den
    const carried = safeMul(safeMul(index, this.perUnits), msUntilFunding);
    return addDivHalfEven(index, carried, this.denUnits);
  }

  /** fundingAdjustedIndex(index, lastFundingRate, msUntilFunding, fundingIntervalMs). */
  at(index: bigint, msUntilFunding: number): bigint {
    if (
      !Number.isSafeInteger(msUntilFunding) ||
      msUntilFunding < 0 ||
      msUntilFunding > this.fundingIntervalMs
    ) {
      return fundingAdjustedIndex(
        index,
        this.lastFundingRate,
        msUntilFunding,
        this.fundingIntervalMs,
      );
    }
    return mulDiv(index, this.den + this.per * BigInt(msUntilFunding), this.den, "half-even");
  }
}

function safeUnits(x: bigint): number {
  const n = Number(x);
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export interface BasisSample {
  bid: bigint;
  ask: bigint;
  index: bigint;
}

/**
 * The moving average of the basis over the last `window` samples it was given (Binance: 300, one
 * a second for 5 minutes). Pure state: no clock; the caller samples on its own clock.
 */
export class RollingBasis {
  /**
   * Each sample's basis doubled, (bid + ask) − 2 × index, so a half-unit mid stays exact, in a
   * ring: as doubles while they and their sum are safe integers (`small`), else as bigints.
   */
  private small: number[] | undefined = [];
  private smallSum = 0;
  private big: bigint[] = [];
  private bigSum = 0n;
  private next = 0;

  constructor(readonly window: number) {
    if (!Number.isSafeInteger(window) || window < 1) {
      throw new InvalidInputError(`basis window ${window} is not a whole ≥ 1`);
    }
  }

  push(sample: BasisSample): void {
    this.add(sample.bid, sample.ask, sample.index);
  }

  /** `push({ bid, ask, index })` without the sample object. */
  add(bid: bigint, ask: bigint, index: bigint): void {
    if (bid > ask) throw new InvalidInputError(`basis sample: bid ${bid} is above ask ${ask}`);
    const value = bid + ask - 2n * index;
    const units = Number(value);
    if (this.small !== undefined && Number.isSafeInteger(units) && this.addSmall(units)) return;
    this.addBig(value);
  }

  /** `add` of safe-integer units (the mark's hot path: no bigint unless the doubles overflow). */
  addUnits(bid: number, ask: number, index: number): void {
    if (bid > ask) throw new InvalidInputError(`basis sample: bid ${bid} is above ask ${ask}`);
    const value = safeAdd(safeAdd(bid, ask), safeMul(-2, index));
    if (this.small !== undefined && Number.isSafeInteger(value) && this.addSmall(value)) return;
    this.add(BigInt(bid), BigInt(ask), BigInt(index));
  }

  get count(): number {
    return this.small?.length ?? this.big.length;
  }

  /** The mean basis, rounded half-even once; undefined before the first sample. */
  average(): bigint | undefined {
    const count = this.count;
    if (count === 0) return undefined;
    const units = this.averageUnits();
    if (!Number.isNaN(units)) return BigInt(units);
    const sum = this.small === undefined ? this.bigSum : BigInt(this.smallSum);
    return mulDiv(sum, 1n, 2n * BigInt(count), "half-even");
  }

  /** `average` as a double (0 before the first sample); NaN when it is kept in bigints. */
  averageUnits(): number {
    const small = this.small;
    if (small === undefined) return Number.NaN;
    return small.length === 0 ? 0 : addDivHalfEven(0, this.smallSum, 2 * small.length);
  }

  /** Adds a safe-integer value to the doubles; false (nothing changed) if the sum would leave them. */
  private addSmall(value: number): boolean {
    const small = this.small!;
    const full = small.length === this.window;
    const sum = safeAdd(safeAdd(this.smallSum, full ? -small[this.next]! : 0), value);
    if (Number.isNaN(sum)) return false;
    this.smallSum = sum;
    if (full) {
      small[this.next] = value;
      this.next = (this.next + 1) % this.window;
    } else {
      small.push(value);
    }
    return true;
  }

  private addBig(value: bigint): void {
    if (this.small !== undefined) {
      this.big = this.small.map(BigInt);
      this.bigSum = BigInt(this.smallSum);
      this.small = undefined;
    }
    const big = this.big;
    this.bigSum += value;
    if (big.length < this.window) {
      big.push(value);
      return;
    }
    this.bigSum -= big[this.next]!;
    big[this.next] = value;
    this.next = (this.next + 1) % this.window;
  }
}

export interface MarkInputs {
  index: bigint;
  lastFundingRate: bigint;
  msUntilFunding: number;
  fundingIntervalMs: number;
  /** The moving-average basis (RollingBasis.average()). */
  basisAverage: bigint;
  lastPrice: bigint;
}

/** Mark price = median(price 1, price 2, last price). */
export function markPrice(m: MarkInputs): bigint {
  const price1 = fundingAdjustedIndex(
    m.index,
    m.lastFundingRate,
    m.msUntilFunding,
    m.fundingIntervalMs,
  );
  const price2 = m.index + m.basisAverage;
  return median3(price1, price2, m.lastPrice);
}
