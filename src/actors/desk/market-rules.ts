/**
 * The rules of the markets a Desk's venue lists (tick, fees, the decimals of each asset), read once
 * from `loadMarkets`: every order is bounded by them (gateway/exposure.ts).
 */
import { InvalidInputError } from "../../domain/errors.js";
import { parseIncrement } from "../../domain/fixed.js";
import { parseMarket } from "../../domain/market.js";
import type { Market } from "../../venues/venue.js";
import { ContractExposure } from "./gateway/contract-exposure.js";
import { SpotExposure } from "./gateway/exposure.js";

/** Decimals of an asset the venue file does not list. */
const DEFAULT_DECIMALS = 8;

export class MarketRules {
  readonly #exposures = new Map<string, SpotExposure>();
  /** Quote decimals of each listed market, read once: every order's mandate check asks. */
  readonly #quoteDecimals = new Map<string, number>();

  constructor(
    private readonly desk: string,
    private readonly assetDecimals: Readonly<Record<string, number>>,
  ) {}

  /** Minor-unit decimals of an asset. */
  decimalsOf(asset: string): number {
    return this.assetDecimals[asset] ?? DEFAULT_DECIMALS;
  }

  /**
   * Minor-unit decimals of `market`'s quote currency. Listed markets come from a table; any other
   * name is parsed each time, so a stranger's mandate cannot grow the table.
   */
  quoteDecimalsOf(market: string): number {
    return this.#quoteDecimals.get(market) ?? this.decimalsOf(parseMarket(market).quote);
  }

  /** A market the venue lists: what an order on it may cost is bounded by its rules from now on. */
  add(market: Market): void {
    this.#quoteDecimals.set(market.symbol, this.decimalsOf(parseMarket(market.symbol).quote));
    const rules = {
      symbol: market.symbol,
      base: market.base,
      quote: market.quote,
      baseScale: this.decimalsOf(market.base),
      quoteScale: this.decimalsOf(market.quote),
      tick: parseIncrement(market.precision.price),
      taker: market.taker,
    };
    if (market.contract !== true) {
      this.#exposures.set(market.symbol, new SpotExposure(rules));
      return;
    }
    // An inverse contract is left out (contract-exposure.ts): refused by name when ordered.
    if (market.settle !== market.quote) return;
    this.#exposures.set(
      market.symbol,
      new ContractExposure({
        ...rules,
        settle: market.settle ?? market.quote,
        contractSize: market.contractSize ?? "1",
      }),
    );
  }

  /** The exposure model of `market`; a market the venue does not list is an InvalidInputError. */
  exposureOf(market: string): SpotExposure {
    const exposure = this.#exposures.get(market);
    if (exposure === undefined)
      throw new InvalidInputError(`${this.desk}'s venue does not list ${market}`);
    return exposure;
  }
}
