import { afterEach, describe, expect, it } from "vitest";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { control, deskBalance, deskCache, deskReport } from "../../src/bus/subjects.js";
import type { Balances } from "../../src/domain/balance.js";
import { MandateDeniedError, RiskDeniedError } from "../../src/domain/errors.js";
import type { Order } from "../../src/domain/order.js";
import { asOperator } from "./commands/as-operator.js";
import {
  quietDesk,
  refusal,
  type SystemOverrides,
  startSystem,
  type TestSystem,
} from "./support.js";

let running: TestSystem | undefined;
let bus: LocalBus;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A quiet system with market data flowing, kept so afterEach stops it. */
async function quiet(overrides: SystemOverrides = {}) {
  bus = new LocalBus();
  const q = await quietDesk(bus, overrides);
  running = q.t;
  return q;
}

describe("actors - the Desk's order gateway", () => {
  it("actors - a valid mandate trades; forged, expired, replayed, over-budget and borrowed ones are refused", async () => {
    const { t, sign, order } = await quiet();
    const good = sign();
    expect(await order(good)).toMatchObject({ status: "closed", filled: "0.01" });
    const forged = { ...sign(), maxNotional: "1000000" };
    const cases: Array<[string, unknown, Record<string, unknown>, RegExp]> = [
      ["forged", forged, {}, /signature/],
      ["expired", sign({ expiresAt: t.simulation.clock.now() - 1 }), {}, /expired/],
      ["replayed", sign({ nonce: good.nonce, maxNotional: "999" }), {}, /replayed/],
      ["over budget", sign({ maxNotional: "10" }), {}, /over budget/],
      ["another Trader's", good, { trader: "sim-main_ETH-USDT" }, /trader/],
      ["another market's", sign({ market: "ETH/USDT" }), {}, /market/],
      ["missing", undefined, {}, /malformed|mandate/],
    ];
    for (const [what, mandate, change, message] of cases) {
      const err = await refusal(order(mandate, change));
      expect(err, what).toBeInstanceOf(MandateDeniedError);
      expect(err?.message, what).toMatch(message);
    }
  });

  it("actors - an order beyond a risk limit is refused, naming the limit", async () => {
    const { sign, order } = await quiet({ risk: { maxOrderNotional: "100" } });
    const err = await refusal(order(sign()));
    expect(err).toBeInstanceOf(RiskDeniedError);
    expect(err?.message).toMatch(/above the desk's limit of 100 USDT per order/);
  });

  it("actors - halt cancels every open order and refuses new ones until resume", async () => {
    const { t, sign, order } = await quiet();
    const mandate = sign();
    const resting = await order(mandate, { type: "limit", price: "10000", amount: "0.001" });
    expect(resting.status).toBe("open");
    const before = t.simulation.clock.now();
    const halted = await t.settle(
      bus.request<{ cancelled: number }>(
        control("sim-main"),
        asOperator("sim-main", { command: "halt" }),
      ),
    );
    expect(halted.cancelled).toBe(1);
    expect(t.simulation.clock.now() - before).toBeLessThan(100); // within 100 ms of venue time
    expect(t.system.desk.state).toBe("halted");
    expect(await refusal(order(mandate))).toBeInstanceOf(RiskDeniedError);
    await t.settle(bus.request(control("sim-main"), asOperator("sim-main", { command: "resume" })));
    expect((await order(mandate)).status).toBe("closed");
    expect(t.events.map((e) => e.event)).toEqual(
      expect.arrayContaining(["desk.halted", "desk.resumed"]),
    );
  });

  it("actors - each state of a Trader's order is reported to that Trader once, to no one else; balances follow", async () => {
    const { t, sign, order } = await quiet();
    const mine: Order[] = [];
    const others: Order[] = [];
    bus.subscribe<{ order: Order }>(deskReport("sim-main", "sim-main_BTC-USDT"), (m) => {
      mine.push(m.order);
    });
    bus.subscribe<{ order: Order }>(deskReport("sim-main", "sim-main_ETH-USDT"), (m) => {
      others.push(m.order);
    });
    const balances: Balances[] = [];
    bus.subscribe<{ balances: Balances }>(deskBalance("sim-main"), (m) => {
      balances.push(m.balances);
    });
    const cached = () => t.settle(bus.request<Balances>(deskCache("sim-main"), { op: "balance" }));
    const btc = (b: Balances | undefined) => Number(b?.BTC?.total ?? Number.NaN);
    const before = await cached();
    const mandate = sign();
    const filled = await order(mandate);
    await t.run(() => false, 1_000);
    // The buy's new balance is published for the Holders, and it is what the cache answers.
    const after = await cached();
    expect(btc(after)).toBeGreaterThan(btc(before));
    expect(balances.at(-1)).toEqual(after);
    const resting = await order(mandate, { type: "limit", price: "10000", amount: "0.001" });
    await t.settle(bus.request(control("sim-main"), asOperator("sim-main", { command: "halt" })));
    await t.run(() => false, 1_000); // the venue's streams and the Desk's queued reports go out
    const states = mine.map((o) => `${o.id} ${o.status} ${o.filled}`);
    expect(states).toEqual([
      `${filled.id} closed 0.01`,
      `${resting.id} open 0`,
      `${resting.id} canceled 0`,
    ]);
    expect(others).toEqual([]);
  });

  it("actors - a bad control command gets an error naming the commands, and the Desk carries on", async () => {
    const { t, sign, order } = await quiet();
    const err = await refusal(t.settle(bus.request(control("sim-main"), { command: "explode" })));
    expect((err as { code?: string } | undefined)?.code).toBe("unknown_command");
    expect(err?.message).toMatch(/sim-main has no command 'explode'.*'help' lists the commands/);
    const status = await t.settle(
      bus.request<{ state: string }>(control("sim-main"), { command: "status" }),
    );
    expect(status.state).toBe("active");
    expect((await order(sign())).status).toBe("closed");
  });
});

describe("actors - heartbeats and status", () => {
  it("actors - every actor beats on crypy.sys.hb.<actor> and answers status on crypy.ctl.<actor>", async () => {
    bus = new LocalBus();
    const t = await startSystem(bus, { heartbeatMs: 10_000, holder: { maxTraders: 0 } });
    running = t;
    const beats: Array<{ id: string; kind: string; state: string; pid: number }> = [];
    bus.subscribe<{ id: string; kind: string; state: string; pid: number }>(
      "crypy.sys.hb.*",
      (b) => void beats.push(b),
    );
    await t.run(() => false, 30_000);
    const ids = new Set(beats.map((b) => b.id));
    expect(ids).toEqual(new Set(["sim-main", "sim-main_USDT"]));
    expect(beats.find((b) => b.id === "sim-main")).toMatchObject({
      kind: "desk",
      state: "active",
      pid: process.pid,
    });
    const status = await t.settle(
      bus.request<Record<string, unknown>>(control("sim-main_USDT"), { command: "status" }),
    );
    expect(status).toMatchObject({
      id: "sim-main_USDT",
      kind: "holder",
      state: "running",
      asset: "USDT",
      free: "10000",
    });
  });
});

describe("actors - the Desk's cache", () => {
  it("actors - candles, ticker, book and balance come from the Desk, not the venue", async () => {
    bus = new LocalBus();
    const t = await startSystem(bus, { holder: { maxTraders: 0 } });
    running = t;
    await t.run(() => false, 10 * 60_000);
    const ask = <T>(request: unknown) => t.settle(bus.request<T>(deskCache("sim-main"), request));
    const candles = await ask<unknown[]>({ op: "candles", market: "BTC/USDT", limit: 5 });
    expect(candles).toHaveLength(5);
    expect(await ask<{ symbol: string }>({ op: "ticker", market: "BTC/USDT" })).toMatchObject({
      symbol: "BTC/USDT",
    });
    const book = await ask<{ bids: unknown[]; asks: unknown[] }>({
      op: "book",
      market: "BTC/USDT",
      limit: 3,
    });
    expect(book.bids).toHaveLength(3);
    expect(book.asks).toHaveLength(3);
    expect(await ask<Record<string, { free: string }>>({ op: "balance" })).toMatchObject({
      USDT: { free: "10000" },
    });
    await expect(ask({ op: "candles", market: "DOGE/USDT" })).rejects.toThrow(
      /does not watch DOGE\/USDT/,
    );
  });
});
