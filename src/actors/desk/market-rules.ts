/**
 * The rules of the markets a Desk's venue lists (tick, fees, the decimals of each asset), read once
 * from `loadMarkets`: every order is bounded by them (gateway/exposure.ts).
 */
import { InvalidInputError } from "../../domain/errors.js";
import { parseIncrement } from "../../domain/fixed.js";
import type { Market } from "../../venues/venue.js";
import { SpotExposure } from "./gateway/exposure.js";

/** Decimals of an asset the venue file does not list. */
const DEFAULT_DECIMALS = 8;

export class MarketRules {
  readonly #exposures = new Map<string, SpotExposure>();

  constructor(
    private readonly desk: string,
    private readonly assetDecimals: Readonly<Record<string, number>>,
  ) {}

  /** Minor-unit decimals of an asset. */
  decimalsOf(asset: string): number {
    return this.assetDecimals[asset] ?? DEFAULT_DECIMALS;
  }

  /** A market the venue lists: what an order on it may cost is bounded by its rules from now on. */
  add(market: Market): void {
    this.#exposures.set(
      market.symbol,
      new SpotExposure({
        symbol: market.symbol,
        base: market.base,
        quote: market.quote,
        baseScale: this.decimalsOf(market.base),
        quoteScale: this.decimalsOf(market.quote),
        tick: parseIncrement(market.precision.price),
        taker: market.taker,
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
