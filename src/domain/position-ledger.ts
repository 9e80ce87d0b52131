/**
 * A position in one market, kept exactly: the one position concept of crypy. The Desk keeps one per
 * (Trader, market), the Trader keeps its own, and the backtest runner keeps one per run; all three
 * feed it fills and read the same numbers.
 *
 * Units: base quantities in base minor units (10^-baseScale), quote amounts in quote minor units
 * (10^-quoteScale), both bigint. Decimal strings only at the edges (`view`).
 *
 * Invariants:
 * - `quantity` is signed: above 0 long, below 0 short. `basis` is the quote paid for the open
 *   quantity (fees included) and carries its sign: positive long, negative short (quote received).
 * - A fill toward the position (or from flat) adds to quantity and basis. A fill against it first
 *   closes: the closed share of the basis leaves, and realised PnL takes the fill's quote flow for
 *   that share minus it; whatever is left of the fill opens the other side.
 * - Fees: a fee in the base currency changes the quantity received or given (a buy of 1 with a fee
 *   of 0.001 in base holds 0.999); a fee in the quote currency changes the quote flow. Either way it
 *   is in the basis or in realised PnL, so realised PnL is net of every fee. `fees` sums them in
 *   quote, a base fee valued at its fill's price. A fee in a third currency is only counted in
 *   `otherFees`: it has no price here.
 * - Closing all of a position removes all of its basis (no dust of basis without quantity); closing
 *   part removes basis × closed / quantity, rounded half-even once.
 * - Unrealised PnL is computed on demand from a mark price, never on every tick.
 */

import { InvalidInputError } from "./errors.js";
import { formatDecimal, mulDiv, parseDecimal } from "./fixed.js";
import type { Fee, Side } from "./order.js";

/** Scale mark and entry prices are read at: more decimals than any venue quotes. */
const PRICE_SCALE = 18;

export interface PositionScales {
  base: string;
  quote: string;
  /** Decimals of the base asset's minor unit. */
  baseScale: number;
  /** Decimals of the quote asset's minor unit. */
  quoteScale: number;
}

/** One execution, or the part of an order's executions since its last state, as decimal strings. */
export interface PositionFill {
  side: Side;
  /** Base executed. */
  amount: string;
  /** Quote value executed (price × amount). */
  cost: string;
  fee?: Fee;
  /**
   * A fee-only fill (amount "0": the venue told the fee after the execution) has no price of its
   * own; this is the order's average price, which a base fee is valued at in `fees`.
   */
  price?: string;
}

/** A position as decimal strings, for status, events and JSON. */
export interface PositionView {
  quantity: string;
  /** Average entry price of the open quantity, fees included; absent when flat. */
  averageEntry?: string;
  /** Quote paid for the open quantity (negative for a short). */
  basis: string;
  realised: string;
  fees: string;
  /** Only when a mark price was given. */
  unrealised?: string;
}

/** A ledger's state in minor units written as integers (JSON has no bigint). */
export interface SavedPosition {
  quantity: string;
  basis: string;
  realised: string;
  fees: string;
  otherFees: Record<string, string>;
}

export class PositionLedger {
  #quantity = 0n;
  #basis = 0n;
  #realised = 0n;
  #fees = 0n;
  readonly #otherFees = new Map<string, string>();

  constructor(readonly scales: PositionScales) {
    for (const key of ["baseScale", "quoteScale"] as const) {
      const s = scales[key];
      if (!Number.isInteger(s) || s < 0 || s > 36)
        throw new InvalidInputError(`position ${key} ${s} must be an integer in 0..36`);
    }
  }

  /** Signed base minor units. */
  get quantity(): bigint {
    return this.#quantity;
  }

  /** Signed quote minor units paid for the open quantity. */
  get basis(): bigint {
    return this.#basis;
  }

  get realised(): bigint {
    return this.#realised;
  }

  /** Quote minor units of fees paid in base or quote. */
  get fees(): bigint {
    return this.#fees;
  }

  /** Fees in currencies that are neither base nor quote, as decimal strings by currency. */
  get otherFees(): ReadonlyMap<string, string> {
    return this.#otherFees;
  }

  get flat(): boolean {
    return this.#quantity === 0n;
  }

  /**
   * Takes in one fill.
   *
   * @example
   * const p = new PositionLedger({ base: "BTC", quote: "USDT", baseScale: 8, quoteScale: 8 });
   * p.apply({ side: "buy", amount: "1", cost: "100", fee: { currency: "BTC", cost: "0.001" } });
   * p.apply({ side: "sell", amount: "0.999", cost: "109.89" });
   * p.view().realised; // "9.89"
   */
  apply(fill: PositionFill): void {
    const amount = this.#base(fill.amount, "amount");
    const cost = this.#quote(fill.cost, "cost");
    if (amount < 0n || cost < 0n)
      throw new InvalidInputError(`a fill's amount and cost must not be negative`);
    let baseFee = 0n;
    let quoteFee = 0n;
    const fee = fill.fee;
    if (fee !== undefined && fee.cost !== "0") {
      if (fee.currency === this.scales.base) baseFee = this.#base(fee.cost, "fee");
      else if (fee.currency === this.scales.quote) quoteFee = this.#quote(fee.cost, "fee");
      else this.#addOtherFee(fee);
    }
    const buy = fill.side === "buy";
    if (amount === 0n && buy && this.#quantity > 0n) {
      // A buy's fee told after its execution: a base fee shrinks the quantity bought and a quote
      // fee adds to its cost, both in the basis, exactly as had the fee come with the execution.
      this.#fees += quoteFee + (fill.price === undefined ? 0n : this.#quoteOf(baseFee, fill.price));
      this.#quantity -= baseFee;
      this.#basis += quoteFee;
      return;
    }
    const baseFeeValue =
      amount !== 0n
        ? mulDiv(cost, baseFee, amount, "half-even")
        : fill.price === undefined
          ? 0n
          : this.#quoteOf(baseFee, fill.price);
    this.#execute(buy, amount, cost, baseFee, quoteFee, baseFeeValue);
  }

  /**
   * Takes in one execution already in minor units (a venue that keeps them exact: the simulator),
   * as `apply` takes its decimal strings: `amount` of base (> 0) for `cost` of quote, the fee in
   * base or in quote.
   */
  applyUnits(side: Side, amount: bigint, cost: bigint, baseFee: bigint, quoteFee: bigint): void {
    if (amount <= 0n || cost < 0n || baseFee < 0n || quoteFee < 0n) {
      throw new InvalidInputError(
        `an execution needs a positive amount and no negative cost or fee (amount ${amount}, cost ${cost}, fees ${baseFee} base, ${quoteFee} quote)`,
      );
    }
    const baseFeeValue = baseFee === 0n ? 0n : mulDiv(cost, baseFee, amount, "half-even");
    this.#execute(side === "buy", amount, cost, baseFee, quoteFee, baseFeeValue);
  }

  #execute(
    buy: boolean,
    amount: bigint,
    cost: bigint,
    baseFee: bigint,
    quoteFee: bigint,
    baseFeeValue: bigint,
  ): void {
    // Base in (buy) or out (sell), net of a base fee; quote out (buy, negative) or in (sell).
    const dq = buy ? amount - baseFee : -(amount + baseFee);
    const cash = buy ? -(cost + quoteFee) : cost - quoteFee;
    this.#fees += quoteFee + baseFeeValue;
    this.#move(dq, cash);
  }

  /** Quote minor units `base` (base minor units) is worth at `price` (a decimal), half-even. */
  #quoteOf(base: bigint, price: string): bigint {
    const units = parseDecimal(price, PRICE_SCALE, "half-even");
    const shift = this.scales.baseScale + PRICE_SCALE - this.scales.quoteScale;
    return shift >= 0
      ? mulDiv(base, units, 10n ** BigInt(shift), "half-even")
      : base * units * 10n ** BigInt(-shift);
  }

  #move(dq: bigint, cash: bigint): void {
    if (dq === 0n) {
      // Nothing changed hands in base (an all-fee fill): the quote flow is realised.
      this.#realised += cash;
      return;
    }
    const q = this.#quantity;
    if (q === 0n || q > 0n === dq > 0n) {
      this.#quantity = q + dq;
      this.#basis -= cash;
      return;
    }
    const held = abs(q);
    const size = abs(dq);
    const closing = size < held ? size : held;
    const basisOut =
      closing === held ? this.#basis : mulDiv(this.#basis, closing, held, "half-even");
    const cashShare = closing === size ? cash : mulDiv(cash, closing, size, "half-even");
    this.#realised += cashShare - basisOut;
    this.#basis -= basisOut;
    this.#quantity = q + dq;
    if (closing < size) this.#basis = -(cash - cashShare); // the rest opens the other side
  }

  /** Signed quote minor units of PnL on the open quantity at `mark` (a decimal price). */
  unrealised(mark: string): bigint {
    return this.valueAt(mark) - this.#basis;
  }

  /** Signed quote minor units the open quantity is worth at `price`, rounded half-even. */
  valueAt(price: string): bigint {
    if (this.#quantity === 0n) return 0n;
    return this.#quoteOf(this.#quantity, price);
  }

  /** Average entry of the open quantity, fees included, at `scale` decimals (half-even). */
  averageEntry(scale = this.scales.quoteScale): string | undefined {
    if (this.#quantity === 0n) return undefined;
    const { baseScale, quoteScale } = this.scales;
    // basis / 10^q ÷ quantity / 10^b, as units of 10^-scale.
    const num = abs(this.#basis) * 10n ** BigInt(baseScale + scale);
    const den = abs(this.#quantity) * 10n ** BigInt(quoteScale);
    return formatDecimal(mulDiv(num, 1n, den, "half-even"), scale);
  }

  /** The position as decimal strings; with a mark price, its unrealised PnL too. */
  view(mark?: string, priceScale?: number): PositionView {
    const { baseScale, quoteScale } = this.scales;
    const entry = this.averageEntry(priceScale);
    return {
      quantity: formatDecimal(this.#quantity, baseScale),
      ...(entry === undefined ? {} : { averageEntry: entry }),
      basis: formatDecimal(this.#basis, quoteScale),
      realised: formatDecimal(this.#realised, quoteScale),
      fees: formatDecimal(this.#fees, quoteScale),
      ...(mark === undefined
        ? {}
        : { unrealised: formatDecimal(this.unrealised(mark), quoteScale) }),
    };
  }

  /** A decimal string of base at this position's base scale. */
  baseText(units: bigint): string {
    return formatDecimal(units, this.scales.baseScale);
  }

  /** A decimal string of quote at this position's quote scale. */
  quoteText(units: bigint): string {
    return formatDecimal(units, this.scales.quoteScale);
  }

  #base(text: string, what: string): bigint {
    return readUnits(text, this.scales.baseScale, what);
  }

  #quote(text: string, what: string): bigint {
    return readUnits(text, this.scales.quoteScale, what);
  }

  /** Everything this ledger holds, as text: what a snapshot keeps. */
  saved(): SavedPosition {
    return {
      quantity: String(this.#quantity),
      basis: String(this.#basis),
      realised: String(this.#realised),
      fees: String(this.#fees),
      otherFees: Object.fromEntries(this.#otherFees),
    };
  }

  /** A ledger as `saved()` left it. */
  static restored(scales: PositionScales, saved: SavedPosition): PositionLedger {
    const ledger = new PositionLedger(scales);
    ledger.#quantity = BigInt(saved.quantity);
    ledger.#basis = BigInt(saved.basis);
    ledger.#realised = BigInt(saved.realised);
    ledger.#fees = BigInt(saved.fees);
    for (const [currency, cost] of Object.entries(saved.otherFees))
      ledger.#otherFees.set(currency, cost);
    return ledger;
  }

  #addOtherFee(fee: Fee): void {
    const before = this.#otherFees.get(fee.currency) ?? "0";
    const sum =
      parseDecimal(before, PRICE_SCALE, "half-even") + readUnits(fee.cost, PRICE_SCALE, "fee");
    this.#otherFees.set(fee.currency, formatDecimal(sum, PRICE_SCALE));
  }
}

/** Venues may print more decimals than an asset's minor unit: those round half-even, once. */
function readUnits(text: string, scale: number, what: string): bigint {
  try {
    return parseDecimal(text, scale, "half-even");
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidInputError(`fill ${what}: ${why}`, { cause });
  }
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}
