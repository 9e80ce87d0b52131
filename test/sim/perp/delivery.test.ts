import { describe, expect, it } from "vitest";
import { InvalidOrderError } from "../../../src/domain/errors.js";
import { flat, MINUTE, T0 } from "../exchange-support.js";
import { checkPerp, DELIVERY, DELIVERY_VENUE, makePerpSim, usdt } from "./perp-support.js";

const wallet = (t: ReturnType<typeof makePerpSim>, account: string) =>
  t.sim.exchange.ledger.free(account, "USDT") + t.sim.exchange.ledger.locked(account, "USDT");

describe("sim perp - delivery", () => {
  it("sim perp - at expiry a long and a short settle at the mean index of the last 30 minutes, orders are cancelled and the market closes", async () => {
    // The index is 100 until 00:20 and 110 from then on; the contract expires at 00:40.
    const t = makePerpSim([...flat(100, 20), ...flat(110, 25)], DELIVERY_VENUE);
    await t.at(1, 1);
    const x = t.sim.exchange;
    const total = x.ledger.total("USDT");
    // at 100 the makers ask 100.10 and bid 99.90 (1000 USDT a level: enough for 2 BTC)
    t.sim.placeOrder("alice", { symbol: DELIVERY, type: "market", side: "buy", amount: "2" });
    t.sim.placeOrder("bob", { symbol: DELIVERY, type: "market", side: "sell", amount: "2" });
    t.sim.placeOrder("alice", {
      symbol: DELIVERY,
      type: "limit",
      side: "buy",
      amount: "1",
      price: "90",
    });
    expect(x.positions.get("alice", DELIVERY)!.entryNotional).toBe(usdt("200.2"));
    expect(x.positions.get("bob", DELIVERY)!.entryNotional).toBe(usdt("199.8"));
    const alice = wallet(t, "alice");
    const bob = wallet(t, "bob");

    await t.at(39, 3);
    expect(t.sim.derivatives.delivered).toEqual([]);
    await t.at(40, 0);
    // the window is 00:10:00 … 00:39:59: 600 seconds at 100.00 and 1,200 at 110.00, mean
    // (600 × 100 + 1200 × 110) / 1800 = 106.666…, 106.67 to the cent
    // alice: 2 × 106.67 − 200.20 = 13.14; bob: 199.80 − 2 × 106.67 = −13.54
    expect(t.sim.derivatives.delivered).toEqual([
      {
        time: T0 + 40 * MINUTE,
        account: "bob",
        symbol: DELIVERY,
        qty: "-2",
        settlementPrice: "106.67",
        pnl: "-13.54",
      },
      {
        time: T0 + 40 * MINUTE,
        account: "alice",
        symbol: DELIVERY,
        qty: "2",
        settlementPrice: "106.67",
        pnl: "13.14",
      },
    ]);
    expect(wallet(t, "alice")).toBe(alice + usdt("13.14"));
    expect(wallet(t, "bob")).toBe(bob - usdt("13.54"));
    // no margin and no reservation is left: the open order was cancelled
    expect(x.ledger.locked("alice", "USDT")).toBe(0n);
    expect(x.ledger.locked("bob", "USDT")).toBe(0n);
    expect(t.sim.openOrders("alice")).toEqual([]);
    expect(x.positions.openOn(DELIVERY)).toEqual([]);
    // the market refuses orders, naming itself and its expiry
    const order = () =>
      t.sim.placeOrder("alice", { symbol: DELIVERY, type: "market", side: "buy", amount: "1" });
    expect(order).toThrow(InvalidOrderError);
    expect(order).toThrow(/BTC\/USDT:USDT-240101 expired at 2024-01-01T00:40:00.000Z/);
    checkPerp(t.sim, total);
  });

  it("sim perp - an order at the expiry is refused even before the delivery has run", async () => {
    const t = makePerpSim([...flat(100, 20), ...flat(110, 25)], DELIVERY_VENUE);
    await t.at(39, 3);
    t.clock.advanceTo(T0 + 40 * MINUTE);
    expect(() =>
      t.sim.placeOrder("alice", {
        symbol: DELIVERY,
        type: "limit",
        side: "buy",
        amount: "1",
        price: "100",
      }),
    ).toThrow(/expired at 2024-01-01T00:40:00.000Z/);
  });
});
