/**
 * The whole system on the live path: Desk → CcxtVenue → the real ccxt binance (REST and ccxt pro's
 * WebSocket) → `crypy venue serve` → the simulator. A Trader warms up on the server's candles,
 * proposes, gets its Holder's mandate, and buys through the Desk; the fill the Desk reports is the
 * one the server's simulator made for that client order id; a halt leaves nothing open there.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CcxtVenue } from "../../src/venues/ccxt/ccxt-venue.js";
import { waitUntil } from "../support/wait.js";
import {
  type LiveSystem,
  type LiveVenue,
  liveSystem,
  liveVenue,
  named,
  openCcxt,
  SYMBOL,
} from "./harness.js";

let live: LiveVenue;
let venue: CcxtVenue;
let crypy: LiveSystem;

beforeAll(async () => {
  // 120 simulated seconds a second: a 1m candle closes every half second.
  live = await liveVenue({}, { speed: 120 });
  venue = await openCcxt(live);
  crypy = await liveSystem(venue);
});
afterAll(async () => {
  await crypy?.stop();
  await venue?.close();
  await live?.close();
});

describe("the system over CcxtVenue against crypy venue serve", () => {
  it("live path - proposal, mandate, order, fill, halt: the Desk's books agree with the server's", async () => {
    const events = crypy.events;
    await waitUntil(() => named(events, "order.filled").length > 0, "a fill at the Desk", 90_000);
    expect(named(events, "trader.proposed")).toHaveLength(1);
    expect(named(events, "holder.accepted")).toHaveLength(1);

    // The order the Desk placed is at the server, by the Desk's client order id, filled there.
    const placed = named(events, "order.placed")[0]!;
    const clientOrderId = placed.clientOrderId as string;
    expect(clientOrderId).toMatch(/^binance-main/);
    const atServer = live.simulation.sim.order("main", { clientOrderId });
    expect(atServer.side).toBe("buy");
    const filled = named(events, "order.filled")[0]!;
    expect(filled.id).toBe(atServer.id);
    await waitUntil(
      () => live.simulation.sim.order("main", { clientOrderId }).status !== "open",
      "the order closed at the server",
      10_000,
    );
    // The server's fills for that order: the Desk's average and quantity are theirs, exactly.
    const fills = live.simulation.sim
      .myTrades("main", SYMBOL)
      .filter((f) => f.orderId === atServer.id);
    expect(fills.length).toBeGreaterThan(0);
    await waitUntil(
      () =>
        named(events, "order.filled").at(-1)?.filled ===
        live.simulation.sim.order("main", { clientOrderId }).filled,
      "the Desk to see the whole fill",
      10_000,
    );

    // The Trader holds what the server says the account bought.
    await waitUntil(
      () => named(events, "trader.entered").length > 0,
      "the Trader in position",
      10_000,
    );
    const held = live.simulation.sim.balances("main").BTC?.total;
    expect(Number(held)).toBeGreaterThan(0);
    expect(named(events, "trader.entered")[0]!.amount).toBe(held);

    // The kill switch, through CcxtVenue's cancel of everything (binance cancels per market):
    // an order resting at the server is cancelled, and nothing is open there after it.
    const bid = Number(live.simulation.sim.orderBook(SYMBOL, 1).bids[0]![0]);
    await venue.createOrder(
      SYMBOL,
      "limit",
      "buy",
      "0.001",
      (Math.floor(bid / 2) + 0.01).toFixed(2),
      {
        clientOrderId: "resting-before-halt",
      },
    );
    expect(live.simulation.sim.openOrders("main")).toHaveLength(1);
    const { cancelled } = await crypy.system.desk.halt("test");
    expect(cancelled).toBe(1);
    await waitUntil(() => named(events, "desk.halted").length === 1, "desk.halted", 5_000);
    expect(live.simulation.sim.openOrders("main")).toEqual([]);
  }, 120_000);
});
