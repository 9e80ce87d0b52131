import { describe, expect, it } from "vitest";
import { parseVenueConfig } from "../../../src/sim/config/index.js";
import { CandleFeed } from "../../../src/sim/feed.js";
import { createPaperVenue } from "../../../src/venues/paper/create.js";
import { createSimulation } from "../../../src/venues/sim/simulation.js";
import { type Bar, flat, MINUTE, seriesOf, T0, VENUE } from "../../sim/exchange-support.js";

const BTC = "BTC/USDT";

describe("PaperVenue - over a real SimVenue as the data venue", () => {
  it("paper - a market buy walks the SimVenue's book; a resting bid fills when its tape goes through it", async () => {
    // At 100 the makers quote asks 9.99 at 100.10 and 9.98 at 100.20; then the market falls to 99.50.
    const bars: Bar[] = [...flat(100, 2), ...flat(99.5, 2)];
    const config = parseVenueConfig(VENUE, { file: "test.yaml", baseDir: "." });
    const s = await createSimulation(config, {
      feeds: new Map([[BTC, new CandleFeed(seriesOf(bars))]]),
    });
    await s.run({ until: T0 });
    const data = s.venue("alice");
    const paper = await s.settle(
      createPaperVenue({ data, clock: s.clock, balances: { USDT: "20000" } }),
    );
    const book = await s.settle(paper.fetchOrderBook(BTC));
    expect(book.asks.slice(0, 2)).toEqual([
      ["100.1", "9.99"],
      ["100.2", "9.98"],
    ]);

    const order = await s.settle(paper.createOrder(BTC, "market", "buy", "12"));
    expect(order).toMatchObject({ status: "closed", filled: "12", cost: "1201.401" });
    expect((await s.settle(paper.fetchMyTrades(BTC))).map((f) => [f.price, f.amount])).toEqual([
      ["100.1", "9.99"],
      ["100.2", "2.01"],
    ]);
    // The paper fill never reached the data venue: its book and its account are as they were.
    expect((await s.settle(data.fetchOrderBook(BTC))).asks.slice(0, 2)).toEqual(
      book.asks.slice(0, 2),
    );
    expect((await s.settle(data.fetchBalance())).BTC?.total).toBe("10");

    const bid = await s.settle(paper.createOrder(BTC, "limit", "buy", "1", "99.8"));
    await s.run({ until: T0 + MINUTE + 30_000 });
    expect((await s.settle(paper.fetchOrder(bid.id))).status).toBe("open");
    await s.run({ until: T0 + 3 * MINUTE });
    expect(await s.settle(paper.fetchOrder(bid.id))).toMatchObject({
      status: "closed",
      average: "99.8",
      fee: { currency: "BTC", cost: "0.001" },
    });
    expect((await s.settle(paper.fetchBalance())).BTC?.total).toBe("12.975");
    await paper.close();
  });
});
