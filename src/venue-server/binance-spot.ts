/**
 * The simulator's market data in the shapes of Binance spot's public REST API (/api/v3/...): every
 * answer is read from the simulator at the moment of the request, so a client sees exactly what the
 * simulator holds. Prices and quantities stay the simulator's exact decimal strings; a market's id
 * is Binance's, base and quote run together (BTC/USDT → BTCUSDT).
 *
 * Only the venue's spot markets are listed here: its perpetual and delivery contracts are Binance
 * USDⓈ-M's, served under /fapi by binance-usdm.ts, as on Binance.
 *
 * What the simulator does not know is left out rather than made up (an absent field parses as
 * "unknown" in a client), except where Binance's shape needs a value: a depth's `lastUpdateId` is
 * the update id of the book state it shows, numbered as the diff depth stream numbers its updates
 * (ws/depth-book.ts); a kline's quote volume, trade count and taker volumes are zeros.
 */
import type { MarketConfig, VenueConfig } from "../sim/config/types.js";
import { parseTimeframe } from "../sim/ohlcv.js";
import type { Simulator } from "../sim/simulator.js";
import {
  illegalParameter,
  invalidInterval,
  invalidSymbol,
  mandatoryParameter,
} from "./binance-error.js";
import { rateLimitInterval } from "./request-weight.js";
import { DepthBooks } from "./ws/depth-book.js";

const DAY_MS = 86_400_000;
/** Binance's kline intervals that the simulator's timeframes can express (not 1M). */
export const INTERVALS: ReadonlySet<string> = new Set([
  "1s",
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
  "1w",
]);
export const ORDER_TYPES: Readonly<Record<string, string>> = {
  limit: "LIMIT",
  market: "MARKET",
  stop_market: "STOP_LOSS",
  stop_limit: "STOP_LOSS_LIMIT",
};
export const STP_MODES: Readonly<Record<string, string>> = {
  none: "NONE",
  expire_maker: "EXPIRE_MAKER",
  expire_taker: "EXPIRE_TAKER",
  expire_both: "EXPIRE_BOTH",
};

export type Query = URLSearchParams;

export class BinanceSpot {
  /** Binance market id → ccxt symbol, in the venue file's order. */
  private readonly symbols = new Map<string, string>();
  /** The books' update ids, shared with the depth streams. */
  readonly books: DepthBooks;

  constructor(
    private readonly config: VenueConfig,
    private readonly sim: Simulator,
  ) {
    for (const m of spotMarkets(config)) this.symbols.set(marketId(m.symbol), m.symbol);
    this.books = new DepthBooks(sim);
  }

  time(): { serverTime: number } {
    return { serverTime: Math.floor(this.sim.clock.now()) };
  }

  exchangeInfo(): object {
    const c = this.config;
    const orderTypes = c.orderTypes.flatMap((t) => ORDER_TYPES[t] ?? []);
    if (c.timeInForce.includes("PO") && c.orderTypes.includes("limit"))
      orderTypes.push("LIMIT_MAKER");
    return {
      timezone: "UTC",
      serverTime: Math.floor(this.sim.clock.now()),
      rateLimits: [
        {
          rateLimitType: "REQUEST_WEIGHT",
          ...rateLimitInterval(c.rateLimit.windowMs),
          limit: c.rateLimit.requests,
        },
      ],
      exchangeFilters: [],
      symbols: spotMarkets(c).map((m) => ({
        symbol: marketId(m.symbol),
        status: "TRADING",
        baseAsset: m.base,
        baseAssetPrecision: c.assets[m.base]?.decimals,
        quoteAsset: m.quote,
        quotePrecision: c.assets[m.quote]?.decimals,
        quoteAssetPrecision: c.assets[m.quote]?.decimals,
        orderTypes,
        icebergAllowed: false,
        ocoAllowed: false,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          {
            filterType: "PRICE_FILTER",
            minPrice: m.tickSize,
            maxPrice: m.maxPrice,
            tickSize: m.tickSize,
          },
          { filterType: "LOT_SIZE", minQty: m.minQty, maxQty: m.maxQty, stepSize: m.lotSize },
          { filterType: "NOTIONAL", minNotional: m.minNotional, applyMinToMarket: true },
        ],
        permissions: [],
        permissionSets: [["SPOT"]],
        defaultSelfTradePreventionMode: STP_MODES[c.selfTradePrevention],
        allowedSelfTradePreventionModes: [STP_MODES[c.selfTradePrevention]],
      })),
    };
  }

  /** One market's 24h statistics, or every market's without `symbol`. */
  ticker24hr(q: Query): object {
    const id = q.get("symbol");
    if (id !== null) return this.ticker(this.symbolOf(id));
    return [...this.symbols.values()].map((s) => this.ticker(s));
  }

  bookTicker(q: Query): object {
    const id = q.get("symbol");
    const one = (symbol: string) => {
      const { bids, asks } = this.sim.orderBook(symbol, 1);
      return {
        symbol: marketId(symbol),
        bidPrice: bids[0]?.[0],
        bidQty: bids[0]?.[1],
        askPrice: asks[0]?.[0],
        askQty: asks[0]?.[1],
      };
    };
    if (id !== null) return one(this.symbolOf(id));
    return [...this.symbols.values()].map(one);
  }

  depth(q: Query): object {
    const symbol = this.symbolOf(required(q, "symbol"));
    const limit = intParam(q, "limit", 100, 5000);
    return this.books.snapshot(symbol, limit);
  }

  klines(q: Query): unknown[] {
    return klineRows(this.sim, this.symbolOf(required(q, "symbol")), q);
  }

  trades(q: Query): object[] {
    const symbol = this.symbolOf(required(q, "symbol"));
    const limit = intParam(q, "limit", 500, 1000);
    return this.sim.trades(symbol, undefined, limit).map((t) => ({
      id: tradeId(t.id),
      price: t.price,
      qty: t.amount,
      time: t.timestamp,
      isBuyerMaker: t.side === "sell",
      isBestMatch: true,
    }));
  }

  /** Each trade is its own aggregate: the simulator's tape has one taker per print. */
  aggTrades(q: Query): object[] {
    return aggTradeRows(this.sim, this.symbolOf(required(q, "symbol")), q);
  }

  private ticker(symbol: string): object {
    const t = this.sim.ticker(symbol);
    const { bids, asks } = this.sim.orderBook(symbol, 1);
    return {
      symbol: marketId(symbol),
      priceChangePercent: t.percentage === undefined ? undefined : String(t.percentage),
      lastPrice: t.last,
      bidPrice: t.bid,
      bidQty: bids[0]?.[1],
      askPrice: t.ask,
      askQty: asks[0]?.[1],
      highPrice: t.high,
      lowPrice: t.low,
      volume: t.baseVolume,
      quoteVolume: t.quoteVolume,
      // A wall clock's now has fractions of a millisecond; Binance's times are whole.
      openTime: Math.floor(t.timestamp) - DAY_MS,
      closeTime: Math.floor(t.timestamp),
    };
  }

  /** The ccxt symbol of a Binance market id, or -1121. */
  symbolOf(id: string): string {
    const symbol = this.symbols.get(id);
    if (symbol === undefined) throw invalidSymbol();
    return symbol;
  }
}

/** The venue file's spot markets, in its order. */
export function spotMarkets(config: VenueConfig): MarketConfig[] {
  return Object.values(config.markets).filter((m) => m.kind === "spot");
}

/**
 * GET klines of `symbol`: spot and USDⓈ-M have the same parameters and rows; their most rows a
 * request may ask for differ (spot 1000, USDⓈ-M 1500).
 */
export function klineRows(sim: Simulator, symbol: string, q: Query, maxLimit = 1000): unknown[] {
  const interval = required(q, "interval");
  if (!INTERVALS.has(interval)) throw invalidInterval();
  const tf = parseTimeframe(interval);
  const limit = intParam(q, "limit", 500, maxLimit);
  const start = optionalInt(q, "startTime");
  const end = optionalInt(q, "endTime");
  const rows = sim.ohlcv(symbol, interval, start, limit);
  return rows
    .filter((r) => end === undefined || r[0] <= end)
    .map(([t, o, h, l, c, v]) => [
      t,
      String(o),
      String(h),
      String(l),
      String(c),
      String(v),
      t + tf - 1,
      // Quote volume, trade count and taker volumes: unknown to the simulator's candles.
      "0",
      0,
      "0",
      "0",
      "0",
    ]);
}

/** GET aggTrades of `symbol`: each trade is its own aggregate (one taker per print). */
export function aggTradeRows(sim: Simulator, symbol: string, q: Query): object[] {
  const limit = intParam(q, "limit", 500, 1000);
  const start = optionalInt(q, "startTime");
  const end = optionalInt(q, "endTime");
  return sim
    .trades(symbol, start, limit)
    .filter((t) => end === undefined || t.timestamp <= end)
    .map((t) => ({
      a: tradeId(t.id),
      p: t.price,
      q: t.amount,
      f: tradeId(t.id),
      l: tradeId(t.id),
      T: t.timestamp,
      m: t.side === "sell",
      M: true,
    }));
}

/** Binance's market id of a ccxt spot symbol: "BTC/USDT" → "BTCUSDT". */
export function marketId(symbol: string): string {
  return symbol.replace("/", "");
}

/** Binance's trade ids are numbers; the simulator's own fills keep their string ids. */
export function tradeId(id: string): number | string {
  return /^\d{1,15}$/.test(id) ? Number(id) : id;
}

export function required(q: Query, name: string): string {
  const value = q.get(name);
  if (value === null || value === "") throw mandatoryParameter(name);
  return value;
}

export function optionalInt(q: Query, name: string): number | undefined {
  const text = q.get(name);
  if (text === null) return undefined;
  if (!/^\d{1,20}$/.test(text)) throw illegalParameter(name);
  return Number(text);
}

export function intParam(q: Query, name: string, fallback: number, max: number): number {
  const n = optionalInt(q, name) ?? fallback;
  return Math.min(Math.max(n, 1), max);
}
