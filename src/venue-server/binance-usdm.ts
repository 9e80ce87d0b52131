/**
 * The simulator's perpetual and delivery contracts in the shapes of Binance USDⓈ-M Futures' public
 * REST API (/fapi/v1/...), the endpoints ccxt's `binanceusdm` reads: exchangeInfo, 24h ticker,
 * book ticker, depth, klines, trades, aggTrades, premiumIndex (mark, index, funding), the funding
 * rate history and mark-price klines.
 *
 * Rules:
 * - Every answer is read from the simulator at the moment of the request; prices, quantities and
 *   rates are its exact decimal strings.
 * - A contract's id is Binance's: base and quote run together for a perpetual (BTCUSDT), with
 *   `_YYMMDD` of its delivery for a delivery contract (BTCUSDT_250328) — the ids SimVenue's
 *   markets carry (venues/sim/market-view.ts). Spot markets are not listed here (binance-spot.ts).
 * - A perpetual's contractType is PERPETUAL with Binance's far-future deliveryDate; a pair's
 *   delivery contracts are CURRENT_QUARTER then NEXT_QUARTER in order of expiry.
 * - `lastFundingRate` is the rate the next funding will use from the premium sampled so far, as
 *   Binance's premiumIndex gives it (ccxt reads it as `fundingRate` due at `nextFundingTime`).
 * - What the simulator does not keep is left out rather than made up: a funding history entry has
 *   no mark price; a mark kline has no volume (zeros, as Binance's mark klines have).
 */
import { formatDecimal } from "../domain/fixed.js";
import type { MarketConfig, VenueConfig } from "../sim/config/types.js";
import { formatRate } from "../sim/derivatives/rate.js";
import { parseTimeframe } from "../sim/ohlcv.js";
import { candleUnits, type MarkAndFunding } from "../sim/perp/mark-funding.js";
import type { Simulator } from "../sim/simulator.js";
import { invalidInterval, invalidSymbol } from "./binance-error.js";
import {
  aggTradeRows,
  INTERVALS,
  intParam,
  klineRows,
  optionalInt,
  type Query,
  required,
  tradeId,
} from "./binance-spot.js";
import { rateLimitInterval } from "./request-weight.js";
import type { DepthBooks } from "./ws/depth-book.js";

/** Binance's deliveryDate of a perpetual (ccxt reads it as "no expiry"). */
const PERPETUAL_DELIVERY = 4133404800000;
const DAY_MS = 86_400_000;
/** Binance's time in force names of the venue file's. */
const TIME_IN_FORCE: Readonly<Record<string, string>> = {
  GTC: "GTC",
  IOC: "IOC",
  FOK: "FOK",
  PO: "GTX",
};

/** The venue file's contract markets, in its order. */
export function contractMarkets(config: VenueConfig): MarketConfig[] {
  return Object.values(config.markets).filter((m) => m.contract !== undefined);
}

/** Binance's id of a contract: BTCUSDT (perpetual), BTCUSDT_250328 (delivery). */
export function contractId(m: MarketConfig): string {
  const pair = `${m.base}${m.quote}`;
  return m.kind === "delivery" ? `${pair}_${m.symbol.slice(-6)}` : pair;
}

function places(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

export class BinanceUsdm {
  /** Binance contract id → the venue file's market. */
  private readonly byId = new Map<string, MarketConfig>();

  constructor(
    private readonly config: VenueConfig,
    private readonly sim: Simulator,
    private readonly books: DepthBooks,
  ) {
    for (const m of contractMarkets(config)) this.byId.set(contractId(m), m);
  }

  time(): { serverTime: number } {
    return { serverTime: Math.floor(this.sim.clock.now()) };
  }

  exchangeInfo(): object {
    const c = this.config;
    const markets = [...this.byId.entries()];
    const settles = [...new Set(markets.map(([, m]) => m.contract!.spec.settle))];
    const orderTypes = c.orderTypes.flatMap((t) =>
      t === "limit" ? ["LIMIT"] : t === "market" ? ["MARKET"] : [],
    );
    return {
      timezone: "UTC",
      serverTime: Math.floor(this.sim.clock.now()),
      futuresType: "U_MARGINED",
      rateLimits: [
        {
          rateLimitType: "REQUEST_WEIGHT",
          ...rateLimitInterval(c.rateLimit.windowMs),
          limit: c.rateLimit.requests,
        },
      ],
      exchangeFilters: [],
      assets: settles.map((asset) => ({ asset, marginAvailable: true, autoAssetExchange: "0" })),
      symbols: markets.map(([id, m]) => {
        const spec = m.contract!.spec;
        return {
          symbol: id,
          pair: `${m.base}${m.quote}`,
          contractType: this.contractType(m),
          deliveryDate: spec.expiry ?? PERPETUAL_DELIVERY,
          onboardDate: c.startMs,
          status: "TRADING",
          baseAsset: m.base,
          quoteAsset: m.quote,
          marginAsset: spec.settle,
          pricePrecision: places(m.tickSize),
          quantityPrecision: places(m.lotSize),
          baseAssetPrecision: c.assets[m.base]?.decimals,
          quotePrecision: c.assets[m.quote]?.decimals,
          underlyingType: "COIN",
          settlePlan: 0,
          liquidationFee: formatRate(m.contract!.liquidationFeeRate),
          // Not a Binance field (its USDⓈ-M contracts are all one base unit): ccxt reads it, so a
          // venue file's other contract size reaches the client.
          ...(m.contract!.contractSize === "1" ? {} : { contractSize: m.contract!.contractSize }),
          filters: [
            {
              filterType: "PRICE_FILTER",
              minPrice: m.tickSize,
              maxPrice: m.maxPrice,
              tickSize: m.tickSize,
            },
            { filterType: "LOT_SIZE", minQty: m.minQty, maxQty: m.maxQty, stepSize: m.lotSize },
            {
              filterType: "MARKET_LOT_SIZE",
              minQty: m.minQty,
              maxQty: m.maxQty,
              stepSize: m.lotSize,
            },
            { filterType: "MIN_NOTIONAL", notional: m.minNotional },
          ],
          orderTypes,
          timeInForce: c.timeInForce.flatMap((t) => TIME_IN_FORCE[t] ?? []),
        };
      }),
    };
  }

  /** A pair's delivery contracts in order of expiry: the first is the current quarter. */
  private contractType(m: MarketConfig): string {
    if (m.kind !== "delivery") return "PERPETUAL";
    const expiries = [...this.byId.values()]
      .filter((o) => o.kind === "delivery" && o.base === m.base && o.quote === m.quote)
      .map((o) => o.contract!.spec.expiry ?? 0)
      .sort((a, b) => a - b);
    return expiries.indexOf(m.contract!.spec.expiry ?? 0) === 0
      ? "CURRENT_QUARTER"
      : "NEXT_QUARTER";
  }

  ticker24hr(q: Query): object {
    return this.oneOrAll(q, (symbol, id) => {
      const t = this.sim.ticker(symbol);
      return {
        symbol: id,
        priceChangePercent: t.percentage === undefined ? undefined : String(t.percentage),
        lastPrice: t.last,
        highPrice: t.high,
        lowPrice: t.low,
        volume: t.baseVolume,
        quoteVolume: t.quoteVolume,
        openTime: Math.floor(t.timestamp) - DAY_MS,
        closeTime: Math.floor(t.timestamp),
      };
    });
  }

  bookTicker(q: Query): object {
    return this.oneOrAll(q, (symbol, id) => {
      const { bids, asks } = this.sim.orderBook(symbol, 1);
      return {
        symbol: id,
        bidPrice: bids[0]?.[0],
        bidQty: bids[0]?.[1],
        askPrice: asks[0]?.[0],
        askQty: asks[0]?.[1],
        time: Math.floor(this.sim.clock.now()),
      };
    });
  }

  depth(q: Query): object {
    const symbol = this.symbolOf(required(q, "symbol"));
    const now = Math.floor(this.sim.clock.now());
    return { ...this.books.snapshot(symbol, intParam(q, "limit", 500, 1000)), E: now, T: now };
  }

  klines(q: Query): unknown[] {
    return klineRows(this.sim, this.symbolOf(required(q, "symbol")), q, 1500);
  }

  trades(q: Query): object[] {
    const symbol = this.symbolOf(required(q, "symbol"));
    return this.sim.trades(symbol, undefined, intParam(q, "limit", 500, 1000)).map((t) => ({
      id: tradeId(t.id),
      price: t.price,
      qty: t.amount,
      time: t.timestamp,
      isBuyerMaker: t.side === "sell",
    }));
  }

  aggTrades(q: Query): object[] {
    return aggTradeRows(this.sim, this.symbolOf(required(q, "symbol")), q);
  }

  /** GET /fapi/v1/premiumIndex: mark, index and funding of one contract, or of every one. */
  premiumIndex(q: Query): object {
    return this.oneOrAll(q, (symbol, id) => {
      const m = this.byId.get(id)!;
      const state = this.state(symbol);
      const scale = m.contract!.spec.tick.scale;
      const now = Math.floor(this.sim.clock.now());
      const mark = formatDecimal(this.sim.derivatives.mark(symbol), scale);
      const index = state.index === undefined ? mark : formatDecimal(state.index, scale);
      if (state.funding === undefined) {
        // A delivery contract pays no funding: Binance answers an empty rate and time 0.
        return {
          symbol: id,
          markPrice: mark,
          indexPrice: index,
          lastFundingRate: "",
          interestRate: "",
          nextFundingTime: 0,
          time: now,
        };
      }
      const rate = this.sim.derivatives.fundingRate(symbol, now);
      return {
        symbol: id,
        markPrice: rate.markPrice,
        indexPrice: rate.indexPrice,
        lastFundingRate: rate.fundingRate,
        interestRate: rate.interestRate,
        nextFundingTime: rate.fundingTimestamp,
        time: now,
      };
    });
  }

  /** GET /fapi/v1/fundingRate: settled fundings, oldest first (default 100, at most 1000). */
  fundingRate(q: Query): object[] {
    const id = q.get("symbol");
    const markets =
      id === null ? this.markets.filter((m) => m.kind === "perpetual") : [this.marketOf(id)];
    const start = optionalInt(q, "startTime");
    const end = optionalInt(q, "endTime");
    const limit = intParam(q, "limit", 100, 1000);
    const rows = markets
      .flatMap((m) =>
        this.state(m.symbol).history.map((h) => ({
          symbol: contractId(m),
          fundingRate: formatRate(h.rate),
          fundingTime: h.time,
        })),
      )
      .filter(
        (r) =>
          (start === undefined || r.fundingTime >= start) &&
          (end === undefined || r.fundingTime <= end),
      )
      .sort((a, b) => a.fundingTime - b.fundingTime);
    // Binance: from startTime forward when it is given, else the latest.
    return start === undefined ? rows.slice(-limit) : rows.slice(0, limit);
  }

  /**
   * GET /fapi/v1/markPriceKlines: the simulator keeps the mark in one-minute candles; a longer
   * interval is their aggregate (open of the first, high, low, close of the last).
   */
  markPriceKlines(q: Query): unknown[] {
    const symbol = this.symbolOf(required(q, "symbol"));
    const interval = required(q, "interval");
    if (!INTERVALS.has(interval) || interval === "1s") throw invalidInterval();
    const tf = parseTimeframe(interval);
    const limit = intParam(q, "limit", 500, 1500);
    const start = optionalInt(q, "startTime");
    const end = optionalInt(q, "endTime");
    const scale = this.sim.market(symbol).instrument.contract!.tick.scale;
    const rows: Array<[number, bigint, bigint, bigint, bigint]> = [];
    for (const candle of this.state(symbol).candles) {
      const [t] = candle;
      const [o, h, l, c] = [candle[1], candle[2], candle[3], candle[4]].map(candleUnits) as [
        bigint,
        bigint,
        bigint,
        bigint,
      ];
      const open = t - (t % tf);
      const last = rows[rows.length - 1];
      if (last !== undefined && last[0] === open) {
        if (h > last[2]) last[2] = h;
        if (l < last[3]) last[3] = l;
        last[4] = c;
      } else rows.push([open, o, h, l, c]);
    }
    const chosen = rows.filter(
      (r) => (start === undefined || r[0] + tf > start) && (end === undefined || r[0] <= end),
    );
    const price = (u: bigint) => formatDecimal(u, scale);
    return (start === undefined ? chosen.slice(-limit) : chosen.slice(0, limit)).map(
      ([t, o, h, l, c]) => [
        t,
        price(o),
        price(h),
        price(l),
        price(c),
        "0",
        t + tf - 1,
        "0",
        0,
        "0",
        "0",
        "0",
      ],
    );
  }

  /** The venue file's market of a Binance contract id, or -1121. */
  marketOf(id: string): MarketConfig {
    const m = this.byId.get(id);
    if (m === undefined) throw invalidSymbol();
    return m;
  }

  /** The ccxt symbol of a Binance contract id, or -1121. */
  symbolOf(id: string): string {
    return this.marketOf(id).symbol;
  }

  /** Every contract market, in the venue file's order. */
  get markets(): MarketConfig[] {
    return [...this.byId.values()];
  }

  private state(symbol: string): MarkAndFunding {
    return this.sim.derivatives.states.get(symbol)!;
  }

  private oneOrAll(q: Query, one: (symbol: string, id: string) => object): object {
    const id = q.get("symbol");
    if (id !== null) return one(this.symbolOf(id), id);
    return [...this.byId.entries()].map(([i, m]) => one(m.symbol, i));
  }
}
