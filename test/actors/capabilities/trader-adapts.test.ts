/**
 * Capabilities through a whole system on the real BTC/USDT candles and a virtual clock: the Desk
 * publishes its venue's, the Holder narrows them, the Trader adapts — a monitored stop at the same
 * trigger when the venue file switches stop orders off, and a strategy that needs shorting dropped.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Capabilities } from "../../../src/actors/capabilities/index.js";
import { LocalBus } from "../../../src/bus/local/local-bus.js";
import { control, deskCache, deskCapabilities } from "../../../src/bus/subjects.js";
import { getStrategy } from "../../../src/strategy/registry.js";
import { asOperator } from "../commands/as-operator.js";
import { startSystem, type TestSystem, VENUE_YAML } from "../support.js";

const TRADER = "sim-main_BTC-USDT";
const HOLDER = "sim-main_USDT";
const STOPS_OFF = VENUE_YAML.replace("accounts:", "capabilities: { stopOrders: false }\naccounts:");
const NO_STOP_TYPES = VENUE_YAML.replace("accounts:", "orderTypes: [market, limit]\naccounts:");

let running: TestSystem | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const statusOf = (t: TestSystem, actor: string) =>
  t.settle(t.bus.request<Record<string, unknown>>(control(actor), { command: "status" }));

/** Runs until the Trader has entered; returns its status then. */
async function enteredWith(venueYaml: string) {
  const bus = new LocalBus();
  const t = await startSystem(bus, { venueYaml, trader: { stopLossPct: 2 } });
  running = t;
  await t.run(() => t.events.some((e) => e.event === "trader.entered" && e.actor === TRADER));
  await t.run(() => false, 1_000); // the stop order, where native, reaches the venue
  const status = (await statusOf(t, TRADER)) as {
    stop: { mechanism: string; why?: string; trigger?: number };
    capabilities: Capabilities;
  };
  const resting = await t.settle(t.venue.fetchOpenOrders("BTC/USDT"));
  // Out of the position before stopping: a stop in position sells on a clock nobody moves.
  await t.settle(t.bus.request(control(TRADER), asOperator(TRADER, { command: "exit" })));
  await t.run(() => t.outcomes.length > 0, 60_000);
  // The exit cancelled the stop first: nothing of the attempt rests at the venue.
  const after = await t.settle(t.venue.fetchOpenOrders("BTC/USDT"));
  await t.stop();
  running = undefined;
  return { ...status, resting, after };
}

describe("capabilities - each actor's, in status and on the bus", () => {
  it("capabilities - the Desk publishes its venue's and answers them on request; each status shows its own", async () => {
    const bus = new LocalBus();
    const heard: unknown[] = [];
    bus.subscribe(deskCapabilities("sim-main"), (c) => void heard.push(c));
    const t = await startSystem(bus);
    running = t;
    await t.run(() => t.events.some((e) => e.event === "trader.proposed"));
    const asked = await t.settle(
      bus.request<Capabilities>(deskCache("sim-main"), { op: "capabilities" }),
    );
    expect(heard).toEqual([asked]);
    expect(asked).toMatchObject({
      of: "sim-main",
      marketKinds: ["spot"],
      markets: { "BTC/USDT": "spot" },
      orderTypes: ["market", "limit", "stop_market", "stop_limit"],
      timeInForce: ["GTC", "IOC", "FOK", "PO"],
      stopOrders: true,
      routes: ["market", "limit", "stop_market"],
      shorting: false,
      maxLeverage: 1,
      off: { shorting: "the venue has no shorting on spot" },
    });
    expect(asked.has.createOrder).toBe(true);
    const desk = (await statusOf(t, "sim-main")) as { capabilities: Capabilities };
    expect(desk.capabilities).toEqual(asked);
    const holder = (await statusOf(t, HOLDER)) as { capabilities: Capabilities };
    expect(holder.capabilities).toEqual({ ...asked, of: HOLDER });
    const trader = (await statusOf(t, TRADER)) as { capabilities: Capabilities; stop: unknown };
    expect(trader.capabilities).toEqual(holder.capabilities);
    // Before entry there is no trigger yet; the venue will hold the stop.
    expect(trader.stop).toEqual({ mechanism: "native" });
  });
});

describe("capabilities - a Trader adapts to what its venue allows", () => {
  it("capabilities - the venue holds the stop where it has stop orders; switched off, the Trader monitors it at the same trigger", async () => {
    const on = await enteredWith(VENUE_YAML);
    const off = await enteredWith(STOPS_OFF);
    expect(on.capabilities.stopOrders).toBe(true);
    expect(off.capabilities.stopOrders).toBe(false);
    // Where the venue has stop orders, the venue holds the stop: a stop_market sell of the whole
    // position at the trigger, on the tick grid.
    expect(on.stop).toEqual({ mechanism: "native", trigger: on.stop.trigger });
    const [stop] = on.resting;
    expect(on.resting).toHaveLength(1);
    expect(stop).toMatchObject({ type: "stop_market", side: "sell", status: "open" });
    expect(Number(stop?.stopPrice)).toBeLessThanOrEqual(on.stop.trigger!);
    expect(Number(stop?.stopPrice)).toBeGreaterThan(on.stop.trigger! - 0.01);
    expect(on.after).toEqual([]);
    expect(off.resting).toEqual([]);
    expect(off.stop).toEqual({
      mechanism: "monitored",
      why: "the venue file switches stop orders off (capabilities.stopOrders: false)",
      trigger: on.stop.trigger,
    });
    expect(on.stop.trigger).toBeGreaterThan(0);
    const unlisted = await enteredWith(NO_STOP_TYPES);
    expect(unlisted.stop).toEqual({
      mechanism: "monitored",
      why: "sim takes no stop orders (orderTypes: market, limit)",
      trigger: on.stop.trigger,
    });
  }, 60_000);

  it("capabilities - a strategy that needs shorting is dropped on spot, with the reason; nothing is proposed", async () => {
    const sma = getStrategy("sma-cross");
    const short = { ...sma, name: "sma-short", needs: { short: true } };
    const bus = new LocalBus();
    const t = await startSystem(bus, { strategy: short });
    running = t;
    await t.run(() => t.events.some((e) => e.event === "trader.ended" && e.actor === TRADER));
    expect(t.events.find((e) => e.event === "trader.candidate_dropped")).toMatchObject({
      actor: TRADER,
      strategy: "sma-short",
      reason: "the venue has no shorting on spot",
    });
    expect(t.events.find((e) => e.event === "trader.ended")).toMatchObject({
      how: "nothing",
      reason: "no candidate its capabilities allow: the venue has no shorting on spot",
    });
    expect(t.events.some((e) => e.event === "trader.proposed")).toBe(false);
  });
});
