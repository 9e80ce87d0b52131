/**
 * What an order on a contract market (a linear perpetual or delivery future) can cost at most: the
 * margin the gateway reserves on the mandate before the order is sent.
 *
 * Rules:
 * - Prices are bounded as on spot (exposure.ts): a limit is the order's worst price, a market order
 *   goes as an IOC limit through the touch by the slippage cap.
 * - Notional = amount (contracts) × contract size × price, in the settle currency (the quote, for a
 *   linear contract), rounded up to its minor unit.
 * - An order that opens or increases a position — a buy from flat or long, a sell from flat or
 *   short, and any order without reduceOnly — reserves its initial margin at its leverage plus the
 *   taker fee: ceil(notional / leverage) + ceil(notional × taker). A sell that opens a short is
 *   reserved exactly like a buy that opens a long.
 * - The price margin is reserved at is the order's worst: a buy fills at its limit or below, so
 *   its limit; a sell fills at its limit or above — a resting sell at its limit, one that crosses
 *   at the bids, as high as the best bid when it arrives — so the higher of its limit and the
 *   touch (bid, else last) moved up by the slippage cap. A fill above that (a jump within the
 *   order's latency) is beyond the bound: the gateway logs it and caps what the mandate is charged.
 * - Only a reduceOnly order reserves nothing: it can only close what the Trader holds (the gateway
 *   checks it against the Trader's position and its other open reduceOnly orders), so it frees
 *   margin and never adds exposure. Without reduceOnly even an order against the position is
 *   reserved in full: the venue may fill it after the position is gone, and then it opens.
 * - Inverse (coin-margined) contracts, settled in the base, are not traded through the gateway
 *   yet: their notional is in contracts of quote and their margin in the base.
 */
import { InvalidInputError } from "../../../domain/errors.js";
import { formatDecimal, mulDiv, parseDecimal } from "../../../domain/fixed.js";
import type { Ticker } from "../../../domain/market-data.js";
import { type MarketRules, SpotExposure, scaleDown } from "./exposure.js";

/** Prices, sizes and rates are read at this many decimals, as exposure.ts does. */
const SCALE = 18;
const ONE = 10n ** BigInt(SCALE);

export interface ContractRules extends MarketRules {
  /** The currency margin and PnL are in (the quote, for a linear contract). */
  settle: string;
  /** Base per contract, a decimal ("1", "0.001"). */
  contractSize: string;
}

export class ContractExposure extends SpotExposure {
  readonly contract: ContractRules;
  readonly #size: bigint;
  readonly #takerUnits: bigint;

  constructor(rules: ContractRules) {
    if (rules.settle !== rules.quote) {
      throw new InvalidInputError(
        `${rules.symbol} settles in ${rules.settle}: inverse contracts are not traded through the order gateway yet`,
      );
    }
    super(rules);
    this.contract = rules;
    this.#size = readPositive(rules.contractSize, `${rules.symbol} contract size`);
    this.#takerUnits = parseDecimal(rules.taker, SCALE, "up");
  }

  /** amount × contract size × price in settle minor units, rounded up. */
  override notional(amount: bigint, priceUnits: bigint): bigint {
    const { baseScale, quoteScale } = this.rules;
    const shift = baseScale + 2 * SCALE - quoteScale;
    return scaleDown(amount * priceUnits * this.#size, shift);
  }

  /**
   * The margin an opening order of `amount` at `price` reserves at `leverage`: initial margin
   * plus the taker fee, each rounded up.
   */
  marginBound(amount: bigint, price: string, leverage: number): bigint {
    const notional = this.notional(amount, parseDecimal(price, SCALE));
    return initialMargin(notional, leverage) + mulDiv(notional, this.#takerUnits, ONE, "up");
  }

  /**
   * The price an order's margin is reserved at (see the rules above): a buy's limit, or for a
   * sell the higher of its limit and the touch moved up by `slippage`.
   */
  marginPrice(side: "buy" | "sell", limit: string, ticker: Ticker | undefined, slippage: string) {
    if (side === "buy") return limit;
    const touch = ticker?.bid ?? ticker?.last;
    if (touch === undefined) return limit;
    const cap = parseDecimal(slippage, SCALE, "up");
    const moved = mulDiv(parseDecimal(touch, SCALE), ONE + cap, ONE, "up");
    const limitUnits = parseDecimal(limit, SCALE);
    return formatDecimal(moved > limitUnits ? moved : limitUnits, SCALE);
  }

  /** The margin a fill of quote value `cost` (settle minor units) holds at `leverage`. */
  marginOf(cost: bigint, leverage: number): bigint {
    return initialMargin(cost, leverage);
  }
}

/** notional / leverage, rounded up. */
function initialMargin(notional: bigint, leverage: number): bigint {
  return mulDiv(notional, 1n, BigInt(leverage), "up");
}

function readPositive(text: string, what: string): bigint {
  let units: bigint;
  try {
    units = parseDecimal(text, SCALE);
  } catch (cause) {
    throw new InvalidInputError(`${what} ${JSON.stringify(text)} is not a decimal`, { cause });
  }
  if (units <= 0n) throw new InvalidInputError(`${what} ${text} must be above 0`);
  return units;
}
