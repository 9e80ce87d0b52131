/**
 * One RiskGate per quote currency: a limit of "2500" means 2500 of the quote of the market an
 * order is in, counted at that currency's decimals, and each currency keeps its own positions,
 * daily loss and order rate. The limits are the Desk template's, the same for every currency.
 */
import { parseMarket } from "../../domain/market.js";
import { RiskGate, type RiskLimits, type SavedRiskGate } from "./risk.js";

export class RiskGates {
  #limits: RiskLimits;
  readonly #decimalsOf: (asset: string) => number;
  readonly #gates = new Map<string, RiskGate>();
  /** The gate of each market asked for, so an order does not parse its market's name again. */
  readonly #byMarket = new Map<string, RiskGate>();

  /** `decimalsOf(asset)`: minor-unit decimals of a quote currency. Checks the limits now. */
  constructor(limits: RiskLimits, decimalsOf: (asset: string) => number) {
    new RiskGate(limits, 18); // a limit that is not a positive decimal fails here, at start
    this.#limits = { ...limits };
    this.#decimalsOf = decimalsOf;
  }

  get limits(): Readonly<RiskLimits> {
    return this.#limits;
  }

  /** Every gate's state, by quote currency: what a snapshot keeps. */
  saved(): [string, SavedRiskGate][] {
    return [...this.#gates].map(([quote, gate]) => [quote, gate.saved()]);
  }

  /** Gates as `saved()` wrote them. */
  restore(saved: readonly [string, SavedRiskGate][]): void {
    for (const [quote, state] of saved) this.#ofQuote(quote).restore(state);
  }

  /** The gate of `market`'s quote currency. */
  of(market: string): RiskGate {
    let gate = this.#byMarket.get(market);
    if (gate === undefined) {
      gate = this.#ofQuote(parseMarket(market).quote);
      this.#byMarket.set(market, gate);
    }
    return gate;
  }

  #ofQuote(quote: string): RiskGate {
    let gate = this.#gates.get(quote);
    if (gate === undefined) {
      gate = new RiskGate(this.#limits, this.#decimalsOf(quote));
      this.#gates.set(quote, gate);
    }
    return gate;
  }

  /** Replaces the limits of every gate; a value any gate refuses changes none. */
  setLimits(limits: RiskLimits): void {
    for (const quote of this.#gates.keys()) new RiskGate(limits, this.#decimalsOf(quote));
    new RiskGate(limits, 18);
    for (const gate of this.#gates.values()) gate.setLimits(limits);
    this.#limits = { ...limits };
  }

  /** Markets of `quote` with a marked PnL in its gate. */
  marked(quote: string): readonly string[] {
    return this.#gates.get(quote)?.markedMarkets() ?? [];
  }

  /** Position notional of `market` in its quote's minor units. */
  positionOf(market: string): bigint {
    return this.of(market).positionOf(market);
  }
}
