/**
 * A Desk never consumes replayed data: it fills its cache from its own venue's streams only, and
 * replayed events (source replay-<venue>) for the very market it trades, at absurd prices, leave its
 * candles, book and ticker untouched. The Desk's market data does not depend on its venue's mode,
 * so this holds for a live or sandbox venue as for the simulated one here.
 */
import { afterAll, describe, expect, it } from "vitest";
import { deskCache } from "../../src/bus/subjects.js";
import type { OHLCV } from "../../src/domain/market-data.js";
import { type ReplayMessage, replayStreams } from "../../src/store/replay-streams.js";
import { gbmVenue, type LoneDesk, loneDesk } from "./desk-harness.js";

let d: LoneDesk | undefined;
afterAll(async () => {
  await d?.stop();
});

/** Replayed events for BTC/USDT under `source`, priced at 1 and 2 where the market is at ~42000. */
async function* absurd(source: string, now: number): AsyncGenerator<ReplayMessage> {
  const md = (kind: string) => `crypy.md.${source}.BTC-USDT.${kind}`;
  for (let i = 0; i < 5; i++) {
    const time = now - 5 * 60_000 + i * 60_000;
    yield {
      time,
      subject: md("candle-1m"),
      body: { market: "BTC/USDT", candle: [time, 1, 1, 1, 1, 1] },
    };
  }
  yield {
    time: now,
    subject: md("book"),
    body: {
      market: "BTC/USDT",
      snapshot: { sequence: 1, time: now, bids: [["1", "100"]], asks: [["2", "100"]] },
    },
  };
  yield {
    time: now,
    subject: md("trade"),
    body: {
      market: "BTC/USDT",
      trades: [
        { id: "1", timestamp: now, symbol: "BTC/USDT", side: "buy", price: "1", amount: "1" },
      ],
    },
  };
}

describe("desk - replayed data never reaches a Desk", () => {
  it("desk - replay-<venue> candles, books and trades of its market leave its cache as its venue made it", async () => {
    d = await loneDesk(gbmVenue(11), { watch: ["BTC/USDT"] });
    await d.advance(10 * 60_000);
    const ask = <T>(request: unknown) =>
      d!.settle(d!.bus.request<T>(deskCache("sim-main"), request));
    const now = d.simulation.clock.now();
    const counts = await replayStreams(
      d.bus,
      [absurd("replay-sim", now), absurd("replay-sim-main", now)],
      { speed: "max" },
    );
    expect(counts.sent).toBe(14);
    await d.advance(2 * 60_000);
    const candles = await ask<OHLCV[]>({ op: "candles", market: "BTC/USDT", limit: 10 });
    expect(candles.length).toBeGreaterThan(5);
    for (const c of candles) expect(c[4]).toBeGreaterThan(1_000);
    const book = await ask<{ bids: [string, string][]; asks: [string, string][] }>({
      op: "book",
      market: "BTC/USDT",
      limit: 5,
    });
    expect(Number(book.bids[0]![0])).toBeGreaterThan(1_000);
    expect(Number(book.asks[0]![0])).toBeGreaterThan(1_000);
    const ticker = await ask<{ last?: string; bid?: string }>({ op: "ticker", market: "BTC/USDT" });
    expect(Number(ticker.last ?? ticker.bid)).toBeGreaterThan(1_000);
  });
});
