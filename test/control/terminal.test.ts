import { describe, expect, it } from "vitest";
import {
  formatDuration,
  formatNumber,
  formatParams,
  formatPercent,
  formatTime,
} from "../../src/control/format.js";
import {
  equityChart,
  lineChart,
  Progress,
  progressBar,
  summaryTable,
} from "../../src/control/terminal/index.js";
import { HOUR, sampleResult } from "./sample-result.js";

describe("format", () => {
  it("numbers: grouping, rounding, no negative zero, infinities", () => {
    expect(formatNumber(1_234_567.891)).toBe("1,234,567.89");
    expect(formatNumber(-1_000)).toBe("-1,000.00");
    expect(formatNumber(999.999)).toBe("1,000.00");
    expect(formatNumber(-0.001)).toBe("0.00");
    expect(formatNumber(42, 0)).toBe("42");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("∞");
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe("-∞");
    expect(formatNumber(Number.NaN)).toBe("n/a");
  });

  it("percentages with 2 decimals, Infinity as ∞", () => {
    expect(formatPercent(0.1234)).toBe("12.34%");
    expect(formatPercent(-0.05)).toBe("-5.00%");
    expect(formatPercent(12.5)).toBe("1,250.00%");
    expect(formatPercent(Number.POSITIVE_INFINITY)).toBe("∞");
  });

  it("durations: the two largest units", () => {
    expect(formatDuration(3 * 24 * HOUR + 4 * HOUR + 59 * 60_000)).toBe("3d 4h");
    expect(formatDuration(3 * 24 * HOUR)).toBe("3d");
    expect(formatDuration(1.5 * HOUR)).toBe("1h 30m");
    expect(formatDuration(125_000)).toBe("2m 5s");
    expect(formatDuration(42_000)).toBe("42s");
    expect(formatDuration(250)).toBe("250ms");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("∞");
  });

  it("times in UTC and params", () => {
    expect(formatTime(Date.UTC(2023, 2, 1, 13, 5))).toBe("2023-03-01 13:05");
    expect(formatParams({ fast: 10, kind: "ema" })).toBe("fast=10 kind=ema");
    expect(formatParams({})).toBe("(none)");
  });
});

describe("summaryTable", () => {
  it("header lines then an aligned metrics table", () => {
    expect(summaryTable(sampleResult())).toBe(
      [
        "strategy  sma-cross",
        "params    fast=10 slow=30",
        "market    BTC/USDT 1h",
        "range     2023-03-01 00:00 → 2023-03-05 00:00 UTC",
        "candles   96",
        "capital   10,000.00",
        "",
        "Total return            12.34%",
        "CAGR                   250.00%",
        "Buy & hold return       -5.00%",
        "Volatility (ann.)       45.67%",
        "Sharpe                    1.50",
        "Sortino                      ∞",
        "Calmar                    3.21",
        "Max drawdown             7.89%",
        "Max drawdown duration    3d 4h",
        "Trades                       2",
        "Win rate                50.00%",
        "Profit factor             1.75",
        "Expectancy              617.00",
        "Avg holding time        1h 30m",
        "Exposure                25.00%",
        "Fees                     12.35",
      ].join("\n"),
    );
  });

  it("keeps control characters from names off the terminal", () => {
    const text = summaryTable(sampleResult({ strategy: "evil\u001b[2Jname" }));
    expect(text).not.toContain("\u001b");
    expect(text.split("\n")[0]).toBe("strategy  evil?[2Jname");
  });
});

describe("equityChart", () => {
  const at = (equity: number[]) => equity.map((e, i) => ({ time: i, equity: e }));

  it("draws a rising series in braille with min/max labels", () => {
    // labels "7.00"/"0.00" (4) + " ┤" leave 2 cells = 4 dot columns, 2 rows = 8 dot rows.
    // levels round(v/7 × 7): 0, 2, 5, 7; each column spans from the previous level to its own:
    // col0 [0,0], col1 [0,2], col2 [2,5], col3 [5,7]. Dot row from the top = 7 − level.
    // bottom cell 0: col0 dy3 (0x40) + col1 dy3,2,1 (0x80|0x20|0x10) = 0xF0 ⣰
    // bottom cell 1: col2 levels 2,3 → dy1,0 (0x02|0x01) = 0x03 ⠃
    // top cell 1: col2 levels 4,5 → dy3,2 (0x40|0x04), col3 levels 5..7 → dy2,1,0 (0x20|0x10|0x08) = 0x7C ⡼
    expect(equityChart(at([0, 2, 5, 7]), { width: 8, height: 2 })).toBe(
      ["7.00 ┤ ⡼", "0.00 ┤⣰⠃"].join("\n"),
    );
  });

  it("a flat series is one line on the bottom row", () => {
    expect(equityChart(at([5, 5, 5, 5]), { width: 8, height: 2 })).toBe(
      ["5.00 ┤  ", "5.00 ┤⣀⣀"].join("\n"),
    );
  });

  it("stretches a short series and keeps every line at the requested width", () => {
    const chart = lineChart([1, 3], { width: 20, height: 3 });
    const lines = chart.split("\n");
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toHaveLength(20);
    expect(lines[0]!.startsWith("3.00 ┤")).toBe(true);
    expect(lines[1]!.startsWith("     │")).toBe(true);
    expect(lines[2]!.startsWith("1.00 ┤")).toBe(true);
  });

  it("downsampling keeps a one-point crash visible", () => {
    const values = Array.from({ length: 100_000 }, (_, i) => (i === 50_123 ? 0 : 100));
    const lines = lineChart(values, { width: 30, height: 4 }).split("\n");
    expect(lines[3]!.startsWith("  0.00 ┤")).toBe(true);
    // the bottom row has dots only where the crash is
    expect(lines[3]!.slice(8).trim()).not.toBe("");
    expect(lines[0]!.slice(8)).toMatch(/^[\u2800-\u28ff]+$/);
  });

  it("no points", () => {
    expect(equityChart([], { width: 40, height: 5 })).toBe("(no data)");
  });
});

describe("progressBar", () => {
  it("shows the bar, percentage and counts", () => {
    expect(progressBar(520_000, 1_000_000, 10)).toBe("[#####.....] 52% 520,000/1,000,000 candles");
    expect(progressBar(0, 3, 4, "runs")).toBe("[....] 0% 0/3 runs");
    expect(progressBar(3, 3, 4, "runs")).toBe("[####] 100% 3/3 runs");
    expect(progressBar(5, 3, 4)).toBe("[####] 100% 5/3 candles");
    expect(progressBar(0, 0, 4)).toBe("[####] 100% 0/0 candles");
  });
});

describe("Progress", () => {
  function sink(isTTY: boolean) {
    const writes: string[] = [];
    return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } };
  }

  it("writes nothing when the stream is not a TTY", () => {
    const { writes, stream } = sink(false);
    const progress = new Progress(stream, 10, { width: 4 }, () => 0);
    progress.update(5);
    progress.update(10);
    progress.finish();
    expect(writes).toEqual([]);
  });

  it("redraws with \\r at most once per interval, always on completion", () => {
    const { writes, stream } = sink(true);
    let now = 0;
    const progress = new Progress(stream, 10, { width: 4, unit: "runs" }, () => now);
    for (const [t, done] of [
      [0, 1],
      [50, 2],
      [100, 3],
      [150, 4],
      [250, 5],
      [260, 10],
    ] as const) {
      now = t;
      progress.update(done);
    }
    progress.finish();
    expect(writes).toEqual([
      "\r[....] 10% 1/10 runs",
      "\r[#...] 30% 3/10 runs",
      "\r[##..] 50% 5/10 runs",
      "\r[####] 100% 10/10 runs",
      "\r[####] 100% 10/10 runs",
      "\n",
    ]);
  });
});
