import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  brailleChart,
  fitCell,
  fitTable,
  fmtAmount,
  fmtChangePct,
  fmtCompact,
  fmtMoney,
  fmtPrice,
  fmtSigned,
  fmtSpread,
  MISSING,
  truncate,
} from "../../../src/control/dashboard/format.js";

const BRAILLE = /[\u2801-\u28ff]/;
const width = (s: string) => Array.from(s).length;

describe("dashboard format - numbers", () => {
  it("dashboard - missing and non-finite numbers read as a dash", () => {
    for (const f of [
      fmtPrice,
      fmtMoney,
      fmtAmount,
      fmtSpread,
      fmtCompact,
      fmtChangePct,
      fmtSigned,
    ]) {
      expect(f(undefined)).toBe(MISSING);
      expect(f(Number.NaN)).toBe(MISSING);
      expect(f(Number.POSITIVE_INFINITY)).toBe(MISSING);
    }
  });

  it("dashboard - signed numbers show + for gains, - for losses, nothing for zero", () => {
    expect(fmtSigned(12.5)).toBe("+12.50");
    expect(fmtSigned(-3)).toBe("-3.00");
    expect(fmtSigned(0)).toBe("0.00");
    expect(fmtSigned(0.001)).toBe("0.00");
    expect(fmtSigned(-0.001)).toBe("0.00");
    expect(fmtChangePct(1.234)).toBe("+1.23%");
    expect(fmtChangePct(-0.5)).toBe("-0.50%");
  });

  it("dashboard - prices keep their significant digits, volumes are compact", () => {
    expect(fmtPrice(20_123.456)).toBe("20,123.46");
    expect(fmtPrice(5)).toBe("5.00000");
    expect(fmtPrice(0.000123456)).toBe("0.00012346");
    expect(fmtAmount(9_000)).toBe("9,000.00");
    expect(fmtAmount(0.12345678)).toBe("0.123457");
    expect(fmtSpread(2.03371)).toBe("2.034");
    expect(fmtCompact(1_234_567)).toBe("1.23M");
    expect(fmtCompact(617_283.5)).toBe("617.28k");
    expect(fmtCompact(42)).toBe("42.00");
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
