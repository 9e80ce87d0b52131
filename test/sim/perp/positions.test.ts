import { describe, expect, it } from "vitest";
import { InvalidOrderError } from "../../../src/domain/errors.js";
import { FEE_ACCOUNT, MARKET_MAKER_ACCOUNT } from "../../../src/sim/ledger.js";
import { flat } from "../exchange-support.js";
import { makePerpSim, PERP, usdt } from "./perp-support.js";

describe("sim perp - positions and margin", () => {
  it("sim perp - a market buy opens a long with its initial margin locked; a sell at a higher price realises the gain from the makers", async () => {
    const t = makePerpSim([...flat(100, 2), ...flat(110, 3)]);
    await t.at(0, 1);
    const x = t.sim.exchange;
    const total = x.ledger.total("USDT");
    x.positions.setLeverage("alice", x.market(PERP).instrument.contract!, 10);
    const buy = t.sim.placeOrder("alice", {
      symbol: PERP,
      type: "market",
      side: "buy",
      amount: "1",
    });
    expect(buy.average).toBe("100.1"); // the best ask at 100.00 + 10 bps
    expect(buy.fee).toEqual({ currency: "USDT", cost: "0.05005" }); // 0.05 % of 100.10
    const p = x.positions.get("alice", PERP)!;
    expect(p.qty).toBe(1000n); // 1 contract at lot scale 0.001
    expect(p.entryNotional).toBe(usdt("100.10"));
    expect(p.margin).toBe(usdt("10.01")); // 100.10 / 10
    expect(x.ledger.locked("alice", "USDT")).toBe(usdt("10.01"));
    expect(x.ledger.free("alice", "USDT")).toBe(usdt("1000") - usdt("10.01") - usdt("0.05005"));

    await t.at(3, 1);
    const mmBefore = x.ledger.free(MARKET_MAKER_ACCOUNT, "USDT");
    const sell = t.sim.placeOrder("alice", {
      symbol: PERP,
      type: "market",
      side: "sell",
      amount: "1",
    });
    expect(sell.average).toBe("109.89"); // the best bid at 110.00 − 10 bps
    expect(p.qty).toBe(0n);
    expect(p.margin).toBe(0n);
    expect(p.realizedPnl).toBe(usdt("9.79")); // 109.89 − 100.10
    expect(x.ledger.locked("alice", "USDT")).toBe(0n);
    expect(x.ledger.free("alice", "USDT")).toBe(
      usdt("1000") + usdt("9.79") - usdt("0.05005") - usdt("0.054945"),
    );
    expect(x.ledger.free(MARKET_MAKER_ACCOUNT, "USDT")).toBe(mmBefore - usdt("9.79"));
    expect(x.ledger.free(FEE_ACCOUNT, "USDT")).toBe(usdt("0.05005") + usdt("0.054945"));
    expect(x.ledger.total("USDT")).toBe(total);
  });

  it("sim perp - a sell opens a short; a limit order reserves margin and fee at its price", async () => {
    const t = makePerpSim(flat(100, 3));
    await t.at(0, 1);
    const x = t.sim.exchange;
    const o = t.sim.placeOrder("bob", {
      symbol: PERP,
      type: "limit",
      side: "sell",
      amount: "2",
      price: "101",
    });
    // 202 notional at 20x: 10.10 margin + 0.101 taker fee
    expect(x.ledger.locked("bob", "USDT")).toBe(usdt("10.10") + usdt("0.101"));
    t.sim.cancelOrder("bob", { id: o.id });
    expect(x.ledger.locked("bob", "USDT")).toBe(0n);
    t.sim.placeOrder("bob", { symbol: PERP, type: "market", side: "sell", amount: "2" });
    const p = x.positions.get("bob", PERP)!;
    expect(p.qty).toBe(-2000n);
    expect(p.entryNotional).toBe(usdt("199.80")); // 2 × 99.90
    expect(p.margin).toBe(usdt("9.99")); // 199.80 / 20
  });

  it("sim perp - reduceOnly orders may only reduce, and say why not", async () => {
    const t = makePerpSim(flat(100, 3));
    await t.at(0, 1);
    const order = (side: "buy" | "sell", amount: string) =>
      t.sim.placeOrder("alice", { symbol: PERP, type: "market", side, amount, reduceOnly: true });
    expect(() => order("sell", "1")).toThrow(/would not reduce: there is no position/);
    t.sim.placeOrder("alice", { symbol: PERP, type: "market", side: "buy", amount: "1" });
    expect(() => order("buy", "1")).toThrow(/the position is long, so only a sell reduces it/);
    expect(() => order("sell", "2")).toThrow(InvalidOrderError);
    expect(() => order("sell", "2")).toThrow(/more than the position of 1/);
    const closed = order("sell", "1");
    expect(closed.reduceOnly).toBe(true);
    expect(t.sim.exchange.positions.get("alice", PERP)!.qty).toBe(0n);
    expect(t.sim.exchange.ledger.locked("alice", "USDT")).toBe(0n);
  });

  it("sim perp - a leverage above the bracket of the resulting position is refused", async () => {
    const t = makePerpSim(flat(100, 3));
    await t.at(0, 1);
    // 6 contracts ≈ 600 USDT: bracket 2 allows 10x, the account is at 20x
    expect(() =>
      t.sim.placeOrder("alice", {
        symbol: PERP,
        type: "limit",
        side: "buy",
        amount: "6",
        price: "99",
      }),
    ).toThrow(/leverage 20 is above 10, the maximum of bracket 2/);
    expect(() =>
      t.sim.exchange.positions.setLeverage(
        "alice",
        t.sim.exchange.market(PERP).instrument.contract!,
        51,
      ),
    ).toThrow(/above BTC\/USDT:USDT's maximum 50/);
  });
});
