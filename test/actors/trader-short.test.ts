/**
 * A Trader on a perpetual goes short when its strategy says so and declares it, with its Holder's
 * leave: the Holder signs a mandate bounded to the strategy's leverage, the Trader sells to open
 * at that leverage, buys back reduceOnly to exit, and reports the realised result, which is
 * exactly what its orders moved in the account's settle currency. Whole system, simulated
 * venue (venues/sim-perp.yaml), virtual clock.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { deskReport } from "../../src/bus/subjects.js";
import type { Order } from "../../src/domain/order.js";
import { defineStrategy } from "../../src/strategy/strategy.js";
import { startSystem, type TestSystem } from "./support.js";

const PERP = "BTC/USDT:USDT";
const TRADER = "sim-perp-main_BTC-USDT-PERP";
const VENUE = readFileSync(new URL("../../venues/sim-perp.yaml", import.meta.url), "utf8");

let running: TestSystem | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** Shorts at its first live chance and covers five candles later. */
const shortThenCover = defineStrategy({
  name: "short-then-cover",
  description: "enters short, exits after five candles",
  params: {},
  needs: { short: true, leverage: 3 },
  warmup: () => 1,
  create: () => {
    let held = 0;
    return {
      onCandle: (_c, ctx) => {
        if (!ctx.inPosition) {
          held = 0;
          return { action: "enter", side: "short" };
        }
        return ++held >= 5 ? { action: "exit" } : undefined;
      },
    };
  },
});

describe("trader - a short on a perpetual", () => {
  it("trader - sells to open at the strategy's leverage under a mandate bounded to it, covers reduceOnly, and reports what the account's USDT moved", async () => {
    const bus = new LocalBus();
    const orders: Order[] = [];
    const t = await startSystem(bus, {
      venueYaml: VENUE,
      watch: [PERP],
      strategy: shortThenCover,
      params: {},
      holder: { pairs: [PERP], may: { short: true, leverage: 5 } },
    });
    running = t;
    bus.subscribe<{ order: Order }>(deskReport(t.system.desk.id, TRADER), (m) => {
      orders.push(m.order);
    });
    const usdt = async () => Number((await t.settle(t.venue.fetchBalance())).USDT?.total);
    const before = await usdt();
    await t.run(() => t.outcomes.length > 0, 6 * 3_600_000);
    const outcome = t.outcomes[0]!;
    expect(outcome).toMatchObject({ trader: TRADER, market: PERP, trades: 1 });

    const entered = t.events.find((e) => e.event === "trader.entered" && e.actor === TRADER);
    expect(entered).toMatchObject({ side: "short" });
    const accepted = t.events.find((e) => e.event === "holder.accepted");
    // The allocation is margin: the short is worth up to 3× it (at 1x the mandate, bounded to
    // the allocation, could not have covered it).
    const allocation = Number(accepted?.allocation);
    const placed = t.events.filter((e) => e.event === "order.placed" && e.trader === TRADER);
    expect(placed.map((e) => e.side)).toEqual(["sell", "buy"]);
    const [open, cover] = [orders.find((o) => o.side === "sell"), orders.at(-1)];
    expect(open?.reduceOnly).toBe(false);
    expect(cover).toMatchObject({ side: "buy", reduceOnly: true, status: "closed" });
    expect(cover?.filled).toBe(open?.filled);
    const notional = Number(open?.cost);
    expect(notional).toBeGreaterThan(allocation * 2.5);
    expect(notional).toBeLessThanOrEqual(allocation * 3);

    // The report is the account's money: sold, bought back, fees — and funding if one fell between.
    const after = await usdt();
    expect(Number(outcome.pnl)).toBeCloseTo(after - before, 8);
    const fees = Number(open?.fee?.cost) + Number(cover?.fee?.cost);
    expect(Number(outcome.pnl)).toBeCloseTo(Number(open?.cost) - Number(cover?.cost) - fees, 8);
    // No position is left at the venue.
    expect(await t.settle(t.venue.fetchPositions!([PERP]))).toEqual([]);
  });
});
