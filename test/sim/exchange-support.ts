/**
 * A small test venue with hand-written candles, so every price the market path visits is known.
 *
 * At a reference of 100.00 the makers quote asks at 100.10, 100.20, … and bids at 99.90, 99.80, …
 * (spread 20 bps, 10 bps between levels), 9.990 BTC at the best ask (1000 USDT of notional).
 */
import { buildSimulator } from "../../src/sim/build.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { CandleSeries } from "../../src/sim/data/index.js";
import { runVirtual } from "../../src/sim/driver.js";
import { CandleFeed } from "../../src/sim/feed.js";
import type { SimEvent, Simulator } from "../../src/sim/simulator.js";
import { VirtualClock } from "../../src/time/virtual-clock.js";

export const T0 = Date.UTC(2024, 0, 1);
export const MINUTE = 60_000;

export const VENUE = `name: test
seed: 7
assets:
  BTC: { decimals: 8 }
  USDT: { decimals: 8 }
fees: { maker: "0.001", taker: "0.002" }
orderTypes: [market, limit, stop_market, stop_limit]
selfTradePrevention: expire_maker
markets:
  BTC/USDT:
    tickSize: "0.01"
    lotSize: "0.001"
    minQty: "0.001"
    maxQty: "1000"
    minNotional: "1"
    data: { source: gbm, startPrice: "100", volatility: 0.5 }
accounts:
  alice: { USDT: "10000", BTC: "10" }
  bob: { USDT: "10000", BTC: "10" }
latency: { fixedMs: 0, jitterMs: 0 }
liquidity:
  spreadBps: 20
  levels: 5
  levelSpacingBps: 10
  levelNotional: "1000"
  depthGrowth: 1
  refreshMs: 60000
  fillRule: through
  inventory: { BTC: "1000", USDT: "1000000" }
`;

/** [open, high, low, close] (volume 10), one per minute from T0. */
export type Bar = [number, number, number, number];

export function flat(price: number, count = 1): Bar[] {
  return Array.from({ length: count }, () => [price, price, price, price] as Bar);
}

export interface TestSim {
  sim: Simulator;
  clock: VirtualClock;
  events: SimEvent[];
  /** Moves the market forward by `ms` of simulated time (path points and closes on the way). */
  advance(ms: number): Promise<void>;
  /** Runs until just after the `k`-th path point (0..3) of bar `i`. */
  at(i: number, k: number): Promise<void>;
}

/** Bars as one-minute candles from T0, volume `volume` each. */
export function seriesOf(bars: readonly Bar[], volume = 10): CandleSeries {
  return CandleSeries.from(
    bars.map(([open, high, low, close], i) => ({
      timestamp: T0 + i * MINUTE,
      open,
      high,
      low,
      close,
      volume,
    })),
    MINUTE,
  );
}

export function venueWith(...replacements: [string, string][]): string {
  let text = VENUE;
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`test venue has no ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  }
  return text;
}

export function makeSim(bars: Bar[], yaml = VENUE): TestSim {
  const config = parseVenueConfig(yaml, { file: "test.yaml", baseDir: "." });
  const series = seriesOf(bars);
  const feeds = new Map([["BTC/USDT", new CandleFeed(series)]]);
  const clock = new VirtualClock(T0);
  const events: SimEvent[] = [];
  const sim = buildSimulator(config, feeds, { clock, eventLog: (e) => void events.push(e) });
  const advance = (ms: number) => runVirtual(sim, clock, { until: clock.now() + ms });
  const at = (i: number, k: number) =>
    runVirtual(sim, clock, { until: T0 + i * MINUTE + k * (MINUTE / 4) });
  return { sim, clock, events, advance, at };
}

export function balance(sim: Simulator, account: string, asset: string) {
  const b = sim.balances(account)[asset]!;
  return { free: b.free, used: b.used };
}
