/**
 * Candle replay end to end: a venue whose BTC/USDT market replays the real Binance.US file, run by
 * createSimulation on its virtual clock and read back through a SimVenue; and the no-look-ahead rule
 * (a consumer that sees candle t close can only trade on candle t+1's path).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { OHLCV } from "../../src/domain/market-data.js";
import type { Order } from "../../src/domain/order.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import type { VenueConfig } from "../../src/sim/config/types.js";
import { CandleSeries, loadCandles } from "../../src/sim/data/index.js";
import { CandleFeed } from "../../src/sim/feed.js";
import { createSimulation } from "../../src/venues/sim/simulation.js";
import { pathPriceAt, units } from "./support/simulation.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
const FILE = "binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz";
const BTC = "BTC/USDT";
const MINUTE = 60_000;
const ONE_WAY_MS = 3;
const SPREAD_BPS = 2;

/** A one-market venue replaying `data` for BTC/USDT, with a 3 ms one-way latency and no jitter. */
function venueYaml(data: string): string {
  return `name: replay
seed: 11
assets:
  BTC: { decimals: 8 }
  USDT: { decimals: 8 }
fees: { maker: "0.001", taker: "0.001" }
markets:
  BTC/USDT:
    tickSize: "0.01"
    lotSize: "0.00001"
    minQty: "0.00001"
    maxQty: "9000"
    minNotional: "5"
    data: ${data}
accounts:
  main: { USDT: "100000" }
latency: { fixedMs: ${ONE_WAY_MS}, jitterMs: 0 }
liquidity:
  spreadBps: ${SPREAD_BPS}
  levelNotional: "50000"
  inventory: { BTC: "10000", USDT: "500000000" }
`;
}

/** Every candle of the file as fetchOHLCV serves them. */
function rows(series: CandleSeries): OHLCV[] {
  return series
    .toCandles()
    .map((c) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume] as OHLCV);
}

/** `price` is within the spread of `reference`: what a small market buy at that moment pays. */
function expectBoughtNear(price: number, reference: number): void {
  expect(price).toBeGreaterThan(reference);
  expect(price - reference).toBeLessThanOrEqual((reference * SPREAD_BPS) / 10_000);
}

/** Counts calls to `target`'s methods from now on (wrapping them on the instance). */
function countCalls(target: object): { calls: number } {
  const counter = { calls: 0 };
  const methods = target as Record<string, unknown>;
  const proto = Object.getPrototypeOf(target) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const method = methods[name];
    if (name === "constructor" || typeof method !== "function") continue;
    methods[name] = (...args: unknown[]) => {
      counter.calls++;
      return (method as (...a: unknown[]) => unknown).apply(target, args);
    };
  }
  return counter;
}

describe("candle replay - the real BTC/USDT file through the whole simulator", () => {
  let config: VenueConfig;
  let file: CandleSeries;

  beforeAll(async () => {
    config = parseVenueConfig(venueYaml(`{ source: candles, file: ${FILE} }`), {
      file: "test/sim/replay.test.ts (venue)",
      baseDir: FIXTURES,
    });
    file = await loadCandles(join(FIXTURES, FILE));
    expect(file.length).toBe(30_240);
  });

  it("replay - after the whole file, fetchOHLCV returns its candles and the ticker its last close", async () => {
    const s = await createSimulation(config);
    const venue = s.venue("main");
    expect(s.clock.now()).toBe(file.startMs);
    await s.run();
    expect(s.clock.now()).toBe(file.endMs);

    const served: OHLCV[] = [];
    for (let since = file.startMs; ; ) {
      const page = await s.settle(venue.fetchOHLCV(BTC, "1m", since, 1_000));
      if (page.length === 0) break;
      served.push(...page);
      since = page[page.length - 1]![0] + MINUTE;
    }
    expect(served.length).toBe(30_240);
    expect(served[0]).toEqual(rows(file.slice(0, 1))[0]);
    expect(served.at(-1)).toEqual(rows(file.slice(-1))[0]);
    expect(served).toEqual(rows(file));

    const ticker = await s.settle(venue.fetchTicker(BTC));
    const lastClose = file.close[file.length - 1]!;
    expect(ticker.last).toBeDefined();
    expect(units(ticker.last!, 2)).toBe(BigInt(Math.round(lastClose * 100)));
    expect(Number(ticker.last)).toBe(lastClose);
    await s.stop();
  });

  it("replay - a market buy mid-replay fills within the spread of that moment's price, balances move by cost and fee", async () => {
    const s = await createSimulation(config);
    const venue = s.venue("main");
    const makers = countCalls(s.sim.market(BTC).liquidity);
    // Ten days in, 7 s into a minute: between the candle's open and its next path point.
    await s.run({ until: file.startMs + 10 * 1_440 * MINUTE + 7_000 });
    expect(s.sim.market(BTC).feed.closedCount).toBe(10 * 1_440);
    // The liquidity model costs nothing until an order needs the book.
    expect(makers.calls).toBe(0);

    const before = await s.settle(venue.fetchBalance());
    const order = await s.settle(venue.createOrder(BTC, "market", "buy", "0.01"));
    const after = await s.settle(venue.fetchBalance());
    const [fill, ...more] = await s.settle(venue.fetchMyTrades(BTC));

    expect(order.status).toBe("closed");
    expect(order.filled).toBe("0.01");
    expect(more).toEqual([]);
    // The order reached the venue one hop after it was sent; the market was then where the file's
    // path had last been.
    expect(fill!.timestamp).toBe(order.timestamp);
    const reference = pathPriceAt(file, fill!.timestamp);
    expectBoughtNear(Number(order.average), reference);

    expect(order.fee?.currency).toBe("BTC");
    const fee = units(order.fee!.cost);
    expect(fee).toBeGreaterThan(0n);
    expect(units(after.USDT!.total)).toBe(units(before.USDT!.total) - units(order.cost));
    expect(units(after.BTC?.total ?? "0")).toBe(
      units(before.BTC?.total ?? "0") + units(order.filled) - fee,
    );
    expect(after.USDT!.used).toBe("0");
    expect(makers.calls).toBeGreaterThan(0);
    await s.stop();
  });
});

describe("candle replay - no look-ahead", () => {
  /**
   * Minute candles whose every open gaps 5% above the previous close: a fill priced from candle
   * t's close and one priced from candle t+1's open are 5% apart, far wider than the spread.
   */
  function gappedSeries(count: number, start: number): CandleSeries {
    const candles = [];
    let open = 20_000;
    for (let i = 0; i < count; i++) {
      const close = open + 10;
      candles.push({
        timestamp: start + i * MINUTE,
        open,
        high: close + 5,
        low: open - 5,
        close,
        volume: 3,
      });
      open = Math.round(close * 1.05 * 100) / 100;
    }
    return CandleSeries.from(candles, MINUTE);
  }

  it("replay - a consumer that buys on seeing candle t close fills at candle t+1's open, not t's close", async () => {
    const start = Date.UTC(2024, 0, 1);
    const series = gappedSeries(12, start);
    const config = parseVenueConfig(
      venueYaml("{ source: gbm, startPrice: '20000', volatility: 0.5 }"),
      {
        file: "test/sim/replay.test.ts (gapped venue)",
        baseDir: FIXTURES,
      },
    );
    const s = await createSimulation(config, { feeds: new Map([[BTC, new CandleFeed(series)]]) });
    const venue = s.venue("main");

    // The consumer: on each candle it sees close, a market buy. Candles arrive one hop after they
    // close; the order reaches the venue one more hop later.
    const seen: OHLCV[] = [];
    const orders: Promise<Order>[] = [];
    let watching = true;
    const consume = (async () => {
      while (watching) {
        const candles = await venue.watchOHLCV(BTC);
        for (const candle of candles) {
          seen.push(candle);
          if (seen.length < series.length)
            orders.push(venue.createOrder(BTC, "market", "buy", "0.01"));
        }
      }
    })().catch(() => undefined);

    await s.run({ until: series.endMs + MINUTE });
    watching = false;
    await s.stop();
    await consume;

    expect(seen.map((c) => c[0])).toEqual(series.toCandles().map((c) => c.timestamp));
    const filled = await Promise.all(orders);
    expect(filled.length).toBe(series.length - 1);
    for (const [t, order] of filled.entries()) {
      const closeT = series.close[t]!;
      const nextOpen = series.open[t + 1]!;
      expect(order.status).toBe("closed");
      // Sent when candle t was seen (its close + one hop), arrived one hop later: inside candle
      // t+1's first quarter, whose only path point so far is its open.
      expect(order.timestamp).toBe(series.time[t]! + MINUTE + 2 * ONE_WAY_MS);
      expectBoughtNear(Number(order.average), nextOpen);
      expect(Math.abs(Number(order.average) - closeT)).toBeGreaterThan(closeT * 0.04);
    }
  });
});
