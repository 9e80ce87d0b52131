import { describe, expect, it } from "vitest";
import { INSURANCE_FUND_ACCOUNT } from "../../../src/sim/ledger.js";
import { adlRanking } from "../../../src/sim/perp/adl.js";
import { flat } from "../exchange-support.js";
import { checkPerp, makePerpSim, PERP, perpVenueWith, usdt } from "./perp-support.js";

// As in liquidation-close.test.ts: 300 USDT per makers' level. At 100.00 the makers bid 99.90
// (3.003 BTC), 99.80 (3.006) and ask 100.10 (2.997), 100.20 (2.994); at 120.00 they ask 120.12
// (2.497). bob's 10x isolated short of 5 BTC is entered at 499.3003 with 49.93003 of margin, so
// its bankruptcy price is (499.3003 + 49.93003) / 5 = 109.846066, 109.84 rounded down; the gap
// to 120 goes through it, and each contract the engine buys back at 120.12 costs the fund
// 120.12 − 109.84 = 10.28, 0.01028 a lot of 0.001.
function venue(fund: string): string {
  return perpVenueWith(
    ['levelNotional: "1000"', 'levelNotional: "300"'],
    ['insuranceFund: { USDT: "1000" }', `insuranceFund: { USDT: "${fund}" }`],
    ['bob: { USDT: "1000" }', 'bob: { USDT: "1000" }\n  carol: { USDT: "1000" }'],
  );
}

async function bobShort(fund: string) {
  const t = makePerpSim([...flat(100, 2), ...flat(120, 2)], venue(fund));
  await t.at(0, 1);
  t.sim.derivatives.setLeverage("bob", PERP, 10);
  t.sim.derivatives.setMarginMode("bob", PERP, "isolated");
  t.sim.placeOrder("bob", { symbol: PERP, type: "market", side: "sell", amount: "5" });
  return t;
}

const wallet = (t: Awaited<ReturnType<typeof bobShort>>, account: string) =>
  t.sim.exchange.ledger.free(account, "USDT") + t.sim.exchange.ledger.locked(account, "USDT");

describe("sim perp - auto-deleveraging", () => {
  it("sim perp - a fund too small for a gap through the bankruptcy price: the book takes what the fund can pay, alice's opposite long is reduced at the bankruptcy price, the fund is not negative", async () => {
    const t = await bobShort("10");
    const x = t.sim.exchange;
    const total = x.ledger.total("USDT");
    // alice: 5x cross long of 5 BTC, 2.997 × 100.10 + 2.003 × 100.20 = 299.9997 + 200.7006
    t.sim.derivatives.setLeverage("alice", PERP, 5);
    t.sim.placeOrder("alice", { symbol: PERP, type: "market", side: "buy", amount: "5" });
    const alice = x.positions.get("alice", PERP)!;
    expect(alice.entryNotional).toBe(usdt("500.7003"));
    // an open order of hers on the market, to be cancelled by the deleveraging
    t.sim.placeOrder("alice", {
      symbol: PERP,
      type: "limit",
      side: "buy",
      amount: "1",
      price: "90",
    });
    const aliceBefore = wallet(t, "alice");

    await t.at(2, 1);
    // the fund's 10 pays floor(10 / 0.01028) = 972 lots at 120.12 (9.99216); the other
    // 5 − 0.972 = 4.028 BTC are deleveraged
    const [record] = t.sim.derivatives.liquidations;
    expect(record).toMatchObject({
      account: "bob",
      bankruptcyPrice: "109.84",
      closed: [{ price: "120.12", qty: "0.972" }],
      deleveraged: "4.028",
      toHouse: "0",
    });
    expect(x.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT")).toBe(usdt("0.00784"));
    // alice closes 4.028 of her 5 at 109.84: 442.43552 − 500.7003 × 4.028 / 5 (403.36416168)
    expect(t.sim.derivatives.adl).toEqual([
      {
        time: record!.time,
        account: "alice",
        symbol: PERP,
        qty: "4.028",
        price: "109.84",
        pnl: "39.07135832",
        against: "bob",
      },
    ]);
    expect(alice.qty).toBe(972n);
    expect(alice.entryNotional).toBe(usdt("500.7003") - usdt("403.36416168"));
    // no fee: her wallet grew by exactly the PnL; her order is cancelled, its reservation back
    expect(wallet(t, "alice")).toBe(aliceBefore + usdt("39.07135832"));
    expect(t.sim.openOrders("alice")).toEqual([]);
    // she is told: a balance event at that time
    expect(
      t.events.some(
        (e) => e.type === "balance" && e.account === "alice" && e.time === record!.time,
      ),
    ).toBe(true);
    checkPerp(t.sim, total);
  });

  it("sim perp - two opposite longs: the more profitable and more leveraged one is deleveraged first, the other for the rest", async () => {
    const t = await bobShort("1");
    const x = t.sim.exchange;
    const total = x.ledger.total("USDT");
    // alice: 10x isolated long of 2 BTC at 100.10 (200.20, margin 20.02)
    t.sim.derivatives.setLeverage("alice", PERP, 10);
    t.sim.derivatives.setMarginMode("alice", PERP, "isolated");
    t.sim.placeOrder("alice", { symbol: PERP, type: "market", side: "buy", amount: "2" });
    // carol: 2x isolated long of 4 BTC: 0.997 × 100.10 + 2.994 × 100.20 + 0.009 × 100.30
    t.sim.derivatives.setLeverage("carol", PERP, 2);
    t.sim.derivatives.setMarginMode("carol", PERP, "isolated");
    t.sim.placeOrder("carol", { symbol: PERP, type: "market", side: "buy", amount: "4" });
    expect(x.positions.get("carol", PERP)!.entryNotional).toBe(usdt("400.7012"));
    expect(x.positions.get("carol", PERP)!.margin).toBe(usdt("200.3506"));

    await t.at(2, 1);
    // At the mark 120 (Binance's LeveragePnL = max(0, uPnL) / max(1, wallet) × maintenance /
    // (wallet + uPnL); maintenance 1 % of the notional, bracket 1):
    //   alice: 39.80 / 20.02 × 2.40 / 59.82 ≈ 0.0798
    //   carol: 79.2988 / 200.3506 × 4.80 / 279.6494 ≈ 0.0068
    // so alice goes first. The fund's 1 pays floor(1 / 0.01028) = 97 lots; 4.903 BTC are left.
    const [record] = t.sim.derivatives.liquidations;
    expect(record).toMatchObject({
      closed: [{ price: "120.12", qty: "0.097" }],
      deleveraged: "4.903",
      toHouse: "0",
    });
    // alice all 2: 2 × 109.84 − 200.20 = 19.48; carol 2.903 of 4: 318.86552 − 400.7012 × 2.903
    // / 4 (290.8088959, rounded down) = 28.0566241
    expect(t.sim.derivatives.adl.map(({ account, qty, pnl }) => ({ account, qty, pnl }))).toEqual([
      { account: "alice", qty: "2", pnl: "19.48" },
      { account: "carol", qty: "2.903", pnl: "28.0566241" },
    ]);
    expect(x.positions.get("alice", PERP)!.qty).toBe(0n);
    expect(x.positions.get("carol", PERP)!.qty).toBe(1097n);
    // 1 − 0.097 × 10.28
    expect(x.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT")).toBe(usdt("0.00284"));
    checkPerp(t.sim, total);
  });

  it("sim perp - no opposite user position: what the fund cannot pay for the house takes at the bankruptcy price", async () => {
    const t = await bobShort("1");
    const x = t.sim.exchange;
    const total = x.ledger.total("USDT");
    const mm = x.ledger.free("__mm__", "USDT");
    await t.at(2, 1);
    const [record] = t.sim.derivatives.liquidations;
    expect(record).toMatchObject({
      closed: [{ price: "120.12", qty: "0.097" }],
      deleveraged: "0",
      toHouse: "4.903",
    });
    expect(t.sim.derivatives.adl).toEqual([]);
    expect(x.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT")).toBe(usdt("0.00284"));
    // the house got bob's loss at the bankruptcy price (5 × 109.84 − 499.3003 = 49.8997) and
    // the fund's 0.99716 for the engine's 0.097 BTC bought back from it
    expect(x.ledger.free("__mm__", "USDT")).toBe(mm + usdt("49.8997") + usdt("0.99716"));
    checkPerp(t.sim, total);
  });

  it("sim perp - ranking: a cross position counts its whole wallet, so a 10x cross long ranks below a 2x isolated one", async () => {
    const t = await bobShort("1000");
    const x = t.sim.exchange;
    // alice: 10x cross long of 2 BTC at 100.10 (200.20), her wallet 1000 less a taker fee of
    // 0.1001; carol: 2x isolated long of 4 BTC (400.7012, margin 200.3506), as above
    t.sim.derivatives.setLeverage("alice", PERP, 10);
    t.sim.placeOrder("alice", { symbol: PERP, type: "market", side: "buy", amount: "2" });
    t.sim.derivatives.setLeverage("carol", PERP, 2);
    t.sim.derivatives.setMarginMode("carol", PERP, "isolated");
    t.sim.placeOrder("carol", { symbol: PERP, type: "market", side: "buy", amount: "4" });
    // At a mark of 120.00:
    //   alice: 39.80 / 999.8999 × 2.40 / 1039.6999 ≈ 0.0000919
    //   carol: 79.2988 / 200.3506 × 4.80 / 279.6494 ≈ 0.0068
    const mark = () => 12000n;
    expect(adlRanking(x, PERP, false, mark).map((p) => p.account)).toEqual(["carol", "alice"]);
    // a bankrupt long is deleveraged against the shorts: bob alone
    expect(adlRanking(x, PERP, true, mark).map((p) => p.account)).toEqual(["bob"]);
    // at a mark of 95.00 both longs lose: rank 0, first-trade order
    expect(adlRanking(x, PERP, false, () => 9500n).map((p) => p.account)).toEqual([
      "alice",
      "carol",
    ]);
  });
});
