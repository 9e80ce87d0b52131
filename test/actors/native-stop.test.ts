/**
 * A Trader's stop loss held by the venue: placed through the Desk as a stop_market order once the
 * entry fills, it fires at the venue, and the Trader takes the fill as its exit and reports it.
 * Whole system on the real BTC/USDT candles, virtual clock.
 */
import { afterEach, describe, expect, it } from "vitest";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { deskReport } from "../../src/bus/subjects.js";
import type { Order } from "../../src/domain/order.js";
import { defineStrategy } from "../../src/strategy/strategy.js";
import { startSystem, type TestSystem } from "./support.js";

const TRADER = "sim-main_BTC-USDT";

let running: TestSystem | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** Enters long at once and never signals an exit: only its stop loss ends the trade. */
const holdForever = defineStrategy({
  name: "hold-forever",
  description: "enters long, never exits",
  params: {},
  warmup: () => 1,
  create: () => ({
    onCandle: (_c, ctx) => (ctx.inPosition ? undefined : { action: "enter", side: "long" }),
  }),
});

describe("trader - a native stop loss", () => {
  it("trader - the venue's stop order fires at the trigger, and the Trader exits on its fill and reports the quote it moved", async () => {
    const bus = new LocalBus();
    const orders: Order[] = [];
    bus.subscribe<{ order: Order }>(deskReport("sim-main", TRADER), (m) => {
      orders.push(m.order);
    });
    const t = await startSystem(bus, {
      strategy: holdForever,
      params: {},
      trader: { stopLossPct: 0.3 },
    });
    running = t;
    const usdt = async () => Number((await t.settle(t.venue.fetchBalance())).USDT?.total);
    const before = await usdt();
    await t.run(() => t.outcomes.length > 0);
    const placed = t.events.find((e) => e.event === "trader.stop_placed");
    expect(placed).toBeDefined();
    const exited = t.events.find((e) => e.event === "trader.exited");
    expect(exited).toMatchObject({ actor: TRADER, reason: "stop-loss" });
    // The position was closed by the stop order itself, at the venue, not by a market sell.
    const stop = orders.filter((o) => o.type === "stop_market").at(-1);
    expect(stop).toMatchObject({ side: "sell", status: "closed", stopPrice: placed?.trigger });
    const sells = t.events.filter(
      (e) => e.event === "order.placed" && e.trader === TRADER && e.side === "sell",
    );
    expect(sells.map((e) => e.type)).toEqual(["stop_market"]);
    // Fired at or below its trigger (a gap fills lower, never higher).
    expect(Number(stop?.average)).toBeLessThanOrEqual(Number(placed?.trigger) * 1.001);
    const outcome = t.outcomes[0]!;
    expect(outcome.trades).toBe(1);
    expect(Number(outcome.pnl)).toBeCloseTo((await usdt()) - before, 6);
  });
});
