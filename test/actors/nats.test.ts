/**
 * The same actors on a real NATS server: the whole life of a Trader, and the gateway refusing a
 * forged mandate — over the wire instead of in process.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NatsBus } from "../../src/bus/nats/nats-bus.js";
import { deskOrder } from "../../src/bus/subjects.js";
import { MandateDeniedError } from "../../src/domain/errors.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";
import { TestTrader } from "./signing.js";
import { names, startSystem, type TestSystem } from "./support.js";

let server: NatsServer;
let running: TestSystem | undefined;
let bus: NatsBus | undefined;
beforeAll(async () => {
  server = await startNatsServer({ jetstream: false });
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await bus?.close();
});
afterAll(async () => {
  await server?.cleanup();
});

describe("actors - on NATS", () => {
  it("actors on NATS - spawn, evaluate, propose, accept, enter, exit, report, record", async () => {
    bus = await NatsBus.connect(server.url);
    const t = await startSystem(bus);
    running = t;
    // Over the wire, events arrive a little after the outcome: wait for the last one.
    await t.run(() => t.outcomes.length > 0 && names(t.events).includes("holder.recorded"));
    const seen = names(t.events);
    for (const event of [
      "trader.proposed",
      "holder.accepted",
      "order.filled",
      "trader.entered",
      "trader.exited",
      "holder.recorded",
    ]) {
      expect(seen, event).toContain(event);
    }
    expect(t.outcomes[0]).toMatchObject({ market: "BTC/USDT", trades: 1 });
    expect(Number(t.simulation.sim.balances("main").BTC?.total)).toBeLessThan(0.00001);
  });

  it("actors on NATS - a forged mandate is refused with its typed error across the wire", async () => {
    bus = await NatsBus.connect(server.url);
    const t = await startSystem(bus, { holder: { maxTraders: 0 } });
    running = t;
    await t.run(() => false, 120_000);
    const holder = t.system.holders[0]!;
    const trader = new TestTrader("sim-main_BTC-USDT");
    const mandate = holder.keys.sign(
      {
        trader: "sim-main_BTC-USDT",
        traderKey: trader.publicKey,
        desk: "sim-main",
        market: "BTC/USDT",
        sides: ["buy"],
        maxNotional: "100",
        expiresAt: t.simulation.clock.now() + 60_000,
        nonce: "nats-1",
      },
      holder.id,
    );
    const err = await t
      .settle(
        bus.request(
          deskOrder("sim-main"),
          trader.place(
            { ...mandate, maxNotional: "100000" },
            { market: "BTC/USDT", side: "buy", type: "market", amount: "0.01" },
          ),
        ),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MandateDeniedError);
  });
});
