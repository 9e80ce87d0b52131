import { afterEach, describe, expect, it } from "vitest";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { names, startSystem, type TestSystem } from "./support.js";

let running: TestSystem | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("actors - a Trader's whole life on the real BTC/USDT data", () => {
  it("actors - spawn, evaluate, propose, accept, enter, exit, report, record", async () => {
    const bus = new LocalBus();
    const t = await startSystem(bus);
    running = t;
    await t.run(() => t.outcomes.length > 0);
    const seen = names(t.events);
    const order = [
      "trader.proposed",
      "holder.accepted",
      "order.placed",
      "order.filled",
      "trader.entered",
      "trader.exited",
      "trader.ended",
      "holder.recorded",
    ];
    const positions = order.map((e) => seen.indexOf(e));
    expect(
      positions.every((p) => p >= 0),
      `events: ${seen.join(", ")}`,
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const [outcome] = t.outcomes;
    expect(outcome).toMatchObject({ market: "BTC/USDT", strategy: "sma-cross", trades: 1 });
    // The position was really sold: no BTC left but dust under one lot, and the USDT balance
    // moved by the reported pnl.
    const balances = t.simulation.sim.balances("main");
    expect(Number(balances.BTC?.total)).toBeLessThan(0.00001);
    expect(Number(balances.USDT?.total) - 10_000).toBeCloseTo(outcome!.pnl, 2);
    const started = t.events.filter((e) => e.event === "actor.started").map((e) => e.actor);
    expect(started).toEqual(
      expect.arrayContaining(["sim-main", "sim-main_USDT", "sim-main_BTC-USDT"]),
    );
  });
});
