import { afterEach, describe, expect, it } from "vitest";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { control } from "../../src/bus/subjects.js";
import { parseDecimal } from "../../src/domain/fixed.js";
import { asOperator } from "./commands/as-operator.js";
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
    // moved by exactly the reported pnl (a decimal string, to the last minor unit).
    const balances = t.simulation.sim.balances("main");
    expect(Number(balances.BTC?.total)).toBeLessThan(0.00001);
    const usdt = (text: string) => parseDecimal(text, 8);
    expect(usdt(balances.USDT!.total) - usdt("10000")).toBe(usdt(outcome!.pnl));
    const started = t.events.filter((e) => e.event === "actor.started").map((e) => e.actor);
    expect(started).toEqual(
      expect.arrayContaining(["sim-main", "sim-main_USDT", "sim-main_BTC-USDT"]),
    );
  });
});

describe("actors - a human's exit", () => {
  it("actors - 'exit' on a Trader's control subject sells its position and reports it as manual", async () => {
    const bus = new LocalBus();
    const t = await startSystem(bus);
    running = t;
    await t.run(() => t.events.some((e) => e.event === "trader.entered"));
    const trader = "sim-main_BTC-USDT";
    const position = await t.settle(
      bus.request<{ held: string }>(control(trader), { command: "position" }),
    );
    expect(Number(position.held)).toBeGreaterThan(0);
    await t.settle(bus.request(control(trader), asOperator(trader, { command: "exit" })));
    await t.run(() => t.outcomes.length > 0, 60_000);
    expect(t.events.find((e) => e.event === "trader.exited")).toMatchObject({
      actor: trader,
      reason: "manual (operator:test)",
    });
    expect(t.outcomes[0]).toMatchObject({ market: "BTC/USDT", trades: 1 });
    const btc = Number(t.simulation.sim.balances("main").BTC?.total);
    expect(btc).toBeLessThan(0.00001); // sold: dust under one lot at most
  });
});

describe("actors - when things go wrong", () => {
  it("actors - a refused proposal ends the Trader; the Holder respawns one that tries another candidate", async () => {
    const strategy = (await import("../../src/strategy/registry.js")).getStrategy("sma-cross");
    const { resolveParams } = await import("../../src/strategy/params.js");
    const candidates = [
      { strategy, params: resolveParams(strategy, { fast: 5, slow: 20 }) },
      { strategy, params: resolveParams(strategy, { fast: 10, slow: 50 }) },
    ];
    const strict = { minSharpe: 1e9, maxDrawdown: 0, minTrades: 1e9, minReturnOverBuyAndHold: 1e9 };
    const t = await startSystem(new LocalBus(), {
      holder: { criteria: strict },
      trader: { candidates },
    });
    running = t;
    await t.run(() => t.events.filter((e) => e.event === "holder.refused").length >= 2);
    const proposals = t.events
      .filter((e) => e.event === "trader.proposed")
      .map((e) => JSON.stringify(e.params));
    expect(proposals.length).toBeGreaterThanOrEqual(2);
    expect(proposals[1]).not.toBe(proposals[0]);
    const refused = t.events.find((e) => e.event === "holder.refused");
    expect(String(refused?.reason)).toMatch(/sharpe .* < 1000000000/);
    const ended = t.events.filter((e) => e.event === "trader.ended");
    expect(ended[0]).toMatchObject({ how: "refused" });
  });

  it("actors - a strategy that throws fails its Trader; the Holder sees it and the system carries on", async () => {
    const { defineStrategy } = await import("../../src/strategy/strategy.js");
    let calls = 0;
    const throwing = defineStrategy({
      name: "throws-live",
      description: "enters, then throws once in a position",
      params: {},
      warmup: () => 1,
      create: () => ({
        onCandle: (_c, ctx) => {
          calls++;
          // It throws as soon as it holds a position — in the Trader's evaluation backtests.
          if (ctx.inPosition) throw new Error("strategy bug");
          return { action: "enter", side: "long" };
        },
      }),
    });
    const t = await startSystem(new LocalBus(), { strategy: throwing, params: {} });
    running = t;
    await t.run(() => t.events.some((e) => e.event === "holder.trader_failed"));
    const failed = t.events.find((e) => e.event === "trader.failed");
    expect(failed).toMatchObject({ actor: "sim-main_BTC-USDT", error: "strategy bug" });
    expect(calls).toBeGreaterThan(0);
    expect(t.system.desk.state).toBe("active");
    // The system goes on: the Holder spawns a new Trader for the pair.
    const before = t.events.length;
    await t.run(() => t.events.slice(before).some((e) => e.event === "actor.started"));
    expect(
      t.events
        .slice(before)
        .some((e) => e.event === "actor.started" && e.actor === "sim-main_BTC-USDT"),
    ).toBe(true);
  });

  it("actors - a Trader whose plan cannot be made fails as a Trader; the Holder tries again later", async () => {
    let plans = 0;
    const t = await startSystem(new LocalBus(), {
      holder: {
        traderPlan: async () => {
          plans++;
          throw new Error("templates unreadable");
        },
      },
    });
    running = t;
    await t.run(() => plans >= 2);
    expect(t.events.find((e) => e.event === "holder.trader_failed")).toMatchObject({
      actor: "sim-main_USDT",
      market: "BTC/USDT",
      error: "templates unreadable",
    });
    expect(t.system.desk.state).toBe("active");
  });
});
