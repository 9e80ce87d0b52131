import { describe, expect, it } from "vitest";
import { liquidationPrice, roundToTick } from "../../../src/sim/derivatives/liquidation-price.js";
import { INSURANCE_FUND_ACCOUNT, MARKET_MAKER_ACCOUNT } from "../../../src/sim/ledger.js";
import { asPosition } from "../../../src/sim/perp/positions.js";
import { flat } from "../exchange-support.js";
import { checkPerp, makePerpSim, PERP, usdt } from "./perp-support.js";

describe("sim perp - liquidation", () => {
  it("sim perp - a price gap straight through an isolated short's bankruptcy price: liquidated at the mark, the fund pays the gap, money conserved", async () => {
    // 100 for two minutes, then a gap to 120: far beyond a 10x short's bankruptcy price (~110)
    const t = makePerpSim([...flat(100, 2), ...flat(120, 2)]);
    await t.at(0, 1);
    const x = t.sim.exchange;
    const total = x.ledger.total("USDT");
    t.sim.derivatives.setLeverage("bob", PERP, 10);
    t.sim.derivatives.setMarginMode("bob", PERP, "isolated");
    t.sim.placeOrder("bob", { symbol: PERP, type: "market", side: "sell", amount: "1" });
    // a resting order on the market is cancelled first
    t.sim.placeOrder("bob", {
      symbol: PERP,
      type: "limit",
      side: "sell",
      amount: "1",
      price: "130",
    });
    const p = x.positions.get("bob", PERP)!;
    const spec = x.market(PERP).instrument.contract!;
    const liq = liquidationPrice({ position: asPosition(spec, p), walletBalance: p.margin });
    // entry 99.90, margin 9.99, mmr 1 %: (9.99 + 99.90) / (1 + 0.01) = 108.80
    expect(roundToTick(spec, liq!, "half-up")).toBe(10880n);
    const fund = x.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT");
    const bobBefore = x.ledger.free("bob", "USDT") + x.ledger.locked("bob", "USDT");
    await t.at(2, 1);
    expect(p.qty).toBe(0n);
    expect(t.sim.openOrders("bob")).toEqual([]);
    const [record] = t.sim.derivatives.liquidations;
    expect(record).toMatchObject({
      account: "bob",
      symbol: PERP,
      qty: "-1",
      bankruptcyPrice: "109.89",
    });
    // bob lost exactly his isolated margin (9.99): bankruptcy = 99.90 + 9.99
    expect(x.ledger.free("bob", "USDT") + x.ledger.locked("bob", "USDT")).toBe(
      bobBefore - usdt("9.99"),
    );
    // the engine buys back at the makers' ask (120.12): the fund pays 120.12 − 109.89
    expect(x.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT")).toBe(fund - usdt("10.23"));
    expect(x.ledger.free(MARKET_MAKER_ACCOUNT, "USDT") > 0n).toBe(true);
    expect(x.ledger.total("USDT")).toBe(total);
    checkPerp(t.sim, total);
  });
});
