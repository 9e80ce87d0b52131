/**
 * Binance's market stream names, parsed. Spot: `<symbol>@trade`, `@aggTrade`, `@kline_<interval>`,
 * `@depth` and `@depth@100ms` (diff depth, 1000 ms or 100 ms), `@bookTicker`, `@ticker` and
 * `@miniTicker` (ccxt's watchTicker asks for the mini ticker). USDⓈ-M (`futures`): the same
 * names over the contracts' ids, where `@depth` is 250 ms (`@depth@100ms`, `@depth@500ms` too),
 * plus `@markPrice` (3 s) and `@markPrice@1s`, and `@forceOrder` (liquidation orders).
 *
 * The symbol is the market id in lowercase, as Binance requires ("btcusdt"). A name that is none
 * of these, of a market the dialect does not list, or a kline interval finer than the market's
 * candles (which the simulator cannot split) is not a stream.
 */
import { parseTimeframe } from "../../sim/ohlcv.js";
import type { Simulator } from "../../sim/simulator.js";
import { INTERVALS } from "../binance-spot.js";

export type MarketStream =
  | {
      kind: "trade" | "aggTrade" | "bookTicker" | "ticker" | "miniTicker" | "forceOrder";
      symbol: string;
    }
  | { kind: "kline"; symbol: string; interval: string }
  | { kind: "depth"; symbol: string; speedMs: 100 | 250 | 500 | 1000 }
  | { kind: "markPrice"; symbol: string; speedMs: 1000 | 3000 };

const NAME =
  /^([a-z0-9_]{1,40})@(trade|aggTrade|bookTicker|ticker|miniTicker|forceOrder|markPrice(@1s)?|kline_([0-9a-zA-Z]+)|depth(@100ms|@250ms|@500ms|@1000ms)?)$/;

const SPOT_SPEEDS: Readonly<Record<string, 100 | 1000>> = {
  "": 1000,
  "@100ms": 100,
  "@1000ms": 1000,
};
const FUTURES_SPEEDS: Readonly<Record<string, 100 | 250 | 500>> = {
  "": 250,
  "@100ms": 100,
  "@250ms": 250,
  "@500ms": 500,
};
const FUTURES_ONLY = new Set(["forceOrder", "markPrice"]);

export class StreamNames {
  /**
   * @param symbols lowercase market id → ccxt symbol, the markets this dialect streams
   * @param futures USDⓈ-M's names (contracts) rather than spot's
   */
  constructor(
    private readonly sim: Simulator,
    private readonly symbols: ReadonlyMap<string, string>,
    private readonly futures = false,
  ) {}

  /** The stream `name` denotes, or undefined if it denotes none. */
  parse(name: string): MarketStream | undefined {
    const m = NAME.exec(name);
    if (m === null) return undefined;
    const symbol = this.symbols.get(m[1]!);
    if (symbol === undefined) return undefined;
    const channel = m[2]!;
    if (m[4] !== undefined) {
      const interval = m[4];
      return this.klineExpressible(symbol, interval)
        ? { kind: "kline", symbol, interval }
        : undefined;
    }
    if (channel.startsWith("depth")) {
      const speedMs = (this.futures ? FUTURES_SPEEDS : SPOT_SPEEDS)[m[5] ?? ""];
      return speedMs === undefined ? undefined : { kind: "depth", symbol, speedMs };
    }
    const kind = channel.startsWith("markPrice") ? "markPrice" : channel;
    if (FUTURES_ONLY.has(kind) && !this.futures) return undefined;
    if (kind === "markPrice") return { kind, symbol, speedMs: m[3] === undefined ? 3000 : 1000 };
    return {
      kind: kind as "trade" | "aggTrade" | "bookTicker" | "ticker" | "miniTicker" | "forceOrder",
      symbol,
    };
  }

  private klineExpressible(symbol: string, interval: string): boolean {
    if (!INTERVALS.has(interval)) return false;
    return parseTimeframe(interval) % this.sim.market(symbol).feed.candles.intervalMs === 0;
  }
}
