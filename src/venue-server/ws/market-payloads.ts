/**
 * Market stream payloads in Binance's documented shapes (web-socket-streams.md): single-letter
 * fields, decimals as strings, times as integer milliseconds of the simulated clock. As in the REST
 * answers (binance-spot.ts), what the simulator does not know is left out, except where a shape
 * needs a value: a kline's trade ids are -1 and its trade count and quote volumes zeros.
 */
import type { BookLevel, OHLCV, PublicTrade } from "../../domain/market-data.js";
import type { Simulator } from "../../sim/simulator.js";
import { marketId, tradeId } from "../binance-spot.js";

const DAY_MS = 86_400_000;

export function tradePayload(time: number, t: PublicTrade): object {
  return {
    e: "trade",
    E: Math.floor(time),
    s: marketId(t.symbol),
    t: tradeId(t.id),
    p: t.price,
    q: t.amount,
    T: Math.floor(t.timestamp),
    m: t.side === "sell",
    M: true,
  };
}

/** Each trade is its own aggregate, as in the REST aggTrades answer. */
export function aggTradePayload(time: number, t: PublicTrade): object {
  const id = tradeId(t.id);
  return {
    e: "aggTrade",
    E: Math.floor(time),
    s: marketId(t.symbol),
    a: id,
    p: t.price,
    q: t.amount,
    f: id,
    l: id,
    T: Math.floor(t.timestamp),
    m: t.side === "sell",
    M: true,
  };
}

/** One kline of `intervalMs`, `closed` when its last candle has closed. */
export function klinePayload(
  time: number,
  symbol: string,
  interval: string,
  intervalMs: number,
  row: OHLCV,
  closed: boolean,
): object {
  const [t, o, h, l, c, v] = row;
  const s = marketId(symbol);
  return {
    e: "kline",
    E: Math.floor(time),
    s,
    k: {
      t,
      T: t + intervalMs - 1,
      s,
      i: interval,
      f: -1,
      L: -1,
      o: String(o),
      c: String(c),
      h: String(h),
      l: String(l),
      v: String(v),
      n: 0,
      x: closed,
      q: "0",
      V: "0",
      Q: "0",
      B: "0",
    },
  };
}

export function depthUpdatePayload(
  time: number,
  symbol: string,
  first: number,
  last: number,
  bids: BookLevel[],
  asks: BookLevel[],
): object {
  return {
    e: "depthUpdate",
    E: Math.floor(time),
    s: marketId(symbol),
    U: first,
    u: last,
    b: bids,
    a: asks,
  };
}

/** Binance's bookTicker has no event type or time: `u` is the book's update id. */
export function bookTickerPayload(
  symbol: string,
  updateId: number,
  bid: BookLevel | undefined,
  ask: BookLevel | undefined,
): object {
  return {
    u: updateId,
    s: marketId(symbol),
    b: bid?.[0],
    B: bid?.[1],
    a: ask?.[0],
    A: ask?.[1],
  };
}

/** The 24h rolling mini ticker: last price, high, low and volume. */
export function miniTickerPayload(sim: Simulator, symbol: string): object {
  const t = sim.ticker(symbol);
  return {
    e: "24hrMiniTicker",
    E: Math.floor(t.timestamp),
    s: marketId(symbol),
    c: t.last,
    h: t.high,
    l: t.low,
    v: t.baseVolume,
    q: t.quoteVolume,
  };
}

/** The 24h rolling ticker: the REST ticker's facts in the stream's fields. */
export function tickerPayload(sim: Simulator, symbol: string): object {
  const t = sim.ticker(symbol);
  const { bids, asks } = sim.orderBook(symbol, 1);
  const now = Math.floor(t.timestamp);
  return {
    e: "24hrTicker",
    E: now,
    s: marketId(symbol),
    P: t.percentage === undefined ? undefined : String(t.percentage),
    c: t.last,
    b: t.bid,
    B: bids[0]?.[1],
    a: t.ask,
    A: asks[0]?.[1],
    h: t.high,
    l: t.low,
    v: t.baseVolume,
    q: t.quoteVolume,
    O: now - DAY_MS,
    C: now,
  };
}
