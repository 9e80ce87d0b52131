/**
 * Binance's market stream names, parsed: `<symbol>@trade`, `@aggTrade`, `@kline_<interval>`,
 * `@depth` and `@depth@100ms` (diff depth, 1000 ms or 100 ms), `@bookTicker`, `@ticker` and
 * `@miniTicker` (ccxt's watchTicker asks for the mini ticker). The symbol
 * is the market id in lowercase, as Binance requires ("btcusdt"). A name that is none of these, of
 * a market the venue does not list, or a kline interval finer than the market's candles (which the
 * simulator cannot split) is not a stream.
 */
import { parseTimeframe } from "../../sim/ohlcv.js";
import type { Simulator } from "../../sim/simulator.js";
import { INTERVALS, marketId } from "../binance-spot.js";

export type MarketStream =
  | { kind: "trade" | "aggTrade" | "bookTicker" | "ticker" | "miniTicker"; symbol: string }
  | { kind: "kline"; symbol: string; interval: string }
  | { kind: "depth"; symbol: string; speedMs: 100 | 1000 };

const NAME =
  /^([a-z0-9]{1,40})@(trade|aggTrade|bookTicker|ticker|miniTicker|kline_([0-9a-zA-Z]+)|depth(@100ms|@1000ms)?)$/;

export class StreamNames {
  /** Lowercase market id → ccxt symbol. */
  private readonly symbols = new Map<string, string>();

  constructor(private readonly sim: Simulator) {
    for (const symbol of sim.symbols) this.symbols.set(marketId(symbol).toLowerCase(), symbol);
  }

  /** The stream `name` denotes, or undefined if it denotes none. */
  parse(name: string): MarketStream | undefined {
    const m = NAME.exec(name);
    if (m === null) return undefined;
    const symbol = this.symbols.get(m[1]!);
    if (symbol === undefined) return undefined;
    const channel = m[2]!;
    if (m[3] !== undefined) {
      const interval = m[3];
      return this.klineExpressible(symbol, interval)
        ? { kind: "kline", symbol, interval }
        : undefined;
    }
    if (channel.startsWith("depth")) {
      return { kind: "depth", symbol, speedMs: m[4] === "@100ms" ? 100 : 1000 };
    }
    return {
      kind: channel as "trade" | "aggTrade" | "bookTicker" | "ticker" | "miniTicker",
      symbol,
    };
  }

  private klineExpressible(symbol: string, interval: string): boolean {
    if (!INTERVALS.has(interval)) return false;
    return parseTimeframe(interval) % this.sim.market(symbol).feed.candles.intervalMs === 0;
  }
}
