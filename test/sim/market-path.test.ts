/**
 * The market path against several resting orders at once (src/sim/market-path.ts): the makers'
 * sweep stops at a price limit, so of the orders resting one tick apart it fills exactly those the
 * path went through (with the touch rule: reached), and the next one stays open.
 */
import { describe, expect, it } from "vitest";
import type { Simulator } from "../../src/sim/simulator.js";
import { type Bar, makeSim, venueWith } from "./exchange-support.js";

const BTC = "BTC/USDT";
// Three bids and three asks, one tick (0.01) apart, all resting at once.
const BIDS = ["99.5", "99.49", "99.48"];
const ASKS = ["100.5", "100.51", "100.52"];

interface Case {
  fillRule: "through" | "touch";
  /** The bar after the orders are placed: it visits its high, then its low. */
  bar: Bar;
  /** The prices of the orders that fill; every other one stays open. */
  fills: string[];
}

const CASES: Case[] = [
  // The path trades at 100.51 and 99.49: through 100.50 and 99.50, only touching the next ones.
  { fillRule: "through", bar: [100, 100.51, 99.49, 99.9], fills: ["99.5", "100.5"] },
  {
    fillRule: "touch",
    bar: [100, 100.51, 99.49, 99.9],
    fills: ["99.5", "99.49", "100.5", "100.51"],
  },
  // Between two ticks (100.505, 99.495) there is nothing to touch: both rules fill the same.
  { fillRule: "through", bar: [100, 100.505, 99.495, 99.9], fills: ["99.5", "100.5"] },
  { fillRule: "touch", bar: [100, 100.505, 99.495, 99.9], fills: ["99.5", "100.5"] },
];

function placeAll(sim: Simulator) {
  const place = (side: "buy" | "sell", price: string) =>
    sim.placeOrder("alice", { symbol: BTC, type: "limit", side, amount: "1", price });
  return [...BIDS.map((p) => place("buy", p)), ...ASKS.map((p) => place("sell", p))];
}

describe("sim - several resting orders and the market path", () => {
  for (const { fillRule, bar, fills } of CASES) {
    it(`sim - ${fillRule}, path ${bar[1]}/${bar[2]}: of orders one tick apart, exactly ${fills.join(", ")} fill, at their own prices`, async () => {
      const yaml = venueWith(["fillRule: through", `fillRule: ${fillRule}`]);
      const { sim, at } = makeSim([[100, 100, 100, 100], bar], yaml);
      await at(0, 0);
      const orders = placeAll(sim);
      expect(orders.map((o) => o.status)).toEqual(Array(orders.length).fill("open"));
      await at(1, 3);
      const after = orders.map((o) => sim.order("alice", { id: o.id }));
      expect(after.map((o) => [o.price, o.status])).toEqual(
        [...BIDS, ...ASKS].map((price) => [price, fills.includes(price) ? "closed" : "open"]),
      );
      for (const o of after.filter((o) => o.status === "closed")) {
        expect(o).toMatchObject({ filled: "1", average: o.price });
      }
      expect(sim.myTrades("alice").map((t) => [t.price, t.takerOrMaker])).toEqual(
        expect.arrayContaining(fills.map((price) => [price, "maker"])),
      );
      expect(sim.myTrades("alice")).toHaveLength(fills.length);
    });
  }

  it("sim - touch with queue position: a bid the path went through fills at once, the touched one waits for its queue", async () => {
    const yaml = venueWith(
      ["fillRule: through", "fillRule: touch\n  queuePosition: true"],
      ["spreadBps: 20", "spreadBps: 100"], // best maker bid at 99.50: 10.050 BTC displayed there
    );
    const touching: Bar[] = [[100, 100, 100, 100], ...Array(6).fill([99.5, 99.5, 99.5, 99.5])];
    const { sim, at } = makeSim(touching, yaml);
    await at(0, 0);
    const place = (price: string) =>
      sim.placeOrder("alice", { symbol: BTC, type: "limit", side: "buy", amount: "1", price });
    const better = place("99.51");
    const queued = place("99.5");
    const status = () => [better, queued].map((o) => sim.order("alice", { id: o.id }).status);
    // Each path point trades 10/4 = 2.5 BTC at 99.50: four touches use up the 10.05 BTC ahead.
    await at(1, 0);
    expect(status()).toEqual(["closed", "open"]);
    await at(1, 3);
    expect(status()).toEqual(["closed", "open"]);
    await at(2, 0);
    expect(status()).toEqual(["closed", "closed"]);
  });

  it("sim - touch with queue position: what trades past the queue fills the order, partly when it is less than the order", async () => {
    const yaml = venueWith(
      ["fillRule: through", "fillRule: touch\n  queuePosition: true"],
      ["spreadBps: 20", "spreadBps: 100"], // best maker bid at 99.50: 10.050 BTC displayed there
    );
    const touching: Bar[] = [[100, 100, 100, 100], ...Array(3).fill([99.5, 99.5, 99.5, 99.5])];
    const { sim, at } = makeSim(touching, yaml);
    await at(0, 0);
    const order = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "5",
      price: "99.5",
    });
    const state = () => {
      const o = sim.order("alice", { id: order.id });
      return [o.status, o.filled];
    };
    // Each path point trades 2.5 BTC at 99.50: four use up 10 of the 10.05 BTC ahead.
    await at(1, 3);
    expect(state()).toEqual(["open", "0"]);
    await at(2, 0); // 0.05 more of the queue, 2.45 past it
    expect(state()).toEqual(["open", "2.45"]);
    await at(2, 1);
    expect(state()).toEqual(["open", "4.95"]);
    await at(2, 2);
    expect(state()).toEqual(["closed", "5"]);
  });
});
