import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  brailleChart,
  fitCell,
  fitTable,
  fmtAmount,
  fmtChangePct,
  fmtCompact,
  fmtExact,
  fmtLevel,
  fmtMoney,
  fmtPrice,
  fmtSigned,
  fmtSpread,
  MISSING,
  truncate,
} from "../../../src/control/dashboard/format.js";
import { formatNumber } from "../../../src/control/format.js";
import { formatDecimal, parseDecimal } from "../../../src/domain/fixed.js";

const BRAILLE = /[\u2801-\u28ff]/;
const width = (s: string) => Array.from(s).length;

describe("dashboard format - numbers", () => {
  const decimalFormatters = [fmtPrice, fmtMoney, fmtAmount, fmtSpread, fmtCompact, fmtSigned];

  it("dashboard - missing money and anything that is not decimal text read as a dash", () => {
    for (const f of [...decimalFormatters, fmtExact]) {
      for (const bad of [undefined, "", "NaN", "Infinity", "-", "1,5", "1.2.3", " 1", "+1", ".5"]) {
        expect(f(bad)).toBe(MISSING);
      }
      // Untyped JSON from the bus: a number is not decimal text, and is never shown as one.
      expect(f(12.5 as unknown as string)).toBe(MISSING);
      expect(f(Number.NaN as unknown as string)).toBe(MISSING);
    }
    for (const bad of [undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(fmtChangePct(bad)).toBe(MISSING);
      expect(fmtLevel(bad as number)).toBe(MISSING);
    }
  });

  it("dashboard - signed money shows + for gains, - for losses, nothing for zero", () => {
    expect(fmtSigned("12.5")).toBe("+12.50");
    expect(fmtSigned("-3")).toBe("-3.00");
    expect(fmtSigned("0")).toBe("0.00");
    expect(fmtSigned("-0")).toBe("0.00");
    expect(fmtSigned("0.001")).toBe("0.00");
    expect(fmtSigned("-0.001")).toBe("0.00");
    expect(fmtSigned("-0.005")).toBe("0.00");
    expect(fmtSigned("-0.0051")).toBe("-0.01");
    expect(fmtSigned("1234567.891", 0)).toBe("+1,234,568");
    expect(fmtChangePct(1.234)).toBe("+1.23%");
    expect(fmtChangePct(-0.5)).toBe("-0.50%");
    expect(fmtChangePct(0.001)).toBe("0.00%");
  });

  it("dashboard - money keeps today's look: 2 decimals and thousands separators", () => {
    expect(fmtMoney("10012.5")).toBe("10,012.50");
    expect(fmtMoney("10012.50000000")).toBe("10,012.50");
    expect(fmtMoney("-1234567")).toBe("-1,234,567.00");
    expect(fmtMoney("999.999")).toBe("1,000.00");
    expect(fmtMoney("0")).toBe("0.00");
    expect(fmtMoney("1e3")).toBe("1,000.00");
    expect(fmtMoney("5E-3")).toBe("0.00");
  });

  it("dashboard - money is rounded exactly, half-even, never through a float", () => {
    // As a float, 123456789012345.678901234 is 123456789012345.671875: toFixed(2) says "…67".
    expect(Number("123456789012345.678901234").toFixed(2)).toBe("123456789012345.67");
    expect(fmtMoney("123456789012345.678901234")).toBe("123,456,789,012,345.68");
    expect(fmtSigned("123456789012345.678901234")).toBe("+123,456,789,012,345.68");
    expect(fmtMoney("-98765432109876543210.125")).toBe("-98,765,432,109,876,543,210.12");
    // Float text (0.1 + 0.2 style) is taken at its word, digit by digit.
    expect(fmtMoney("0.058121820000000005")).toBe("0.06");
    expect(fmtAmount("0.058121820000000005")).toBe("0.0581218");
    expect(fmtAmount("0.30000000000000004")).toBe("0.300000");
    // Ties go to the even neighbour; floats get these wrong both ways (1.015 is 1.01499…).
    expect(fmtMoney("1.015")).toBe("1.02");
    expect(fmtMoney("1.025")).toBe("1.02");
    expect(fmtMoney("2.675")).toBe("2.68");
    expect(fmtMoney("-0.125")).toBe("-0.12");
    expect(fmtMoney("0.125000000000000000000001")).toBe("0.13");
  });

  it("dashboard - prices and amounts keep their significant digits, exactly", () => {
    expect(fmtPrice("20123.456")).toBe("20,123.46");
    expect(fmtPrice("5")).toBe("5.00000");
    expect(fmtPrice("0.000123456")).toBe("0.00012346");
    expect(fmtPrice("0.00000000123")).toBe("0.00000000");
    expect(fmtPrice("123456789012345.678901234")).toBe("123,456,789,012,345.68");
    expect(fmtAmount("9000")).toBe("9,000.00");
    expect(fmtAmount("0.12345678")).toBe("0.123457");
    expect(fmtAmount("0.1234565")).toBe("0.123456");
    expect(fmtAmount("-0.5")).toBe("-0.500000");
    expect(fmtAmount("0")).toBe("0.00");
    expect(fmtSpread("2.03371")).toBe("2.034");
    expect(fmtSpread("0.00203371")).toBe("0.002034");
    expect(fmtExact("0.058121820000000005")).toBe("0.058121820000000005");
    expect(fmtLevel(20_123.456)).toBe("20,123.46");
  });

  it("dashboard - volumes are compact, exactly", () => {
    expect(fmtCompact("1234567")).toBe("1.23M");
    expect(fmtCompact("617283.5")).toBe("617.28k");
    expect(fmtCompact("1005")).toBe("1.00k");
    expect(fmtCompact("1015")).toBe("1.02k");
    expect(fmtCompact("42")).toBe("42.00");
    expect(fmtCompact("999")).toBe("999.00");
    expect(fmtCompact("123456789012345678.9")).toBe("123,456.79T");
    expect(fmtCompact("-2500000000")).toBe("-2.50B");
  });

  it("dashboard - money with cents reads as it did through floats, digit for digit", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(10 ** 13), max: 10 ** 13 }), (cents) => {
        const text = formatDecimal(BigInt(cents), 2);
        expect(fmtMoney(text)).toBe(formatNumber(cents / 100, 2));
      }),
    );
  });

  it("dashboard - rounding for display is one half-even rounding of the exact value", () => {
    const decimal = fc
      .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 30 }))
      .map(([units, scale]) => formatDecimal(units, scale));
    fc.assert(
      fc.property(decimal, (text) => {
        const shown = fmtMoney(text);
        expect(shown).toMatch(/^-?\d{1,3}(,\d{3})*\.\d\d$/);
        expect(parseDecimal(shown.replaceAll(",", ""), 2)).toBe(parseDecimal(text, 2, "half-even"));
        expect(fmtSigned(text).replace(/^\+/, "")).toBe(shown);
      }),
    );
  });
});

describe("dashboard format - cells and tables", () => {
  it("dashboard - truncating marks the cut with an ellipsis", () => {
    expect(truncate("BTC/USDT", 8)).toBe("BTC/USDT");
    expect(truncate("BTC/USDT", 5)).toBe("BTC/…");
    expect(truncate("BTC/USDT", 0)).toBe("");
    expect(fitCell("ab", 4)).toBe("ab  ");
    expect(fitCell("ab", 4, "right")).toBe("  ab");
    expect(fitCell("abcdef", 4, "right")).toBe("abc…");
  });

  const columns = [
    { title: "pair", minWidth: 4 },
    { title: "strategy", drop: 2 },
    { title: "PnL", align: "right" as const },
    { title: "id", drop: 3 },
  ];
  const rows = [
    ["BTC/USDT", "sma-cross", "+16.86", "t-btc-1"],
    ["ETH/USDT", "rsi", "-2.00", "t-eth-1"],
  ];
  const joined = (t: ReturnType<typeof fitTable>) =>
    [t.header, ...t.rows].map((r) => r.join(t.gap));

  it("dashboard - a table with room gets two spaces between aligned columns", () => {
    expect(joined(fitTable(columns, rows, 80))).toEqual([
      "pair      strategy      PnL  id     ",
      "BTC/USDT  sma-cross  +16.86  t-btc-1",
      "ETH/USDT  rsi         -2.00  t-eth-1",
    ]);
  });

  it("dashboard - a narrow table drops the least important column before cutting cells", () => {
    const t = fitTable(columns, rows, 30);
    expect(t.kept).toEqual([0, 1, 2]);
    expect(joined(t)[1]).toBe("BTC/USDT  sma-cross  +16.86");
    const narrower = fitTable(columns, rows, 12);
    expect(narrower.kept).toEqual([0, 2]);
    for (const line of joined(narrower)) expect(width(line)).toBeLessThanOrEqual(12);
    expect(joined(fitTable(columns, rows, 10))[1]).toBe("BTC… +16.86");
  });

  it("dashboard - a table without rows still has its header", () => {
    const t = fitTable(columns, [], 40);
    expect(t.rows).toEqual([]);
    expect(t.header.join(t.gap)).toBe("pair  strategy  PnL  id");
  });
});

describe("dashboard format - braille chart", () => {
  const dotted = (lines: string[]) => lines.map((l) => BRAILLE.test(l));

  it("dashboard - a chart of a constant series is a flat line", () => {
    const lines = brailleChart([5, 5, 5, 5], 30, 3);
    expect(lines).toHaveLength(3);
    expect(dotted(lines)).toEqual([false, true, false]);
    expect(lines[0]).toMatch(/^5\.00000 ┤/);
    expect(lines[2]).toMatch(/^5\.00000 ┤/);
    // Every dot column drawn, all on the same dot row: the same character across.
    const dots = lines[1]!.slice(lines[1]!.indexOf("│") + 1);
    expect(new Set(Array.from(dots)).size).toBe(1);
  });

  it("dashboard - a chart of one value is a flat line; of none, a message", () => {
    expect(dotted(brailleChart([42], 20, 4))).toContain(true);
    const empty = brailleChart([], 20, 4);
    expect(empty).toEqual(["no prices yet", "", "", ""]);
    expect(brailleChart([Number.NaN, Number.POSITIVE_INFINITY], 20, 2)[0]).toBe("no prices yet");
  });

  it("dashboard - a rising series goes from the bottom left to the top right, labelled", () => {
    const lines = brailleChart([1, 2, 3, 4, 5, 6, 7, 8], 24, 4);
    expect(lines[0]).toMatch(/^8\.00000 ┤/);
    expect(lines[3]).toMatch(/^1\.00000 ┤/);
    const plot = lines.map((l) => Array.from(l).slice("8.00000 ┤".length));
    expect(BRAILLE.test(plot[0]!.at(-1)!)).toBe(true);
    expect(BRAILLE.test(plot[3]![0]!)).toBe(true);
    expect(BRAILLE.test(plot[0]![0]!)).toBe(false);
  });

  it("dashboard - a spike inside a long series stays visible", () => {
    const series = Array.from({ length: 1_000 }, (_, i) => (i === 500 ? 100 : 1));
    const lines = brailleChart(series, 20, 4);
    expect(BRAILLE.test(lines[0]!.slice(lines[0]!.indexOf("┤") + 1))).toBe(true);
  });

  it("dashboard - a chart too narrow for labels draws only dots", () => {
    const lines = brailleChart([1, 20_000], 10, 2);
    expect(lines.every((l) => !l.includes("┤") && width(l) === 10)).toBe(true);
  });

  it("dashboard - any series fits its box exactly and never throws", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double(), fc.constant(Number.NaN)), { maxLength: 400 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 30 }),
        (values, w, h) => {
          const lines = brailleChart(values, w, h);
          expect(lines).toHaveLength(Math.max(1, h));
          for (const line of lines) expect(width(line)).toBeLessThanOrEqual(Math.max(1, w));
        },
      ),
    );
  });
});
