/**
 * A Recorder following two venues at once — the simulator's spot venue and its perpetual venue,
 * each a SimVenue behind the same Venue interface a real exchange's CcxtVenue has — publishes each
 * stream on crypy.md.<venue>.<market>.<kind>, numbered without a gap.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { Recorder, type RecordKind } from "../../../src/actors/recorder/recorder.js";
import { LocalBus } from "../../../src/bus/local/local-bus.js";
import { allActorEvents, control, marketData } from "../../../src/bus/subjects.js";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { createLogger } from "../../../src/log/logger.js";
import { parseVenueConfig } from "../../../src/sim/config/index.js";
import { createSimulation, type Simulation } from "../../../src/venues/sim/simulation.js";
import { simSettling } from "../../support/sim-settle.js";

const PERP = "BTC/USDT:USDT";
const VENUE = readFileSync(new URL("../../../venues/sim-perp.yaml", import.meta.url), "utf8");

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function recording(kinds: RecordKind[]) {
  const simulation: Simulation = await createSimulation(
    parseVenueConfig(VENUE, { file: "sim-perp.yaml", baseDir: "." }),
  );
  const bus = new LocalBus();
  const events: Array<Record<string, unknown>> = [];
  bus.subscribe<Record<string, unknown>>(allActorEvents(), (e) => void events.push(e));
  const recorder = new Recorder(
    {
      id: "recorder",
      sources: [{ name: "sim-perp", venue: simulation.venue("main") }],
      markets: ["BTC/USDT", PERP],
      kinds,
    },
    { bus, clock: simulation.clock, log: createLogger({ level: "silent" }), heartbeatMs: 0 },
  );
  const { settle, advance } = simSettling(simulation, bus);
  await settle(recorder.start());
  stop = async () => {
    await recorder.stop();
    await simulation.stop();
  };
  return { simulation, bus, recorder, events, settle, advance };
}

describe("recorder - venues' market data onto the bus", () => {
  it("recorder - trades, candles, tickers, marks and funding, each stream numbered from 1 without a gap; mark only for the perpetual", async () => {
    const r = await recording(["trades", "candles", "ticker", "mark", "funding"]);
    const seen = new Map<string, number[]>();
    for (const market of ["BTC/USDT", PERP]) {
      for (const kind of ["trade", "candle-1m", "ticker", "mark", "funding"] as const) {
        const subject = marketData("sim-perp", market, kind);
        seen.set(subject, []);
        r.bus.subscribe<{ seq: number; market: string }>(subject, (m) => {
          expect(m.market).toBe(market);
          seen.get(subject)!.push(m.seq);
        });
      }
    }
    await r.advance(5 * 60_000);
    const of = (market: string, kind: string) =>
      seen.get(marketData("sim-perp", market, kind as "trade"))!;
    for (const market of ["BTC/USDT", PERP]) {
      for (const kind of ["candle-1m", "ticker"]) {
        const seqs = of(market, kind);
        expect(seqs.length, `${market} ${kind}`).toBeGreaterThan(3);
        // Numbered from where the test started listening, one by one.
        expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
      }
    }
    expect(of(PERP, "mark").length).toBeGreaterThan(200); // once a second
    expect(of("BTC/USDT", "mark")).toEqual([]);
    expect(r.events.filter((e) => e.event === "recorder.kind_unsupported")).toEqual([
      expect.objectContaining({ market: "BTC/USDT", kind: "mark" }),
      expect.objectContaining({ market: "BTC/USDT", kind: "funding" }),
    ]);
    const status = await r.settle(
      r.bus.request<{ streams: Array<{ market: string; kind: string; seq: number }> }>(
        control("recorder"),
        { command: "status" },
      ),
    );
    expect(status.streams.map((s) => `${s.market} ${s.kind}`).sort()).toEqual(
      [
        "BTC/USDT candles",
        "BTC/USDT ticker",
        "BTC/USDT trades",
        `${PERP} candles`,
        `${PERP} funding`,
        `${PERP} mark`,
        `${PERP} ticker`,
        `${PERP} trades`,
      ].sort(),
    );
    for (const s of status.streams.filter((s) => s.kind !== "trades"))
      expect(s.seq, `${s.market} ${s.kind}`).toBeGreaterThan(0);
  });

  it("recorder - a market no source lists is refused by name; untrack stops its streams", async () => {
    const r = await recording(["ticker"]);
    await expect(r.settle(r.recorder.track("DOGE/USDT"))).rejects.toThrow(InvalidInputError);
    await expect(r.settle(r.recorder.track("DOGE/USDT"))).rejects.toThrow(
      /no source lists DOGE\/USDT \(sources: sim-perp\)/,
    );
    const tickers: number[] = [];
    r.bus.subscribe<{ seq: number }>(marketData("sim-perp", "BTC/USDT", "ticker"), (m) => {
      tickers.push(m.seq);
    });
    await r.advance(120_000);
    expect(tickers.length).toBeGreaterThan(0);
    expect(await r.recorder.untrack("BTC/USDT")).toEqual({ tracking: [PERP] });
    const count = tickers.length;
    await r.advance(120_000);
    expect(tickers.length).toBeLessThanOrEqual(count + 1); // at most the one already on its way
  });
});
