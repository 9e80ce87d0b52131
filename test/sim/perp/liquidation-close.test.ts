import { describe, expect, it } from "vitest";
import { INSURANCE_FUND_ACCOUNT } from "../../../src/sim/ledger.js";
import { flat } from "../exchange-support.js";
import { checkPerp, makePerpSim, PERP, perpVenueWith, usdt } from "./perp-support.js";

// 300 USDT of notional per makers' level, so a 5 BTC position spans levels. At a reference of
// 100.00 (liquidity.ts): bids 99.90, 99.80 (spread 20 bps, 10 bps apart), each floor(300 /
// price / 0.001) lots: 3.003 and 3.006 BTC. At 120.00: asks ceil(12000 × 1.001) = 120.12,
// 120.24, 120.36 holding 2.497, 2.495 and 2.492 BTC.
const THIN = perpVenueWith(['levelNotional: "1000"', 'levelNotional: "300"']);

describe("sim perp - the liquidation engine's close walks the book", () => {
  it("sim perp - a gap through a 10x isolated short's bankruptcy price: the engine buys at three levels and the fund pays each level's distance from the bankruptcy price", async () => {
    const t = makePerpSim([...flat(100, 2), ...flat(120, 2)], THIN);
    await t.at(0, 1);
    const x = t.sim.exchange;
    const total = x.ledger.total("USDT");
    t.sim.derivatives.setLeverage("bob", PERP, 10);
    t.sim.derivatives.setMarginMode("bob", PERP, "isolated");
    t.sim.placeOrder("bob", { symbol: PERP, type: "market", side: "sell", amount: "5" });
    const p = x.positions.get("bob", PERP)!;
    // 3.003 × 99.90 + 1.997 × 99.80 = 299.9997 + 199.3006
    expect(p.entryNotional).toBe(usdt("499.3003"));
    // 10x: 499.3003 / 10
    expect(p.margin).toBe(usdt("49.93003"));
    const fund = x.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT");
    const bobBefore = x.ledger.free("bob", "USDT") + x.ledger.locked("bob", "USDT");

    await t.at(2, 1);
    expect(p.qty).toBe(0n);
    // bankruptcy: (499.3003 + 49.93003) / 5 = 109.846066, rounded down for a short
    const [record] = t.sim.derivatives.liquidations;
    expect(record).toMatchObject({
      account: "bob",
      qty: "-5",
      bankruptcyPrice: "109.84",
      closed: [
        { price: "120.12", qty: "2.497" },
        { price: "120.24", qty: "2.495" },
        { price: "120.36", qty: "0.008" },
      ],
      toFund: "0",
      deleveraged: "0",
      toHouse: "0",
    });
    expect(t.sim.derivatives.adl).toEqual([]);
    // bob loses 5 × 109.84 − 499.3003 = 49.8997 (no fee beyond an isolated margin)
    expect(x.ledger.free("bob", "USDT") + x.ledger.locked("bob", "USDT")).toBe(
      bobBefore - usdt("49.8997"),
    );
    // the fund pays 2.497 × 10.28 + 2.495 × 10.40 + 0.008 × 10.52 = 25.66916 + 25.948 + 0.08416
    expect(x.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT")).toBe(fund - usdt("51.70132"));
    // the engine's fills are public trades
    const trades = t.events.filter((e) => e.type === "trade" && e.time === record!.time);
    expect(trades.map((e) => (e.type === "trade" ? e.trade.price : ""))).toEqual([
      "120.12",
      "120.24",
      "120.36",
    ]);
    checkPerp(t.sim, total);
  });

  it("sim perp - a user's resting order in front of the makers is met first, at its own price, as a maker", async () => {
    const t = makePerpSim([...flat(100, 2), ...flat(120, 2)], THIN);
    await t.at(0, 1);
    const x = t.sim.exchange;
    const total = x.ledger.total("USDT");
    t.sim.derivatives.setLeverage("bob", PERP, 10);
    t.sim.derivatives.setMarginMode("bob", PERP, "isolated");
    t.sim.placeOrder("bob", { symbol: PERP, type: "market", side: "sell", amount: "5" });
    // alice offers 1 BTC at 120.05: the path stops at 120.00, below it, so it still rests there
    t.sim.placeOrder("alice", {
      symbol: PERP,
      type: "limit",
      side: "sell",
      amount: "1",
      price: "120.05",
    });
    const fund = x.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT");
    await t.at(2, 1);
    const [record] = t.sim.derivatives.liquidations;
    expect(record!.closed).toEqual([
      { price: "120.05", qty: "1" },
      { price: "120.12", qty: "2.497" },
      { price: "120.24", qty: "1.503" },
    ]);
    expect(x.positions.get("alice", PERP)).toMatchObject({ qty: -1000n });
    expect(x.positions.get("alice", PERP)!.entryNotional).toBe(usdt("120.05"));
    expect(t.sim.openOrders("alice")).toEqual([]);
    const fills = t.events.filter((e) => e.type === "fill" && e.account === "alice");
    // a maker fill: 0.02 % of 120.05
    expect(fills.map((e) => (e.type === "fill" ? e.fill : undefined))).toMatchObject([
      { price: "120.05", amount: "1", takerOrMaker: "maker", fee: { cost: "0.02401" } },
    ]);
    // 1 × (120.05 − 109.84) + 2.497 × 10.28 + 1.503 × 10.40 = 10.21 + 25.66916 + 15.6312
    expect(x.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT")).toBe(fund - usdt("51.51036"));
    checkPerp(t.sim, total);
  });

  it("sim perp - a book too thin for the whole position: the fund accepts the rest at the mark price, nothing is deleveraged", async () => {
    // two levels a side: at 120 the makers ask 2.497 at 120.12 and 2.495 at 120.24, 4.992 BTC
    const twoLevels = perpVenueWith(
      ['levelNotional: "1000"', 'levelNotional: "300"'],
      ["levels: 5", "levels: 2"],
    );
    const t = makePerpSim([...flat(100, 2), ...flat(120, 2)], twoLevels);
    await t.at(0, 1);
    const x = t.sim.exchange;
    const total = x.ledger.total("USDT");
    t.sim.derivatives.setLeverage("bob", PERP, 10);
    t.sim.derivatives.setMarginMode("bob", PERP, "isolated");
    t.sim.placeOrder("bob", { symbol: PERP, type: "market", side: "sell", amount: "5" });
    t.sim.derivatives.setLeverage("alice", PERP, 10);
    t.sim.placeOrder("alice", { symbol: PERP, type: "market", side: "buy", amount: "1" });
    const fund = x.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT");
    await t.at(2, 1);
    const [record] = t.sim.derivatives.liquidations;
    expect(record).toMatchObject({
      bankruptcyPrice: "109.84",
      markPrice: "120",
      closed: [
        { price: "120.12", qty: "2.497" },
        { price: "120.24", qty: "2.495" },
      ],
      toFund: "0.008",
      deleveraged: "0",
      toHouse: "0",
    });
    // alice's long is not deleveraged: the fund could pay
    expect(t.sim.derivatives.adl).toEqual([]);
    expect(x.positions.get("alice", PERP)!.qty).toBe(1000n);
    // 25.66916 + 25.948 in the book, then 0.008 × (120 − 109.84) = 0.08128 at the mark
    expect(x.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT")).toBe(fund - usdt("51.69844"));
    checkPerp(t.sim, total);
  });
});
