/**
 * CcxtVenue's derivatives methods: each is ccxt's unified method of the same name (mark candles:
 * fetchOHLCV with `price: "mark"`, as ccxt's fetchMarkOHLCV), called through CcxtVenue's own
 * plumbing (`call`: crypy's errors, scrubbed; `market`: the symbol must be listed; `require`: the
 * feature must be in `has`), its answer converted by derivatives.ts.
 *
 * Why:
 * - A position without leverage (Binance's v3 positionRisk states none) takes the account's
 *   setting from ccxt's fetchLeverages where the exchange has it.
 * - Setting the margin mode already set is success (Binance answers -4046, which ccxt raises as
 *   MarginModeAlreadySet): the account is in the mode asked for.
 */
import type {
  FundingRate,
  FundingRateHistory,
  MarginMode,
  Position,
} from "../../domain/derivatives.js";
import type { OHLCV } from "../../domain/market-data.js";
import type { Market, VenueFeature } from "../venue.js";
import { type Raw, toOHLCV } from "./convert.js";
import {
  isOpen,
  type Leverages,
  leverageOf,
  toFundingRate,
  toFundingRateHistory,
  toPosition,
} from "./derivatives.js";
import { isCcxtError } from "./errors.js";

type Call<R = Raw> = (...args: unknown[]) => Promise<R>;

/** The part of a ccxt Exchange the derivatives methods use. */
export interface DerivativesClient {
  has: Record<string, unknown>;
  fetchPositions: Call<Raw[]>;
  fetchLeverages: Call<Record<string, Raw>>;
  setLeverage: Call;
  setMarginMode: Call;
  fetchFundingRate: Call;
  fetchFundingRateHistory: Call<Raw[]>;
  fetchOHLCV: Call<unknown[]>;
}

/** CcxtVenue's plumbing, lent to these methods. */
export interface VenuePlumbing {
  call<T>(op: () => Promise<T>): Promise<T>;
  market(symbol: string): Promise<Market>;
  require(feature: VenueFeature): void;
}

export class CcxtDerivatives {
  constructor(
    private readonly client: DerivativesClient,
    private readonly venue: VenuePlumbing,
  ) {}

  async fetchPositions(symbols?: string[]): Promise<Position[]> {
    const v = this.venue;
    v.require("fetchPositions");
    for (const symbol of symbols ?? []) await v.market(symbol);
    const raw = (await v.call(() => this.client.fetchPositions(symbols))).filter(isOpen);
    let leverages: Leverages = {};
    if (raw.some((p) => p.leverage === undefined) && this.client.has.fetchLeverages === true) {
      const wanted = [...new Set(raw.map((p) => String(p.symbol)))];
      leverages = await v.call(() => this.client.fetchLeverages(wanted));
    }
    return raw.map((p) => {
      const side = p.side === "short" ? "short" : "long";
      return toPosition(p, leverageOf(leverages, String(p.symbol), side));
    });
  }

  async setLeverage(
    leverage: number,
    symbol: string,
  ): Promise<{ symbol: string; leverage: number }> {
    this.venue.require("setLeverage");
    await this.venue.market(symbol);
    await this.venue.call(() => this.client.setLeverage(leverage, symbol));
    return { symbol, leverage };
  }

  async setMarginMode(
    marginMode: MarginMode,
    symbol: string,
  ): Promise<{ symbol: string; marginMode: MarginMode }> {
    this.venue.require("setMarginMode");
    await this.venue.market(symbol);
    await this.venue.call(async () => {
      try {
        await this.client.setMarginMode(marginMode, symbol);
      } catch (err) {
        if (!isCcxtError(err, "MarginModeAlreadySet")) throw err;
      }
    });
    return { symbol, marginMode };
  }

  async fetchFundingRate(symbol: string): Promise<FundingRate> {
    this.venue.require("fetchFundingRate");
    await this.venue.market(symbol);
    return toFundingRate(await this.venue.call(() => this.client.fetchFundingRate(symbol)));
  }

  async fetchFundingRateHistory(
    symbol: string,
    since?: number,
    limit?: number,
  ): Promise<FundingRateHistory[]> {
    this.venue.require("fetchFundingRateHistory");
    await this.venue.market(symbol);
    const rows = await this.venue.call(() =>
      this.client.fetchFundingRateHistory(symbol, since, limit),
    );
    return rows.map(toFundingRateHistory);
  }

  async fetchMarkOHLCV(
    symbol: string,
    timeframe = "1m",
    since?: number,
    limit?: number,
  ): Promise<OHLCV[]> {
    this.venue.require("fetchMarkOHLCV");
    await this.venue.market(symbol);
    const rows = await this.venue.call(() =>
      this.client.fetchOHLCV(symbol, timeframe, since, limit, { price: "mark" }),
    );
    return rows.map(toOHLCV);
  }
}
