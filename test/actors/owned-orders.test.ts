/**
 * The gateway's books by market: client order ids per market (their prefix is built once per
 * market), positions listed with their trader and market, and one risk gate per quote currency
 * whatever market of it asks (the gate is looked up once per market).
 */
import { describe, expect, it } from "vitest";
import { OwnedOrders } from "../../src/actors/desk/gateway/owned-orders.js";
import { RiskGates } from "../../src/actors/desk/risk-gates.js";
import { PositionLedger } from "../../src/domain/position-ledger.js";

/** 2024-01-01T00:00:00Z: s6k2o0 in base-36 seconds. */
const START = Date.UTC(2024, 0, 1);
const scales = (base: string, quote: string) => ({ base, quote, baseScale: 8, quoteScale: 2 });
const limits = {
  maxOrderNotional: "1000",
  maxPositionNotional: "5000",
  maxDailyLoss: "100",
  maxOrdersPerSecond: 100,
};

describe("owned orders", () => {
  it("owned orders - client ids count per market, each under its own market's prefix and the run's start", () => {
    const orders = new OwnedOrders("sim-main", START);
    expect(orders.nextClientId("BTC/USDT")).toBe("sim-main-BTC-USDT-s6k2o0-1");
    expect(orders.nextClientId("ETH/USDT")).toBe("sim-main-ETH-USDT-s6k2o0-1");
    expect(orders.nextClientId("BTC/USDT")).toBe("sim-main-BTC-USDT-s6k2o0-2");
    orders.restoreSequence("ETH/USDT", 41);
    expect(orders.nextClientId("ETH/USDT")).toBe("sim-main-ETH-USDT-s6k2o0-42");
    expect(orders.nextClientId("BTC/USDT")).toBe("sim-main-BTC-USDT-s6k2o0-3");
  });

  it("owned orders - a Desk run with a fresh journal a second later never makes an id an earlier run sent", () => {
    const earlier = new OwnedOrders("sim-main", START);
    const fresh = new OwnedOrders("sim-main", START + 1_000);
    const sent = new Set(Array.from({ length: 50 }, () => earlier.nextClientId("BTC/USDT")));
    for (let i = 0; i < 50; i++) expect(sent.has(fresh.nextClientId("BTC/USDT"))).toBe(false);
  });

  it("owned orders - a restart keeps counting past the journal's ids, under its own start", () => {
    const before = new OwnedOrders("sim-main", START);
    const id = before.nextClientId("BTC/USDT");
    const after = new OwnedOrders("sim-main", START + 60_000);
    after.restore({
      clientOrderId: id,
      trader: "t_1",
      market: "BTC/USDT",
      side: "buy",
      nonce: "n1",
      price: "100",
      amount: 1n,
      filled: 0n,
      budget: 100n,
      closing: 0n,
      excess: 0n,
      last: undefined,
      done: false,
    });
    expect(after.nextClientId("BTC/USDT")).toBe("sim-main-BTC-USDT-s6k2po-2");
  });

  it("owned orders - positions are listed with their trader and market, the same ledgers", () => {
    const orders = new OwnedOrders("sim-main", START);
    const a = orders.position("t_1", "BTC/USDT", scales("BTC", "USDT"));
    const b = orders.position("t_2", "ETH/USDT", scales("ETH", "USDT"));
    expect(orders.position("t_1", "BTC/USDT", scales("BTC", "USDT"))).toBe(a);
    const restored = new PositionLedger(scales("SOL", "USDT"));
    orders.restorePosition("t_3", "SOL/USDT", restored);
    expect(orders.positions()).toEqual([
      { trader: "t_1", market: "BTC/USDT", position: a },
      { trader: "t_2", market: "ETH/USDT", position: b },
      { trader: "t_3", market: "SOL/USDT", position: restored },
    ]);
    expect(orders.position("t_3", "SOL/USDT", scales("SOL", "USDT"))).toBe(restored);
  });
});

describe("risk gates", () => {
  it("risk gates - markets of one quote share its gate; another quote has its own", () => {
    const gates = new RiskGates(limits, (asset) => (asset === "BTC" ? 8 : 2));
    const usdt = gates.of("BTC/USDT");
    expect(gates.of("ETH/USDT")).toBe(usdt);
    expect(gates.of("BTC/USDT")).toBe(usdt);
    const btc = gates.of("ETH/BTC");
    expect(btc).not.toBe(usdt);
    usdt.recordFill("BTC/USDT", "buy", 700n);
    expect(gates.positionOf("BTC/USDT")).toBe(700n);
    expect(gates.positionOf("ETH/BTC")).toBe(0n);
    // New limits reach the gates already handed out.
    gates.setLimits({ ...limits, maxOrderNotional: "1" });
    expect(() =>
      gates.of("BTC/USDT").check({ market: "BTC/USDT", side: "buy", notional: 500n }, 0),
    ).toThrow(/above the desk's limit of .*1.* per order/);
  });
});
