/**
 * A backtest as one standalone HTML document: it opens from disk with no network (inline CSS and
 * inline SVG only; no scripts, fonts, images or links to fetch). Sections: the run, its metrics,
 * equity, drawdown, price with trade markers, and the trades. Each chart holds at most
 * MAX_CHART_POINTS points, so a million-candle run still gives a small file.
 */
import type { BacktestResult, EquityPoint, TradeRecord } from "../../strategy/backtest/types.js";
import { formatNumber, formatSignificant, formatTime } from "../format.js";
import { escapeHtml } from "./escape.js";
import { type Marker, type Series, svgLineChart } from "./svg-chart.js";
import { metricsTable, runTable, tradesTable } from "./tables.js";

export interface PriceSeries {
  time: ArrayLike<number>;
  close: ArrayLike<number>;
}

/**
 * @param candles the run's candles for the price chart; without them it uses the closes recorded
 *   in the equity curve.
 * @example
 * await writeFile("report.html", renderReport(result, candles));
 */
export function renderReport(result: BacktestResult, candles?: PriceSeries): string {
  const title = `${result.strategy} on ${result.market} ${result.timeframe}`;
  const equity = equitySeries(result.equity);
  const price: Series =
    candles === undefined ? priceSeries(result.equity) : { x: candles.time, y: candles.close };
  const body = [
    `<h1>Backtest: ${escapeHtml(title)}</h1>`,
    `<p class="desc">${escapeHtml(description(result))}</p>`,
    section("Run", runTable(result)),
    section("Metrics", metricsTable(result.metrics)),
    section(
      "Equity",
      svgLineChart(equity, {
        label: "Equity",
        yFormat: (v, decimals) => formatNumber(v, decimals),
      }),
    ),
    section(
      "Drawdown",
      svgLineChart(drawdownSeries(result.equity, result.initialCapital), {
        label: "Drawdown",
        yFormat: (v, decimals) => `${formatNumber(v, decimals)}%`,
        area: true,
      }),
    ),
    section(
      "Price and trades",
      svgLineChart(price, {
        label: "Price",
        yFormat: (v, decimals) => formatNumber(v, decimals),
        markers: tradeMarkers(result.trades),
      }),
    ),
    section(`Trades (${formatNumber(result.trades.length, 0)})`, tradesTable(result.trades)),
  ];
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>crypy backtest: ${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    ...body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function description(r: BacktestResult): string {
  return (
    `${r.strategy} traded ${r.market} on ${r.timeframe} candles from ${formatTime(r.from)} to ` +
    `${formatTime(r.to)} UTC (${formatNumber(r.candles, 0)} candles) with ` +
    `${formatNumber(r.initialCapital)} initial capital.`
  );
}

function section(heading: string, content: string): string {
  return `<section>\n<h2>${escapeHtml(heading)}</h2>\n${content}\n</section>`;
}

function equitySeries(points: readonly EquityPoint[]): Series {
  const x = new Float64Array(points.length);
  const y = new Float64Array(points.length);
  points.forEach((p, i) => {
    x[i] = p.time;
    y[i] = p.equity;
  });
  return { x, y };
}

function priceSeries(points: readonly EquityPoint[]): Series {
  const x = new Float64Array(points.length);
  const y = new Float64Array(points.length);
  points.forEach((p, i) => {
    x[i] = p.time;
    y[i] = p.price;
  });
  return { x, y };
}

/** Percent below the running peak (≤ 0), the initial capital being the first peak. */
function drawdownSeries(points: readonly EquityPoint[], initialCapital: number): Series {
  const x = new Float64Array(points.length);
  const y = new Float64Array(points.length);
  let peak = initialCapital;
  points.forEach((p, i) => {
    if (p.equity > peak) peak = p.equity;
    x[i] = p.time;
    y[i] = peak > 0 ? (p.equity / peak - 1) * 100 : 0;
  });
  return { x, y };
}

/** One ▲ per entry and one ▼ per exit (an exit without a fill price has no marker). */
function tradeMarkers(trades: readonly TradeRecord[]): Marker[] {
  const markers: Marker[] = [];
  for (const t of trades) {
    markers.push({
      x: t.entryTime,
      y: t.entryPrice,
      kind: "entry",
      title: `enter ${t.side} ${formatTime(t.entryTime)} @ ${formatSignificant(t.entryPrice)}`,
    });
    markers.push({
      x: t.exitTime,
      y: t.exitPrice,
      kind: "exit",
      title: `exit (${t.exitReason}) ${formatTime(t.exitTime)} @ ${formatSignificant(t.exitPrice)}, pnl ${formatNumber(t.pnl)}`,
    });
  }
  return markers;
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #6b7280; --line: #2563eb; --grid: #e5e7eb; --bg: #ffffff; }
@media (prefers-color-scheme: dark) { :root { --fg: #e5e7eb; --muted: #9ca3af; --line: #60a5fa; --grid: #374151; --bg: #111827; } }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); max-width: 1000px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid var(--grid); }
.desc, .empty { color: var(--muted); }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 2px 10px; text-align: right; border-bottom: 1px solid var(--grid); }
.run th, .metrics th { text-align: left; font-weight: normal; color: var(--muted); }
.trades { width: 100%; font-size: 12px; }
.trades th { position: sticky; top: 0; background: var(--bg); }
.trades tr.win td:nth-child(9) { color: #16a34a; }
.trades tr.loss td:nth-child(9) { color: #dc2626; }
.trades tr.omitted td { text-align: center; color: var(--muted); }
.chart { width: 100%; height: auto; }
.chart .grid line { stroke: var(--grid); stroke-width: 1; }
.chart .axis line { stroke: var(--muted); stroke-width: 1; }
.chart text { fill: var(--muted); font-size: 11px; }
.chart .line { fill: none; stroke: var(--line); stroke-width: 1.2; stroke-linejoin: round; }
.chart .area { fill: #dc2626; fill-opacity: 0.25; stroke: none; }
.chart .entry-marker { fill: #16a34a; }
.chart .exit-marker { fill: #dc2626; }
`;
