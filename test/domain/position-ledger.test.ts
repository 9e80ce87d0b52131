import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import type { Order } from "../../src/domain/order.js";
import { fillSince, knownFee } from "../../src/domain/order-progress.js";
import { PositionLedger } from "../../src/domain/position-ledger.js";

const btc = () => new PositionLedger({ base: "BTC", quote: "USDT", baseScale: 8, quoteScale: 8 });

describe("position ledger - exact quantity, entry, realised and unrealised PnL, fees", () => {
  it("position - a long bought with a base fee and sold with a quote fee realises net of both", () => {
    const p = btc();
    p.apply({ side: "buy", amount: "1", cost: "100", fee: { currency: "BTC", cost: "0.001" } });
    expect(p.view()).toEqual({
      quantity: "0.999",
      averageEntry: "100.1001001",
      basis: "100",
      realised: "0",
      fees: "0.1",
    });
    expect(p.view("110").unrealised).toBe("9.89");
    p.apply({
      side: "sell",
      amount: "0.999",
      cost: "109.89",
      fee: { currency: "USDT", cost: "0.10989" },
    });
    expect(p.view()).toEqual({ quantity: "0", basis: "0", realised: "9.78011", fees: "0.20989" });
    expect(p.flat).toBe(true);
  });

  it("position - a partial close takes its share of the basis; the rest keeps its entry", () => {
    const p = btc();
    p.apply({ side: "buy", amount: "0.3", cost: "30" });
    p.apply({ side: "buy", amount: "0.1", cost: "14" });
    expect(p.averageEntry(2)).toBe("110");
    p.apply({ side: "sell", amount: "0.1", cost: "12" });
    expect(p.view()).toMatchObject({
      quantity: "0.3",
      basis: "33",
      realised: "1",
      averageEntry: "110",
    });
  });

  it("position - a sell beyond the long closes it and opens a short with the rest", () => {
    const p = btc();
    p.apply({ side: "buy", amount: "1", cost: "100" });
    p.apply({ side: "sell", amount: "3", cost: "330" });
    expect(p.view()).toMatchObject({
      quantity: "-2",
      basis: "-220",
      realised: "10",
      averageEntry: "110",
    });
    expect(p.view("100").unrealised).toBe("20");
    p.apply({ side: "buy", amount: "2", cost: "180" });
    expect(p.view()).toMatchObject({ quantity: "0", basis: "0", realised: "50" });
  });

  it("position - fees in a third currency are kept apart, not priced", () => {
    const p = btc();
    p.apply({ side: "buy", amount: "1", cost: "100", fee: { currency: "BNB", cost: "0.01" } });
    p.apply({ side: "buy", amount: "1", cost: "100", fee: { currency: "BNB", cost: "0.02" } });
    expect(p.otherFees.get("BNB")).toBe("0.03");
    expect(p.fees).toBe(0n);
  });

  it("position - a malformed fill is refused, naming the field, and nothing changes", () => {
    const p = btc();
    p.apply({ side: "buy", amount: "1", cost: "100" });
    expect(() => p.apply({ side: "buy", amount: "x", cost: "1" })).toThrow(InvalidInputError);
    expect(() => p.apply({ side: "buy", amount: "x", cost: "1" })).toThrow(/fill amount/);
    expect(p.view()).toMatchObject({ quantity: "1", basis: "100" });
  });

  it("position - an execution in minor units leaves the position its decimal fill leaves", () => {
    const execution = fc.record({
      buy: fc.boolean(),
      amount: fc.bigInt({ min: 1n, max: 10n ** 10n }),
      cost: fc.bigInt({ min: 0n, max: 10n ** 14n }),
      fee: fc.bigInt({ min: 0n, max: 10n ** 6n }),
      feeInBase: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(execution, { minLength: 1, maxLength: 30 }), (executions) => {
        const byText = btc();
        const byUnits = btc();
        for (const e of executions) {
          const side = e.buy ? "buy" : "sell";
          const fee = { currency: e.feeInBase ? "BTC" : "USDT", cost: fmt(e.fee) };
          byText.apply({ side, amount: fmt(e.amount), cost: fmt(e.cost), fee });
          const baseFee = e.feeInBase ? e.fee : 0n;
          byUnits.applyUnits(side, e.amount, e.cost, baseFee, e.fee - baseFee);
          expect(byUnits.saved()).toEqual(byText.saved());
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("position - an execution in minor units without an amount, or with a negative cost or fee, is refused", () => {
    const p = btc();
    expect(() => p.applyUnits("buy", 0n, 100n, 0n, 0n)).toThrow(InvalidInputError);
    expect(() => p.applyUnits("buy", 1n, -1n, 0n, 0n)).toThrow(/positive amount/);
    expect(() => p.applyUnits("sell", 1n, 1n, -1n, 0n)).toThrow(InvalidInputError);
    expect(p.saved()).toEqual(btc().saved());
  });

  it("position - round trips conserve money: realised equals quote in minus quote out", () => {
    // Random buys and sells that end flat: realised PnL must be the sum of the quote flows, exactly.
    const fill = fc.record({
      buy: fc.boolean(),
      lots: fc.integer({ min: 1, max: 5000 }),
      price: fc.integer({ min: 1, max: 10_000_000 }),
      feePpm: fc.integer({ min: 0, max: 2000 }),
    });
    fc.assert(
      fc.property(fc.array(fill, { minLength: 1, maxLength: 30 }), (fills) => {
        const p = btc();
        let flow = 0n; // quote minor units in (sells) minus out (buys), fees included
        let position = 0n;
        const lot = 10n ** 5n; // 0.001 BTC in 1e-8 units
        for (const f of fills) {
          const amount = BigInt(f.lots) * lot;
          const cost = (BigInt(f.price) * amount) / 10n ** 8n; // price in 1e-8 USDT per BTC
          const fee = (cost * BigInt(f.feePpm)) / 1_000_000n;
          const side = f.buy ? "buy" : "sell";
          p.apply({
            side,
            amount: (Number(amount) / 1e8).toFixed(8),
            cost: fmt(cost),
            fee: { currency: "USDT", cost: fmt(fee) },
          });
          flow += f.buy ? -(cost + fee) : cost - fee;
          position += f.buy ? amount : -amount;
        }
        // Close whatever is left at price 1 with no fee, then compare.
        if (position !== 0n) {
          const amount = position > 0n ? position : -position;
          const cost = amount; // price 1 (1e8 units per 1e8 units)
          p.apply({ side: position > 0n ? "sell" : "buy", amount: fmt(amount), cost: fmt(cost) });
          flow += position > 0n ? cost : -cost;
        }
        expect(p.quantity).toBe(0n);
        expect(p.basis).toBe(0n);
        expect(p.realised).toBe(flow);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe("order progress - the fill between two states of an order", () => {
  const order = (filled: string, cost: string, fee?: string): Order => ({
    id: "1",
    clientOrderId: "c",
    timestamp: 0,
    symbol: "BTC/USDT",
    type: "limit",
    side: "buy",
    timeInForce: "GTC",
    price: "100",
    amount: "1",
    filled,
    remaining: "0",
    cost,
    status: "open",
    postOnly: false,
    reduceOnly: false,
    ...(fee === undefined ? {} : { fee: { currency: "BTC", cost: fee } }),
  });

  it("order progress - differences of cumulative filled, cost and fee, exactly", () => {
    expect(fillSince(undefined, order("0.1", "10", "0.0001"))).toEqual({
      side: "buy",
      amount: "0.1",
      cost: "10",
      fee: { currency: "BTC", cost: "0.0001" },
    });
    expect(fillSince(order("0.1", "10", "0.0001"), order("0.3", "30.7", "0.0003"))).toEqual({
      side: "buy",
      amount: "0.2",
      cost: "20.7",
      fee: { currency: "BTC", cost: "0.0002" },
    });
    expect(fillSince(order("0.3", "30"), order("0.3", "30"))).toBeUndefined();
    expect(() => fillSince(order("0.3", "30"), order("0.1", "10"))).toThrow(/went backwards/);
  });

  it("order progress - a fee told after the execution is a fee-only fill at the order's average price", () => {
    // binance: the REST reply says filled 0.3 with no fee; the stream's report then tells the fee.
    expect(fillSince(order("0.3", "30.3"), order("0.3", "30.3", "0.0003"))).toEqual({
      side: "buy",
      amount: "0",
      cost: "0",
      fee: { currency: "BTC", cost: "0.0003" },
      price: "101",
    });
    expect(fillSince(order("0.3", "30.3", "0.0003"), order("0.3", "30.3", "0.0003"))).toBe(
      undefined,
    );
  });

  it("order progress - a fee a later state leaves out is remembered, so the next counts only what is new", () => {
    const withFee = order("0.1", "10", "0.0001");
    const restReply = order("0.2", "20"); // more filled, no fee told
    expect(knownFee(withFee, restReply)).toEqual({ currency: "BTC", cost: "0.0001" });
    const remembered = { ...restReply, fee: { currency: "BTC", cost: "0.0001" } };
    expect(fillSince(remembered, order("0.2", "20", "0.0002"))?.fee).toEqual({
      currency: "BTC",
      cost: "0.0001",
    });
    expect(knownFee(order("0.2", "20", "0.0002"), withFee)).toEqual({
      currency: "BTC",
      cost: "0.0002",
    });
  });

  it("position - a buy's base fee told later leaves the same position as told with the fill", () => {
    const together = btc();
    together.apply({
      side: "buy",
      amount: "0.05794",
      cost: "3476.4",
      fee: { currency: "BTC", cost: "0.00005794" },
    });
    const apart = btc();
    apart.apply({ side: "buy", amount: "0.05794", cost: "3476.4" });
    apart.apply({
      side: "buy",
      amount: "0",
      cost: "0",
      fee: { currency: "BTC", cost: "0.00005794" },
      price: "60000",
    });
    expect(apart.view()).toEqual(together.view());
    expect(apart.view().quantity).toBe("0.05788206");
    expect(apart.view().fees).toBe("3.4764");
  });
});

function fmt(units: bigint): string {
  const neg = units < 0n;
  const s = (neg ? -units : units).toString().padStart(9, "0");
  return `${neg ? "-" : ""}${s.slice(0, -8)}.${s.slice(-8)}`;
}
