/**
 * HTML tables for the report: the run, its metrics and its trades. Every value passes through
 * `escapeHtml`; numbers read as in the terminal summary (shared formatters).
 */
import type { BacktestResult, Metrics, TradeRecord } from "../../strategy/backtest/types.js";
import {
  formatDuration,
  formatNumber,
  formatParams,
  formatPercent,
  formatSignificant,
  formatTime,
  metricRows,
} from "../format.js";
import { escapeHtml } from "./escape.js";

/** Beyond this the trades table shows the first and last half and says how many it left out. */
export const MAX_TRADE_ROWS = 1_000;

export function runTable(result: BacktestResult): string {
  return keyValueTable("run", [
    ["Strategy", result.strategy],
    ["Params", formatParams(result.params)],
    ["Market", result.market],
    ["Timeframe", result.timeframe],
    ["Range", `${formatTime(result.from)} → ${formatTime(result.to)} UTC`],
    ["Candles", formatNumber(result.candles, 0)],
    ["Initial capital", formatNumber(result.initialCapital)],
  ]);
}

export function metricsTable(metrics: Metrics): string {
  return keyValueTable("metrics", metricRows(metrics));
}

function keyValueTable(className: string, rows: ReadonlyArray<readonly [string, string]>): string {
  const body = rows
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join("\n");
  return `<table class="${className}">\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const TRADE_COLUMNS = [
  "#",
  "Side",
  "Entry",
  "Exit",
  "Held",
  "Entry price",
  "Exit price",
  "Amount",
  "PnL",
  "Return",
  "Fees",
  "Exit reason",
];

export function tradesTable(trades: readonly TradeRecord[], maxRows = MAX_TRADE_ROWS): string {
  if (trades.length === 0) return '<p class="empty">No trades.</p>';
  const head = TRADE_COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const rows: string[] = [];
  const omitted = Math.max(0, trades.length - maxRows);
  const firstHalf = omitted > 0 ? Math.ceil(maxRows / 2) : trades.length;
  for (let i = 0; i < trades.length; i++) {
    if (i === firstHalf && omitted > 0) {
      const note = `… ${formatNumber(omitted, 0)} trades not shown …`;
      rows.push(`<tr class="omitted"><td colspan="${TRADE_COLUMNS.length}">${note}</td></tr>`);
      i += omitted - 1;
      continue;
    }
    rows.push(tradeRow(i + 1, trades[i]!));
  }
  return [
    '<table class="trades">',
    `<thead><tr>${head}</tr></thead>`,
    "<tbody>",
    ...rows,
    "</tbody>",
    "</table>",
  ].join("\n");
}

function tradeRow(index: number, t: TradeRecord): string {
  const cells = [
    formatNumber(index, 0),
    t.side,
    formatTime(t.entryTime),
    formatTime(t.exitTime),
    formatDuration(t.exitTime - t.entryTime),
    formatSignificant(t.entryPrice),
    formatSignificant(t.exitPrice),
    formatSignificant(t.amount),
    formatNumber(t.pnl),
    formatPercent(t.returnPct),
    formatNumber(t.fees),
    t.exitReason,
  ];
  const tone = t.pnl > 0 ? "win" : t.pnl < 0 ? "loss" : "flat";
  return `<tr class="${tone}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`;
}
