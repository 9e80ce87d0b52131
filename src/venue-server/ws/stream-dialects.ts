/**
 * The two market stream dialects the venue server speaks over the same simulator: Binance spot
 * (the spot markets, at /ws and /stream) and Binance USDⓈ-M (the contracts, at /public/ws,
 * /market/ws and their /stream forms, where ccxt's binanceusdm connects). A dialect names its
 * markets and shapes each payload; market-streams.ts decides when payloads go.
 *
 * USDⓈ-M differs from spot where Binance's docs say it does: contract ids (BTCUSDT,
 * BTCUSDT_240329) in `s`; a diff depth event carries `pu`, the previous event's `u` (here
 * U - 1: each update of depth-book.ts has the next id, so the event before ended there, whether
 * or not it reached the client), and `T`, the transaction time; aggTrade has no `M`; and the
 * mark price and liquidation order streams exist.
 */
import type { BookLevel, OHLCV, PublicTrade } from "../../domain/market-data.js";
import type { VenueConfig } from "../../sim/config/types.js";
import type { LiquidationRecord } from "../../sim/perp/liquidation.js";
import { marketId, spotMarkets } from "../binance-spot.js";
import { type BinanceUsdm, contractId, contractMarkets } from "../binance-usdm.js";
import {
  aggTradePayload,
  bookTickerPayload,
  depthUpdatePayload,
  klinePayload,
  tradePayload,
} from "./market-payloads.js";

export interface StreamDialect {
  /** USDⓈ-M's (mark price and liquidation streams, `pu` in depth events) rather than spot's. */
  readonly futures: boolean;
  /** Lowercase market id → ccxt symbol, for every market the dialect streams. */
  readonly symbols: ReadonlyMap<string, string>;
  /** The lowercase id of `symbol` in stream names; undefined if the dialect does not list it. */
  idOf(symbol: string): string | undefined;
  trade(now: number, t: PublicTrade): object;
  aggTrade(now: number, t: PublicTrade): object;
  kline(
    now: number,
    symbol: string,
    interval: string,
    intervalMs: number,
    row: OHLCV,
    closed: boolean,
  ): object;
  depth(
    now: number,
    symbol: string,
    first: number,
    last: number,
    bids: BookLevel[],
    asks: BookLevel[],
  ): object;
  bookTicker(symbol: string, id: number, bid?: BookLevel, ask?: BookLevel): object;
  markPrice(now: number, symbol: string): object | undefined;
  forceOrder(now: number, l: LiquidationRecord): object | undefined;
}

function idMaps(pairs: [string, string][]) {
  const symbols = new Map(pairs.map(([symbol, id]) => [id.toLowerCase(), symbol] as const));
  const ids = new Map(pairs.map(([symbol, id]) => [symbol, id.toLowerCase()] as const));
  return { symbols, idOf: (symbol: string) => ids.get(symbol) };
}

export function spotDialect(config: VenueConfig): StreamDialect {
  const { symbols, idOf } = idMaps(spotMarkets(config).map((m) => [m.symbol, marketId(m.symbol)]));
  return {
    futures: false,
    symbols,
    idOf,
    trade: tradePayload,
    aggTrade: aggTradePayload,
    kline: klinePayload,
    depth: depthUpdatePayload,
    bookTicker: bookTickerPayload,
    markPrice: () => undefined,
    forceOrder: () => undefined,
  };
}

export function futuresDialect(config: VenueConfig, usdm: BinanceUsdm): StreamDialect {
  const markets = contractMarkets(config);
  const wire = new Map(markets.map((m) => [m.symbol, contractId(m)]));
  const { symbols, idOf } = idMaps([...wire]);
  const s = (symbol: string) => wire.get(symbol)!;
  return {
    futures: true,
    symbols,
    idOf,
    trade: (now, t) => {
      const { M: _, ...payload } = tradePayload(now, t) as { M: boolean };
      return { ...payload, s: s(t.symbol) };
    },
    aggTrade: (now, t) => {
      const { M: _, ...payload } = aggTradePayload(now, t) as { M: boolean };
      return { ...payload, s: s(t.symbol) };
    },
    kline: (now, symbol, interval, intervalMs, row, closed) => {
      const p = klinePayload(now, symbol, interval, intervalMs, row, closed) as { k: object };
      return { ...p, s: s(symbol), k: { ...p.k, s: s(symbol) } };
    },
    depth: (now, symbol, first, last, bids, asks) => ({
      e: "depthUpdate",
      E: Math.floor(now),
      T: Math.floor(now),
      s: s(symbol),
      U: first,
      u: last,
      pu: first - 1,
      b: bids,
      a: asks,
    }),
    bookTicker: (symbol, id, bid, ask) => ({
      ...bookTickerPayload(symbol, id, bid, ask),
      s: s(symbol),
    }),
    markPrice: (now, symbol) => {
      const index = usdm.premiumIndex(new URLSearchParams({ symbol: s(symbol) })) as {
        markPrice: string;
        indexPrice: string;
        lastFundingRate: string;
        nextFundingTime: number;
      };
      return {
        e: "markPriceUpdate",
        E: Math.floor(now),
        s: s(symbol),
        p: index.markPrice,
        i: index.indexPrice,
        // The estimated settle price matters only in the last hour before delivery: the mark.
        P: index.markPrice,
        r: index.lastFundingRate,
        T: index.nextFundingTime,
      };
    },
    forceOrder: (now, l) => forceOrderPayload(now, s(l.symbol), l),
  };
}

/**
 * A liquidation as Binance's forceOrder stream tells it: the order the engine sent to close the
 * position (a long's is a SELL), at the bankruptcy price, with what it filled in the book.
 */
function forceOrderPayload(now: number, id: string, l: LiquidationRecord): object {
  const long = !l.qty.startsWith("-");
  const qty = long ? l.qty : l.qty.slice(1);
  const last = l.closed.at(-1);
  return {
    e: "forceOrder",
    E: Math.floor(now),
    o: {
      s: id,
      S: long ? "SELL" : "BUY",
      o: "LIMIT",
      f: "IOC",
      q: qty,
      p: l.bankruptcyPrice,
      ap: last?.price ?? l.markPrice,
      X: "FILLED",
      l: last?.qty ?? qty,
      z: qty,
      T: Math.floor(l.time),
    },
  };
}
