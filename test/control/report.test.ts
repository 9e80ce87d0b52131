import { describe, expect, it } from "vitest";
import { metricRows } from "../../src/control/format.js";
import {
  downsampleMinMax,
  escapeHtml,
  niceTicks,
  renderReport,
  tickDecimals,
  tradesTable,
} from "../../src/control/report/index.js";
import type { EquityPoint } from "../../src/strategy/backtest/types.js";
import { HOUR, START, sampleResult, sampleTrades } from "./sample-result.js";

const VOID_ELEMENTS = new Set(["meta", "br", "hr", "img", "input", "link"]);

/** Every element opened is closed, in order; returns the first problem or undefined. */
function tagBalanceProblem(html: string): string | undefined {
  const stack: string[] = [];
  for (const match of html.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, closing, rawName, selfClosing] = match;
    const name = rawName!.toLowerCase();
    if (selfClosing === "/" || VOID_ELEMENTS.has(name)) continue;
    if (closing === "") {
      stack.push(name);
    } else {
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open}> at ${match.index}`;
    }
  }
  return stack.length === 0 ? undefined : `unclosed: ${stack.join(", ")}`;
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** The polyline of the chart in the section whose heading starts with `heading`. */
function polylinePoints(html: string, heading: string): number {
  const section = html.split("<section>").find((s) => s.startsWith(`\n<h2>${heading}`));
  const points = section?.match(/<polyline class="line" points="([^"]*)"/)?.[1];
  return points === undefined ? 0 : points.split(" ").length;
}

describe("renderReport", () => {
  const html = renderReport(sampleResult());

  it("is one standalone document: nothing to fetch, no scripts", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    for (const forbidden of [
      "http://",
      "https://",
      "src=",
      "<script",
      "href=",
      "url(",
      "@import",
    ]) {
      expect(html).not.toContain(forbidden);
    }
  });

  it("shows every metric value", () => {
    for (const [label, value] of metricRows(sampleResult().metrics)) {
      expect(html).toContain(`<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`);
    }
    expect(html).toContain("<td>12.34%</td>");
    expect(html).toContain("<td>∞</td>");
    expect(html).toContain("<td>3d 4h</td>");
  });

  it("describes the run", () => {
    expect(html).toContain("<title>crypy backtest: sma-cross on BTC/USDT 1h</title>");
    expect(html).toContain("fast=10 slow=30");
    expect(html).toContain("2023-03-01 00:00 → 2023-03-05 00:00 UTC");
  });

  it("has equity, drawdown and price charts", () => {
    expect(count(html, "<svg ")).toBe(3);
    expect(polylinePoints(html, "Equity")).toBe(8);
    expect(polylinePoints(html, "Drawdown")).toBe(8);
    expect(polylinePoints(html, "Price")).toBe(8);
    expect(count(html, '<polygon class="area"')).toBe(1);
  });

  it("marks each trade's entry and exit once", () => {
    expect(count(html, 'class="entry-marker"')).toBe(2);
    expect(count(html, 'class="exit-marker"')).toBe(2);
    const many = Array.from({ length: 7 }, () => sampleTrades()).flat();
    const report = renderReport(sampleResult({ trades: many }));
    expect(count(report, 'class="entry-marker"')).toBe(14);
    expect(count(report, 'class="exit-marker"')).toBe(14);
  });

  it("skips the marker of an exit without a price", () => {
    const [first, second] = sampleTrades();
    const report = renderReport(
      sampleResult({ trades: [first!, { ...second!, exitPrice: Number.NaN }] }),
    );
    expect(count(report, 'class="entry-marker"')).toBe(2);
    expect(count(report, 'class="exit-marker"')).toBe(1);
  });

  it("uses the candles for the price chart when given", () => {
    const candles = {
      time: Float64Array.from([1, 2, 3, 4, 5], (k) => START + k * HOUR),
      close: Float64Array.from([100, 102, 101, 103, 104]),
    };
    expect(polylinePoints(renderReport(sampleResult(), candles), "Price")).toBe(5);
  });

  it("escapes hostile names", () => {
    const report = renderReport(
      sampleResult({
        strategy: '<script>alert("x")</script>',
        params: { "<b>bold": "<i>&" },
        market: "A&B/<C>",
      }),
    );
    expect(report).not.toContain("<script");
    expect(report).not.toContain("<b>");
    expect(report).not.toContain("<i>");
    expect(report).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(report).toContain("&lt;b&gt;bold=&lt;i&gt;&amp;");
    expect(report).toContain("A&amp;B/&lt;C&gt;");
    expect(tagBalanceProblem(report)).toBeUndefined();
  });

  it("closes every tag it opens", () => {
    expect(tagBalanceProblem(html)).toBeUndefined();
    expect(tagBalanceProblem("<p><b>x</p></b>")).toBeDefined(); // the checker itself works
  });

  it("an empty run still renders a whole document", () => {
    const report = renderReport(sampleResult({ equity: [], trades: [] }));
    expect(report).toContain("No trades.");
    expect(count(report, "no data")).toBe(3);
    expect(tagBalanceProblem(report)).toBeUndefined();
  });

  it("a million-point equity curve stays under 1 MB, drawdowns kept", () => {
    const n = 1_000_000;
    const equity: EquityPoint[] = new Array(n);
    for (let i = 0; i < n; i++) {
      // a slow rise with a one-candle crash in the middle: the peak is 10,000 + 600,000 / 100 =
      // 16,000 at i = 600,000, the crash to 8,000 a 50% drawdown
      const value = i === 600_001 ? 8_000 : 10_000 + i / 100;
      equity[i] = {
        time: START + i * 60_000,
        equity: value,
        price: 100 + i / 1e5,
        inPosition: i % 2 === 0,
      };
    }
    const report = renderReport(sampleResult({ equity, candles: n }));
    expect(report.length).toBeLessThan(1_000_000);
    expect(polylinePoints(report, "Equity")).toBeLessThanOrEqual(2_000);
    expect(polylinePoints(report, "Drawdown")).toBeLessThanOrEqual(2_000);
    // the crash survives downsampling: the lowest tick is −50% and the line reaches the bottom
    // of the plot (y = 240 − 28 = 212)
    const drawdown = report.split("<h2>Drawdown</h2>")[1]!.split("</section>")[0]!;
    expect(drawdown.includes(">-50%</text>")).toBe(true);
    const line = drawdown.match(/<polyline class="line" points="([^"]*)"/)![1]!;
    expect(line.split(" ").some((xy) => xy.endsWith(",212"))).toBe(true);
    expect(tagBalanceProblem(report)).toBeUndefined();
  });
});

describe("downsampleMinMax", () => {
  it("keeps the first, the last and each bucket's extremes, in order", () => {
    const y = Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 50));
    y[4_321] = -5;
    y[7_777] = 5;
    const x = y.map((_, i) => i);
    const out = downsampleMinMax({ x, y }, 200);
    expect(out.x.length).toBeLessThanOrEqual(200);
    expect(out.x[0]).toBe(0);
    expect(out.x.at(-1)).toBe(9_999);
    expect(out.y).toContain(-5);
    expect(out.y).toContain(5);
    for (let i = 1; i < out.x.length; i++) expect(out.x[i]!).toBeGreaterThan(out.x[i - 1]!);
  });

  it("leaves a short series as it is", () => {
    expect(downsampleMinMax({ x: [1, 2, 3], y: [4, 5, 6] }, 10)).toEqual({
      x: [1, 2, 3],
      y: [4, 5, 6],
    });
  });
});

describe("tickDecimals", () => {
  it("as many decimals as the step needs", () => {
    expect(tickDecimals(20)).toBe(0);
    expect(tickDecimals(1)).toBe(0);
    expect(tickDecimals(0.5)).toBe(1);
    expect(tickDecimals(0.1)).toBe(1);
    expect(tickDecimals(0.05)).toBe(2);
    expect(tickDecimals(0.0002)).toBe(4);
  });
});

describe("niceTicks", () => {
  it("round steps covering the range", () => {
    // (100 − 0) / 4 = 25 → step 20 (1-2-5 series)
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    // 47 / 4 = 11.75 → step 10, widened to −50
    expect(niceTicks(-47, 0)).toEqual([-50, -40, -30, -20, -10, 0]);
    // a flat series gets a ±1% band
    const flat = niceTicks(5, 5);
    expect(flat[0]!).toBeLessThan(5);
    expect(flat.at(-1)!).toBeGreaterThan(5);
  });
});

describe("tradesTable", () => {
  it("shows the first and last rows of a long list and says how many it left out", () => {
    const trades = Array.from({ length: 5 }, () => sampleTrades()[0]!);
    const table = tradesTable(trades, 2);
    expect(count(table, '<tr class="loss">')).toBe(2);
    expect(table).toContain("… 3 trades not shown …");
    expect(table).toContain("<td>1</td>");
    expect(table).toContain("<td>5</td>");
    expect(table).not.toContain("<td>2</td>");
  });
});
