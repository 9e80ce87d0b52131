import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decimalText,
  differenceText,
  exactDecimal,
  magnitude,
  roundedText,
} from "../../../src/control/dashboard/decimal-text.js";
import { formatDecimal, parseDecimal } from "../../../src/domain/fixed.js";

describe("dashboard decimal text", () => {
  it("decimal text - reads the exact value at its smallest scale", () => {
    expect(exactDecimal("-0.0500")).toEqual({ units: -5n, scale: 2 });
    expect(exactDecimal("1200")).toEqual({ units: 1200n, scale: 0 });
    expect(exactDecimal("1.2e3")).toEqual({ units: 1200n, scale: 0 });
    expect(exactDecimal("5E-3")).toEqual({ units: 5n, scale: 3 });
    expect(exactDecimal("0.000")).toEqual({ units: 0n, scale: 0 });
    expect(exactDecimal("-0")).toEqual({ units: 0n, scale: 0 });
    expect(exactDecimal("0.058121820000000005")).toEqual({
      units: 58121820000000005n,
      scale: 18,
    });
  });

  it("decimal text - anything but decimal text has no value", () => {
    for (const bad of [
      undefined,
      null,
      12.5,
      12n,
      {},
      "",
      "NaN",
      "Infinity",
      "--1",
      "--0",
      "- 1",
      "+1",
      ".5",
      "5.",
      "1,000",
      "0x10",
      "1e",
      "9".repeat(1001),
    ]) {
      expect(exactDecimal(bad)).toBeUndefined();
      expect(decimalText(bad)).toBeUndefined();
    }
    expect(decimalText("10000.5")).toBe("10000.5");
  });

  it("decimal text - a difference is exact at the finer scale", () => {
    expect(differenceText("20001.5", "20000.25")).toBe("1.25");
    expect(differenceText("0.3", "0.1")).toBe("0.2");
    expect(differenceText("20000.30000000000000004", "20000.1")).toBe("0.20000000000000004");
    expect(differenceText("1", "1.000")).toBe("0");
    expect(differenceText("1", "2")).toBe("-1");
    expect(differenceText("1", 2)).toBeUndefined();
    expect(differenceText(undefined, "2")).toBeUndefined();
  });

  it("decimal text - magnitude is the power of ten of the first significant digit", () => {
    const m = (text: string) => magnitude(exactDecimal(text)!);
    expect(m("0")).toBeUndefined();
    expect(m("1")).toBe(0);
    expect(m("9.99")).toBe(0);
    expect(m("10")).toBe(1);
    expect(m("-12345.6")).toBe(4);
    expect(m("0.05")).toBe(-2);
    expect(m("1e-300")).toBe(-300);
    expect(m("123456789012345.678901234")).toBe(14);
  });

  it("decimal text - rounds once, half-even, and groups thousands", () => {
    const r = (text: string, decimals: number, shift = 0) =>
      roundedText(exactDecimal(text)!, decimals, shift);
    expect(r("1234.565", 2)).toBe("1,234.56");
    expect(r("1234.575", 2)).toBe("1,234.58");
    expect(r("1234567", 2, 6)).toBe("1.23");
    expect(r("-0.004", 2)).toBe("0.00");
    expect(r("-0.006", 2)).toBe("-0.01");
    expect(r("999.5", 0)).toBe("1,000");
    expect(r("0.5", 0)).toBe("0");
    expect(r("1".repeat(40), 0)).toBe("1,111,111,111,111,111,111,111,111,111,111,111,111,111");
  });

  it("decimal text - rounding agrees with fixed.ts for any decimal", () => {
    const decimal = fc
      .tuple(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.integer({ min: 0, max: 40 }))
      .map(([units, scale]) => formatDecimal(units, scale));
    fc.assert(
      fc.property(decimal, fc.integer({ min: 0, max: 12 }), (text, decimals) => {
        const shown = roundedText(exactDecimal(text)!, decimals);
        const rounded = parseDecimal(text, decimals, "half-even");
        expect(parseDecimal(shown.replaceAll(",", ""), decimals)).toBe(rounded);
        expect(shown.startsWith("-")).toBe(rounded < 0n);
      }),
    );
  });
});
