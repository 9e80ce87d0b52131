/**
 * What an order can cost at most, decided before it is sent: the reservation the gateway takes on
 * the mandate and the risk limits, and the price the venue is given.
 *
 * Spot rules (SpotExposure):
 * - A limit buy can cost at most amount × limit × (1 + taker fee), rounded up to the quote's minor
 *   unit: a venue fills a buy at its limit or below, and no fee is above the taker rate.
 * - A market buy is sent as an IOC limit at the touch (the ask) plus the slippage cap, rounded up
 *   to the tick: the venue walks the book up to that price and no further, so the bound above
 *   holds for it too. What the book cannot give within the cap expires, and is released.
 * - A market sell is sent as an IOC limit at the bid minus the cap, rounded down to the tick.
 * - A sell's notional is its amount at its limit price: the least quote it agrees to take for the
 *   base it gives. A sell of what the Trader holds (and has not already offered) reserves that base
 *   and no budget; the part beyond it is reserved on the budget like a buy, at that notional.
 * - All of it in integer minor units; decimal strings only at the edges.
 *
 * Derivatives (a later issue) reserve margin instead: notional / leverage plus fees, in the settle
 * currency. They fit the same step: an Exposure computes `budget` for an order, the gateway
 * reserves it with the risk limits, and releases it as the order fills or ends.
 */
import { InvalidInputError, RiskDeniedError } from "../../../domain/errors.js";
import {
  formatDecimal,
  type Increment,
  mulDiv,
  parseDecimal,
  parseIncrement,
  pow10,
  roundToStep,
} from "../../../domain/fixed.js";
import type { Ticker } from "../../../domain/market-data.js";
import type { Side } from "../../../domain/order.js";

/** Prices and rates are read at this many decimals: more than any venue quotes. */
const SCALE = 18;
const ONE = 10n ** BigInt(SCALE);

/** One market's rules, as the gateway needs them. */
export interface MarketRules {
  symbol: string;
  base: string;
  quote: string;
  /** Minor-unit decimals of base and quote. */
  baseScale: number;
  quoteScale: number;
  tick: Increment;
  /** Taker fee rate, a decimal fraction ("0.001"). */
  taker: string;
}

/** What a Trader asked for. */
export interface OrderAsk {
  side: Side;
  type: "market" | "limit";
  /** Base, in base minor units. */
  amount: bigint;
  /** Limit price text, for limit orders. */
  price?: string;
}

/** What the venue is sent, and what the order can take at most. */
export interface Exposure {
  /** Limit price sent to the venue (for market orders, the protective limit). */
  price: string;
  timeInForce: "GTC" | "IOC";
  /** Price × amount, quote minor units rounded up: what the risk limits see. */
  notional: bigint;
}

export class SpotExposure {
  readonly #rules: MarketRules;
  readonly #taker: bigint;
  readonly #tickUnits: bigint;
  /** The last slippage cap read, and its units: it changes with the limits, not per order. */
  #slippage = { text: "", units: 0n };

  constructor(rules: MarketRules) {
    this.#rules = rules;
    this.#taker = readRate(rules.taker, `${rules.symbol} taker fee`);
    // The tick at SCALE decimals: prices are rounded to it there.
    this.#tickUnits = rules.tick.step * 10n ** BigInt(SCALE - rules.tick.scale);
  }

  get rules(): MarketRules {
    return this.#rules;
  }

  /**
   * The price to send and the order's notional. A market order needs the touch: without one it is
   * refused. `slippage` is a decimal fraction ("0.01" = 1 %).
   */
  price(ask: OrderAsk, ticker: Ticker | undefined, slippage: string): Exposure {
    if (ask.type === "limit") {
      if (ask.price === undefined) throw new InvalidInputError("a limit order needs a price");
      const units = this.#priceUnits(ask.price);
      if (units % this.#tickUnits !== 0n) {
        throw new InvalidInputError(
          `price ${ask.price} is not a multiple of ${this.#rules.symbol}'s tick ${formatDecimal(this.#rules.tick.step, this.#rules.tick.scale)}`,
        );
      }
      return {
        price: formatDecimal(units, SCALE),
        timeInForce: "GTC",
        notional: this.notional(ask.amount, units),
      };
    }
    const touchText =
      ask.side === "buy" ? (ticker?.ask ?? ticker?.last) : (ticker?.bid ?? ticker?.last);
    if (touchText === undefined) {
      throw new RiskDeniedError(
        `no price for ${this.#rules.symbol} yet: a market order needs the touch to bound its cost`,
      );
    }
    const touch = this.#priceUnits(touchText);
    if (slippage !== this.#slippage.text) {
      this.#slippage = { text: slippage, units: readRate(slippage, "slippage cap") };
    }
    const cap = this.#slippage.units;
    const through = ask.side === "buy" ? ONE + cap : ONE - cap;
    const raw = mulDiv(touch, through, ONE, ask.side === "buy" ? "up" : "down");
    const units = roundToStep(raw, this.#tickUnits, ask.side === "buy" ? "up" : "down");
    if (units <= 0n) {
      throw new RiskDeniedError(
        `the slippage cap ${slippage} leaves no positive protective price for ${this.#rules.symbol}`,
      );
    }
    return {
      price: formatDecimal(units, SCALE),
      timeInForce: "IOC",
      notional: this.notional(ask.amount, units),
    };
  }

  /** amount × price in quote minor units, rounded up. */
  notional(amount: bigint, priceUnits: bigint): bigint {
    const { baseScale, quoteScale } = this.#rules;
    return scaleDown(amount * priceUnits, baseScale + SCALE - quoteScale);
  }

  /** The most a buy of `amount` at `price` can take from the budget: notional plus taker fee. */
  buyBound(amount: bigint, price: string): bigint {
    const units = this.#priceUnits(price);
    const { baseScale, quoteScale } = this.#rules;
    return scaleDown(amount * units * (ONE + this.#taker), baseScale + 2 * SCALE - quoteScale);
  }

  /** The budget a sell of `amount` beyond the Trader's holding takes: its notional at `price`. */
  sellBound(amount: bigint, price: string): bigint {
    return this.notional(amount, this.#priceUnits(price));
  }

  #priceUnits(text: string): bigint {
    let units: bigint;
    try {
      units = parseDecimal(text, SCALE);
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new InvalidInputError(`price: ${why}`, { cause });
    }
    if (units <= 0n) throw new InvalidInputError(`price ${text} must be above 0`);
    return units;
  }
}

/** A tick size text as an Increment (market rules from a venue's `precision.price`). */
export function tickOf(text: string): Increment {
  return parseIncrement(text);
}

/** n / 10^shift rounded up (shift may be negative: then a multiplication). */
export function scaleDown(n: bigint, shift: number): bigint {
  return shift >= 0 ? mulDiv(n, 1n, pow10(shift), "up") : n * pow10(-shift);
}

function readRate(text: string, what: string): bigint {
  let units: bigint;
  try {
    units = parseDecimal(text, SCALE, "up");
  } catch (cause) {
    throw new InvalidInputError(`${what} ${JSON.stringify(text)} is not a decimal fraction`, {
      cause,
    });
  }
  if (units < 0n || units >= ONE)
    throw new InvalidInputError(`${what} ${text} must be at least 0 and below 1`);
  return units;
}
