/**
 * Numbers across the ccxt boundary: ccxt's text in crypy's one spelling, floats snapped to the
 * market's grid, off-grid order numbers refused rather than rounded.
 */
import { describe, expect, it } from "vitest";
import { InternalError, InvalidOrderError } from "../../../src/domain/errors.js";
import { onStep, readDecimal, snapToStep } from "../../../src/venues/ccxt/decimal.js";
import { hasFromCcxt } from "../../../src/venues/ccxt/has.js";

describe("ccxt decimals", () => {
  it("ccxt decimals - exchange text is kept exactly, in one spelling", () => {
    expect(readDecimal("50000.01000000", "x")).toBe("50000.01");
    expect(readDecimal("0.00000001", "x")).toBe("0.00000001");
    expect(readDecimal("1e-8", "x")).toBe("0.00000001");
    expect(readDecimal("123456789.123456789123", "x")).toBe("123456789.123456789123");
    expect(readDecimal(undefined, "x")).toBeUndefined();
    expect(readDecimal(0.001, "x")).toBe("0.001");
    expect(() => readDecimal("12abc", "x")).toThrow(InternalError);
    expect(() => readDecimal(Number.NaN, "x")).toThrow(InternalError);
  });

  it("ccxt decimals - a book level's float lands back on the exchange's decimal", () => {
    expect(snapToStep(41653.29, "0.01", "p")).toBe("41653.29");
    expect(snapToStep(0.1 + 0.2, "0.1", "a")).toBe("0.3");
    expect(snapToStep(1.20038, "0.00001", "a")).toBe("1.20038");
    expect(snapToStep(12345678.12345678, "0.00000001", "a")).toBe("12345678.12345678");
  });

  it("ccxt decimals - an order's number off the grid is refused, on it is kept", () => {
    expect(onStep("0.015", "0.001", "amount", "amount step")).toBe("0.015");
    expect(onStep("0.0150000", "0.005", "amount", "amount step")).toBe("0.015");
    expect(() => onStep("0.0155", "0.001", "amount", "amount step")).toThrow(InvalidOrderError);
    expect(() => onStep(String(0.1 + 0.2), "0.1", "amount", "amount step")).toThrow(
      /not a multiple of the market's amount step 0\.1/,
    );
  });

  it("ccxt has - true, emulated and false from ccxt's map; undefined is false; no pro, no watches", () => {
    const has = hasFromCcxt(
      { fetchTicker: true, fetchOHLCV: "emulated", editOrder: undefined, watchTicker: true },
      false,
    );
    expect(has.loadMarkets).toBe(true);
    expect(has.fetchTicker).toBe(true);
    expect(has.fetchOHLCV).toBe("emulated");
    expect(has.editOrder).toBe(false);
    expect(has.watchTicker).toBe(false);
    expect(hasFromCcxt({ watchTicker: true }, true).watchTicker).toBe(true);
  });
});
