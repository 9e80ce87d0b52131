import { describe, expect, it } from "vitest";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { CandleFeed } from "../../src/sim/feed.js";
import { createSimulation } from "../../src/venues/sim/simulation.js";
import { flat, MINUTE, seriesOf, T0, venueWith } from "../sim/exchange-support.js";

describe("simulation - live clock", () => {
  it("simulation - on a wall clock at 600x, the data plays out in scaled real time and orders fill", async () => {
    const config = parseVenueConfig(
      venueWith(["latency: { fixedMs: 0, jitterMs: 0 }", "latency: { fixedMs: 20, jitterMs: 0 }"]),
      { file: "test.yaml", baseDir: "." },
    );
    const series = seriesOf(flat(100, 3));
    const s = await createSimulation(config, {
      clock: { speed: 600 },
      feeds: new Map([["BTC/USDT", new CandleFeed(series)]]),
    });
    const venue = s.venue("alice");
    const driver = s.start();
    const firstTick = await venue.watchTicker("BTC/USDT");
    expect(firstTick.last).toBe("100");
    const order = await venue.createOrder("BTC/USDT", "market", "buy", "1");
    expect(order).toMatchObject({ status: "closed", average: "100.1" });
    await driver.done;
    // Three one-minute candles: the last closes three simulated minutes after the start.
    expect(s.sim.market("BTC/USDT").feed.closedCount).toBe(3);
    expect(s.clock.now()).toBeGreaterThanOrEqual(T0 + 3 * MINUTE);
    await s.stop();
  });
});

describe("simulation - history before the start", () => {
  it("simulation - with speed max and historyMs, the virtual clock starts after the history, whose candles are already closed", async () => {
    const config = parseVenueConfig(venueWith(), { file: "test.yaml", baseDir: "." });
    const series = seriesOf(flat(100, 10));
    const s = await createSimulation(config, {
      clock: { speed: "max", historyMs: 6 * MINUTE },
      feeds: new Map([["BTC/USDT", new CandleFeed(series)]]),
    });
    expect(s.clock.now()).toBe(T0 + 6 * MINUTE);
    const venue = s.venue("alice");
    const candles = await s.settle(venue.fetchOHLCV("BTC/USDT", "1m"));
    expect(candles.length).toBeGreaterThanOrEqual(5);
    expect(candles.at(-1)![0]).toBeLessThan(T0 + 6 * MINUTE);
    await s.run();
    expect(s.sim.market("BTC/USDT").feed.closedCount).toBe(10);
    await s.stop();
  });
});
