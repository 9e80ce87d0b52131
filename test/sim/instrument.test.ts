import { describe, expect, it } from "vitest";
import { InternalError, InvalidOrderError } from "../../src/domain/errors.js";
import { Instrument, type InstrumentSpec } from "../../src/sim/instrument.js";

const SPEC: InstrumentSpec = {
  symbol: "BTC/USDT",
  base: "BTC",
  quote: "USDT",
  baseDecimals: 8,
  quoteDecimals: 8,
  tickSize: "0.01",
  lotSize: "0.00001",
  minQty: "0.00001",
  maxQty: "9000",
  minNotional: "5",
  makerFee: "0.00075",
  takerFee: "0.001",
};

describe("instrument - exact arithmetic", () => {
  it("instrument - cost is ticks × lots × a whole number of quote minor units", () => {
    const inst = new Instrument(SPEC);
    expect(inst.costFactor).toBe(10n); // 0.01 × 0.00001 = 1e-7 USDT = 10 minor units of 1e-8
    const ticks = inst.priceToTicks("23140.48");
    const lots = inst.amountToLots("0.12345");
    expect(inst.formatQuote(inst.cost(ticks, lots))).toBe("2856.692256");
    expect(inst.formatBase(inst.baseUnits(lots))).toBe("0.12345");
  });

  it("instrument - a fee is rounded up to the minor unit, never down", () => {
    const inst = new Instrument(SPEC);
    expect(inst.fee(1_001n, "maker")).toBe(1n); // 0.75075 → 1
    expect(inst.fee(4_000n, "maker")).toBe(3n); // exactly 3
    expect(inst.fee(4_001n, "maker")).toBe(4n); // 3.00075 → 4
    expect(inst.fee(999n, "taker")).toBe(1n);
    expect(inst.fee(0n, "taker")).toBe(0n);
  });

  it("instrument - prices and amounts off the grid or out of range are refused", () => {
    const inst = new Instrument(SPEC);
    expect(() => inst.priceToTicks("1.001")).toThrow(InvalidOrderError);
    expect(() => inst.priceToTicks("0")).toThrow(/must be positive/);
    expect(() => inst.priceToTicks("-1")).toThrow(InvalidOrderError);
    expect(() => inst.priceToTicks("abc")).toThrow(/not a multiple/);
    expect(() => inst.amountToLots("0.000001")).toThrow(/lot size 0.00001/);
    expect(() => inst.amountToLots("9000.00001")).toThrow(/maximum quantity 9000/);
    expect(() =>
      inst.checkNotional(inst.cost(inst.priceToTicks("100"), inst.amountToLots("0.04"))),
    ).toThrow("notional 4 USDT is below BTC/USDT's minimum notional 5");
  });

  it("instrument - a tick × lot finer than the quote's minor unit is refused at construction", () => {
    expect(() => new Instrument({ ...SPEC, quoteDecimals: 6 })).toThrow(InternalError);
  });
});
