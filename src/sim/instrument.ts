/**
 * One spot market's arithmetic: decimal strings at the edge, integer ticks and lots in the book
 * (JS numbers, safe integers), integer minor units of each asset in the ledger (bigint).
 *
 *   price  = ticks × tickSize          quantity = lots × lotSize
 *   cost   = ticks × lots × costFactor  (quote minor units, exact: costFactor is a whole number,
 *                                        checked here and by the venue config)
 *   base   = lots × lotFactor           (base minor units)
 *
 * Fee rule: the fee is charged in the asset the account RECEIVES (a buyer pays it in base, a seller
 * in quote), rounded UP to that asset's minor unit (the venue never under-charges), and paid to the
 * fee account. The market makers' synthetic account pays no fee.
 *
 * A contract (perpetual, delivery: `contract` set) uses the same ticks and lots for its book, a lot
 * being contracts; its "cost" is the notional, ticks × lots × costFactor with the contract size in
 * costFactor, in the settle (= quote) asset, and it agrees with derivatives/instrument.ts's
 * notional. Its fees are charged in the settle asset on that notional, both sides.
 */
import { InternalError, InvalidOrderError } from "../domain/errors.js";
import {
  formatDecimal,
  fromSteps,
  type Increment,
  mulDiv,
  parseDecimal,
  parseIncrement,
  toSteps,
} from "../domain/fixed.js";
import type { DerivativeMarket } from "./derivatives/instrument.js";

export interface InstrumentSpec {
  symbol: string;
  base: string;
  quote: string;
  baseDecimals: number;
  quoteDecimals: number;
  tickSize: string;
  lotSize: string;
  minQty: string;
  maxQty: string;
  minNotional: string;
  makerFee: string;
  takerFee: string;
  /** Contracts only: one contract is this much base (default "1"). */
  contractSize?: string;
  /** Contracts only: the derivatives model's view of the market. */
  contract?: DerivativeMarket;
}

/** A fee rate as an exact fraction: numerator / 10^scale. */
interface Rate {
  numerator: bigint;
  denominator: bigint;
}

const pow10 = (n: number) => 10n ** BigInt(n);

function parseRate(text: string): Rate {
  const scale = Math.max(0, (text.split(".")[1] ?? "").length);
  const numerator = parseDecimal(text, scale);
  if (numerator < 0n) throw new InternalError(`negative fee rates are not supported (${text})`);
  return { numerator, denominator: pow10(scale) };
}

export class Instrument {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly tick: Increment;
  readonly lot: Increment;
  readonly costFactor: bigint;
  readonly lotFactor: bigint;
  readonly minLots: number;
  readonly maxLots: number;
  /** Minimum notional in quote minor units. */
  readonly minNotionalUnits: bigint;
  readonly makerRate: Rate;
  readonly takerRate: Rate;
  readonly contract: DerivativeMarket | undefined;

  constructor(readonly spec: InstrumentSpec) {
    this.symbol = spec.symbol;
    this.base = spec.base;
    this.quote = spec.quote;
    this.tick = parseIncrement(spec.tickSize);
    this.lot = parseIncrement(spec.lotSize);
    this.contract = spec.contract;
    const size = parseIncrement(spec.contractSize ?? "1");
    const costNum = this.tick.step * this.lot.step * size.step * pow10(spec.quoteDecimals);
    const costDen = pow10(this.tick.scale + this.lot.scale + size.scale);
    const lotNum = this.lot.step * pow10(spec.baseDecimals);
    const lotDen = pow10(this.lot.scale);
    if (costNum % costDen !== 0n || lotNum % lotDen !== 0n) {
      throw new InternalError(
        `${spec.symbol}: tick ${spec.tickSize} × lot ${spec.lotSize} is not a whole number of minor units`,
      );
    }
    this.costFactor = costNum / costDen;
    this.lotFactor = lotNum / lotDen;
    this.minLots = Number(toSteps(spec.minQty, this.lot));
    this.maxLots = Number(toSteps(spec.maxQty, this.lot));
    this.minNotionalUnits = parseDecimal(spec.minNotional, spec.quoteDecimals, "up");
    this.makerRate = parseRate(spec.makerFee);
    this.takerRate = parseRate(spec.takerFee);
  }

  /** A price string → ticks; refuses non-positive prices and prices off the tick grid. */
  priceToTicks(text: string, field = "price"): number {
    let ticks: bigint;
    try {
      ticks = toSteps(text, this.tick);
    } catch {
      throw new InvalidOrderError(
        `${field} ${text} is not a multiple of ${this.symbol}'s tick size ${this.spec.tickSize}`,
      );
    }
    if (ticks <= 0n) throw new InvalidOrderError(`${field} ${text} must be positive`);
    if (ticks > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new InvalidOrderError(`${field} ${text} is too large for ${this.symbol}`);
    }
    return Number(ticks);
  }

  /** An amount string → lots, within the market's min/max quantity. */
  amountToLots(text: string): number {
    let lots: bigint;
    try {
      lots = toSteps(text, this.lot);
    } catch {
      throw new InvalidOrderError(
        `amount ${text} is not a multiple of ${this.symbol}'s lot size ${this.spec.lotSize}`,
      );
    }
    if (lots < BigInt(this.minLots)) {
      throw new InvalidOrderError(
        `amount ${text} is below ${this.symbol}'s minimum quantity ${this.spec.minQty}`,
      );
    }
    if (lots > BigInt(this.maxLots)) {
      throw new InvalidOrderError(
        `amount ${text} is above ${this.symbol}'s maximum quantity ${this.spec.maxQty}`,
      );
    }
    return Number(lots);
  }

  ticksToPrice(ticks: number): string {
    return fromSteps(BigInt(ticks), this.tick);
  }

  lotsToAmount(lots: number): string {
    return fromSteps(BigInt(lots), this.lot);
  }

  /** Quote minor units of `lots` at `ticks`. */
  cost(ticks: number, lots: number): bigint {
    return BigInt(ticks) * BigInt(lots) * this.costFactor;
  }

  baseUnits(lots: number): bigint {
    return BigInt(lots) * this.lotFactor;
  }

  /** Refuses an order whose notional is below the market's minimum. */
  checkNotional(costUnits: bigint): void {
    if (costUnits < this.minNotionalUnits) {
      throw new InvalidOrderError(
        `notional ${this.formatQuote(costUnits)} ${this.quote} is below ${this.symbol}'s minimum notional ${this.spec.minNotional}`,
      );
    }
  }

  /** The fee on `units` received, rounded up to the minor unit. */
  fee(units: bigint, role: "maker" | "taker"): bigint {
    const rate = role === "maker" ? this.makerRate : this.takerRate;
    return mulDiv(units, rate.numerator, rate.denominator, "up");
  }

  feeRate(role: "maker" | "taker"): string {
    return role === "maker" ? this.spec.makerFee : this.spec.takerFee;
  }

  formatQuote(units: bigint): string {
    return formatDecimal(units, this.spec.quoteDecimals);
  }

  formatBase(units: bigint): string {
    return formatDecimal(units, this.spec.baseDecimals);
  }

  /** A float price (market data) → the nearest tick, for reference prices. */
  nearestTicks(price: number): number {
    return Math.max(1, Math.round(price / Number(this.spec.tickSize)));
  }
}
