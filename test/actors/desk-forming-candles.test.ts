/**
 * A Desk on a venue that streams the forming candle's updates (ccxt pro, every real exchange)
 * publishes candle-1m as on the simulator: each candle once, closed, with its final values; its
 * seeded history leaves out the forming candle fetchOHLCV lists last.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DeskMarketData } from "../../src/actors/desk/market-data.js";
import { type FeedEnv, followMarket, seedMarket } from "../../src/actors/desk/market-feeds.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { marketData } from "../../src/bus/subjects.js";
import type { OHLCV, Ticker } from "../../src/domain/market-data.js";
import { createLogger } from "../../src/log/logger.js";
import { VirtualClock } from "../../src/time/virtual-clock.js";
import { BufferedWatch, LatestWatch } from "../../src/venues/sim/watch.js";
import { BTC, flush, ScriptedVenue } from "../venues/paper/scripted-venue.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 1, 12);
const at = (i: number, close: number): OHLCV => [T0 + i * MINUTE, 100, 110, 90, close, i + 1];

function deskOn(forming: boolean) {
  const candles = new BufferedWatch<OHLCV>();
  const venue = Object.assign(new ScriptedVenue(), {
    streamsFormingCandles: forming,
    // Three closed minutes and, on a forming venue, the one forming now (12:03, at 12:03:30).
    fetchOHLCV: async () => (forming ? [at(0, 1), at(1, 2), at(2, 3), at(3, 4)] : [at(0, 1)]),
    // The venue's time, 12:03:30, ahead of the Desk's own clock (a simulated venue may run so).
    fetchTicker: async (): Promise<Ticker> => ({
      symbol: BTC,
      timestamp: T0 + 3 * MINUTE + 30_000,
      last: "100",
    }),
    watchOHLCV: () => candles.next(),
    watchTicker: () => new LatestWatch<Ticker>().next(),
  });
  const bus = new LocalBus();
  const clock = new VirtualClock(T0);
  const data = new DeskMarketData(
    bus,
    "d",
    [BTC],
    100,
    () => {},
    async () => {
      throw new Error("no book here");
    },
  );
  let running = true;
  const env: FeedEnv = {
    venue,
    data,
    clock,
    log: createLogger({ level: "silent" }),
    running: () => running,
  };
  const got: Array<{ candle: OHLCV; seq: number }> = [];
  bus.subscribe<(typeof got)[number]>(marketData("d", BTC, "candle-1m"), (m) => void got.push(m));
  const push = async (...rows: OHLCV[]) => {
    candles.push(rows);
    await flush();
  };
  const stop = async () => {
    running = false;
    candles.close();
    await bus.close();
  };
  return { env, data, got, push, stop };
}

let stopping: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopping?.();
  stopping = undefined;
});

describe("desk - candles from a venue that streams forming ones", () => {
  it("desk - each candle published once it closed, with its final values; the forming one is not seeded as history", async () => {
    const d = deskOn(true);
    stopping = d.stop;
    await seedMarket(d.env, BTC, 100);
    expect(d.data.answer({ op: "candles", market: BTC })).toEqual([at(0, 1), at(1, 2), at(2, 3)]);
    followMarket(d.env, BTC, () => true);
    // The forming 12:03 candle's updates, then 12:04 opens.
    await d.push(at(3, 4));
    await d.push(at(3, 5));
    await d.push(at(3, 6));
    expect(d.got).toEqual([]);
    await d.push(at(4, 7));
    await d.push(at(4, 8), at(5, 9));
    expect(d.got).toEqual([
      { market: BTC, candle: at(3, 6), seq: 1 },
      { market: BTC, candle: at(4, 8), seq: 2 },
    ]);
    expect(d.data.answer({ op: "candles", market: BTC })).toEqual([
      at(0, 1),
      at(1, 2),
      at(2, 3),
      at(3, 6),
      at(4, 8),
    ]);
  });

  it("desk - from a venue whose candles come closed, each is published at once", async () => {
    const d = deskOn(false);
    stopping = d.stop;
    await seedMarket(d.env, BTC, 100);
    followMarket(d.env, BTC, () => true);
    await d.push(at(1, 2));
    await d.push(at(2, 3));
    expect(d.got.map((m) => m.candle)).toEqual([at(1, 2), at(2, 3)]);
  });
});
