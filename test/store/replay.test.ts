import { describe, expect, it } from "vitest";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { CandleSeries } from "../../src/store/candle-series.js";
import { replayCandles } from "../../src/store/replay.js";

const series = CandleSeries.from(
  [0, 1, 2].map((i) => ({
    timestamp: 60_000 * i,
    open: 10 + i,
    high: 11 + i,
    low: 9 + i,
    close: 10.5 + i,
    volume: 1,
  })),
  60_000,
);

describe("replay - recorded candles at a speed", () => {
  it("replay - at speed 60 each candle waits for its close on a clock 60 times the wall's; max waits for nothing", async () => {
    const bus = new LocalBus();
    const waits: number[] = [];
    let paused = 0;
    const sleep = async (ms: number) => {
      waits.push(ms);
      paused += ms;
    };
    const got: number[] = [];
    bus.subscribe<{ seq: number }>("crypy.md.replay-kraken.BTC-USD.candle-1m", (m) => {
      got.push(m.seq);
    });
    const realNow = Date.now;
    const start = realNow();
    // The wall clock moves only by what the replay slept.
    Date.now = () => start + paused;
    try {
      const sent = await replayCandles(bus, series, {
        venue: "kraken",
        market: "BTC/USD",
        timeframe: "1m",
        speed: 60,
        sleep,
      });
      expect(sent).toBe(3);
    } finally {
      Date.now = realNow;
    }
    // Closes at 1, 2 and 3 simulated minutes: 1, 2 and 3 wall seconds from the start.
    expect(waits).toEqual([1_000, 1_000, 1_000]);
    await bus.flush();
    expect(got).toEqual([1, 2, 3]);
    const none: number[] = [];
    await replayCandles(bus, series, {
      venue: "kraken",
      market: "BTC/USD",
      timeframe: "1m",
      speed: "max",
      sleep: async (ms) => void none.push(ms),
    });
    expect(none).toEqual([]);
    await expect(
      replayCandles(bus, series, { venue: "k", market: "BTC/USD", timeframe: "1m", speed: 0 }),
    ).rejects.toThrow(/--speed must be a positive number or max/);
  });
});
