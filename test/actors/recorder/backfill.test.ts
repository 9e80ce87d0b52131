/**
 * A Recorder on the simulator whose venue file drops every connection for two minutes: once the
 * streams are back, the trades and 1m candles missed meanwhile are fetched over REST and
 * published once (feed.backfilled), so the recording has every trade and every minute.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { Recorder } from "../../../src/actors/recorder/recorder.js";
import { LocalBus } from "../../../src/bus/local/local-bus.js";
import { allActorEvents, marketData } from "../../../src/bus/subjects.js";
import type { OHLCV, PublicTrade } from "../../../src/domain/market-data.js";
import { createLogger } from "../../../src/log/logger.js";
import { parseVenueConfig } from "../../../src/sim/config/index.js";
import { createSimulation } from "../../../src/venues/sim/simulation.js";
import { simSettling } from "../../support/sim-settle.js";

const MARKET = "BTC/USDT";
const MINUTE = 60_000;
const DOWN_AT = 10 * MINUTE;
const DOWN_FOR = 2 * MINUTE;
const VENUE = readFileSync(new URL("../../../venues/sim.yaml", import.meta.url), "utf8").replace(
  /^ {2}disconnects: \[\]$/m,
  `  disconnects: [{ afterMs: ${DOWN_AT}, durationMs: ${DOWN_FOR} }]`,
);

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe("recorder - REST backfill after a reconnect", () => {
  it("recorder - trades and candles missed during a disconnect are fetched and published once", async () => {
    expect(VENUE).toContain(`afterMs: ${DOWN_AT}`);
    const simulation = await createSimulation(
      parseVenueConfig(VENUE, { file: "sim.yaml", baseDir: "." }),
    );
    const bus = new LocalBus();
    const events: Array<Record<string, unknown>> = [];
    bus.subscribe<Record<string, unknown>>(allActorEvents(), (e) => void events.push(e));
    const venue = simulation.venue("main");
    const recorder = new Recorder(
      {
        id: "recorder",
        sources: [{ name: "sim", venue }],
        markets: [MARKET],
        kinds: ["trades", "candles"],
      },
      { bus, clock: simulation.clock, log: createLogger({ level: "silent" }), heartbeatMs: 0 },
    );
    const trades: PublicTrade[] = [];
    const candles = new Map<number, OHLCV>();
    const candleOpens: number[] = [];
    const candleSeqs: number[] = [];
    bus.subscribe<{ trades: PublicTrade[] }>(marketData("sim", MARKET, "trade"), (m) => {
      trades.push(...m.trades);
    });
    bus.subscribe<{ candle: OHLCV; seq: number }>(marketData("sim", MARKET, "candle-1m"), (m) => {
      candles.set(m.candle[0], m.candle);
      candleOpens.push(m.candle[0]);
      candleSeqs.push(m.seq);
    });
    const { settle, advance } = simSettling(simulation, bus);
    const start = simulation.clock.now();
    await settle(recorder.start());
    stop = async () => {
      await recorder.stop();
      await simulation.stop();
    };
    await advance(20 * MINUTE);

    expect(events.some((e) => e.event === "feed.reconnect")).toBe(true);
    const filled = events.filter((e) => e.event === "feed.backfilled");
    expect(filled).toContainEqual(expect.objectContaining({ kind: "trades" }));
    expect(filled).toContainEqual(expect.objectContaining({ kind: "candles" }));
    for (const e of filled) {
      expect(e.count as number).toBeGreaterThan(0);
      // From the last value seen before the break (the sim streams a candle once closed).
      expect(e.from as number).toBeGreaterThanOrEqual(start + DOWN_AT - 2 * MINUTE);
      expect(e.to as number).toBeLessThanOrEqual(start + DOWN_AT + DOWN_FOR + MINUTE);
    }

    // Every trade of the venue's tape from the first recorded to the last, each once.
    const ids = trades.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    const first = trades[0]!.timestamp;
    const last = Math.max(...trades.map((t) => t.timestamp));
    const tape = await settle(venue.fetchTrades(MARKET, first, 1_000));
    expect(ids.slice().sort()).toEqual(
      tape
        .filter((t) => t.timestamp <= last)
        .map((t) => t.id)
        .sort(),
    );
    const during = trades.filter(
      (t) => t.timestamp >= start + DOWN_AT && t.timestamp < start + DOWN_AT + DOWN_FOR,
    );
    expect(during.length).toBeGreaterThan(3);

    // Every minute from the first candle to the last, each once, in time order, numbered one by
    // one across the break (no false gap for a subscriber), at the venue's closed values.
    const opens = [...candles.keys()].sort((a, b) => a - b);
    expect(opens).toEqual(opens.map((_, i) => opens[0]! + i * MINUTE));
    expect(candleOpens).toEqual(opens);
    expect(candleSeqs).toEqual(candleSeqs.map((_, i) => i + 1));
    const closed = await settle(venue.fetchOHLCV(MARKET, "1m", opens[0], 1_000));
    for (const c of closed.filter((c) => c[0] <= opens.at(-1)!))
      expect(candles.get(c[0]), new Date(c[0]).toISOString()).toEqual(c);
  });
});
