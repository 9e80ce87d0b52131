/**
 * A Desk watching a perpetual publishes its mark price and funding on the market data subjects
 * (crypy.md.<desk>.<market>.mark and .funding), read from the venue's funding rate structure: the
 * mark at each reading, the funding whenever it moved, and each settlement once.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { deskCache, marketData } from "../../src/bus/subjects.js";
import type { FundingRate } from "../../src/domain/derivatives.js";
import { type LoneDesk, loneDesk } from "./desk-harness.js";

const PERP = "BTC/USDT:USDT";
const VENUE = readFileSync(new URL("../../venues/sim-perp.yaml", import.meta.url), "utf8");

let running: LoneDesk | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

interface MarkMessage {
  market: string;
  mark: { markPrice: string; indexPrice: string; timestamp: number };
  seq: number;
}
interface FundingMessage {
  market: string;
  funding: FundingRate;
  seq: number;
}

describe("desk - mark and funding of a contract market on the bus", () => {
  it("desk - a perpetual's mark each second and each funding settlement once, as the venue states them", async () => {
    // 12 h of generated path: past the 08:00 UTC funding (the venue file starts at 00:00).
    const d = await loneDesk(VENUE, { watch: [PERP, "BTC/USDT"], syntheticMs: 12 * 3_600_000 });
    running = d;
    const marks: MarkMessage[] = [];
    const fundings: FundingMessage[] = [];
    d.bus.subscribe<MarkMessage>(marketData("sim-main", PERP, "mark"), (m) => void marks.push(m));
    d.bus.subscribe<FundingMessage>(
      marketData("sim-main", PERP, "funding"),
      (m) => void fundings.push(m),
    );
    // No mark for a spot market.
    const spotMarks: unknown[] = [];
    d.bus.subscribe(marketData("sim-main", "BTC/USDT", "mark"), (m) => void spotMarks.push(m));
    const venue = d.simulation.venue("main");
    // Through the next funding time (every 8 h from 00:00 UTC).
    const next = (await d.settle(venue.fetchFundingRate!(PERP))).fundingTimestamp;
    // The simulator settles at its first path point from then on (within a minute).
    await d.advance(next - d.simulation.clock.now() + 90_000);

    expect(marks.length).toBeGreaterThan(60);
    expect(marks.map((m) => m.seq)).toEqual(marks.map((_, i) => marks[0]!.seq + i));
    // A mark a second (plus the venue's round trip, 20-60 ms in sim-perp.yaml).
    const last = marks.at(-1)!;
    expect(last.market).toBe(PERP);
    expect(last.mark.timestamp - marks.at(-61)!.mark.timestamp).toBeGreaterThanOrEqual(60_000);
    expect(last.mark.timestamp - marks.at(-61)!.mark.timestamp).toBeLessThan(64_000);
    expect(spotMarks).toEqual([]);

    // The settlement at `next` was published once, with the rate the venue's history holds.
    const settled = fundings.filter((f) => f.funding.previousFundingTimestamp === next);
    expect(settled).toHaveLength(1);
    const history = await d.settle(venue.fetchFundingRateHistory!(PERP, next, 10));
    expect(history[0]).toMatchObject({ timestamp: next });
    expect(settled[0]!.funding.previousFundingRate).toBe(history[0]!.fundingRate);
    // Fewer funding messages than marks: only changes go out.
    expect(fundings.length).toBeLessThan(marks.length);
    expect(fundings.map((f) => f.seq)).toEqual(fundings.map((_, i) => fundings[0]!.seq + i));

    // The cache answers the last reading.
    const cached = await d.settle(
      d.bus.request<FundingRate>(deskCache("sim-main"), { op: "funding", market: PERP }),
    );
    expect(cached.symbol).toBe(PERP);
    expect(cached.previousFundingTimestamp).toBe(next);
    expect(last.mark).toEqual({
      markPrice: cached.markPrice,
      indexPrice: cached.indexPrice,
      timestamp: cached.timestamp,
    });
  }, 60_000);
});
