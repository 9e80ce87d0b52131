/**
 * How numbers, times and durations read in front of a human, shared by the terminal summary and
 * the HTML report so both show the same strings. Deterministic: no locale, times in UTC.
 */
import type { Metrics } from "../strategy/backtest/types.js";
import type { ParamValues } from "../strategy/strategy.js";

/** `1234567.891` → `"1,234,567.89"`; Infinity → `"∞"`; NaN → `"n/a"`. */
export function formatNumber(x: number, decimals = 2): string {
  if (Number.isNaN(x)) return "n/a";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "-∞";
  const fixed = Math.abs(x).toFixed(decimals);
  const dot = fixed.indexOf(".");
  const int = dot === -1 ? fixed : fixed.slice(0, dot);
  const frac = dot === -1 ? "" : fixed.slice(dot);
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const negative = x < 0 && /[1-9]/.test(fixed);
  return `${negative ? "-" : ""}${grouped}${frac}`;
}

/**
 * A price or quantity with about `digits` significant digits (at least 2 decimals, at most 8):
 * `20123.456` → `"20,123.46"`, `0.000123456` → `"0.00012346"`.
 */
export function formatSignificant(x: number, digits = 6): string {
  if (!Number.isFinite(x) || x === 0) return formatNumber(x);
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  return formatNumber(x, Math.min(8, Math.max(2, digits - 1 - magnitude)));
}

/** A fraction as a percentage: `0.1234` → `"12.34%"`; Infinity → `"∞"`. */
export function formatPercent(fraction: number, decimals = 2): string {
  const s = formatNumber(fraction * 100, decimals);
  return Number.isFinite(fraction) ? `${s}%` : s;
}

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
];

/** The two largest units, truncated: `"3d 4h"`, `"5h"`, `"12m 5s"`; under a second `"250ms"`. */
export function formatDuration(ms: number): string {
  if (Number.isNaN(ms)) return "n/a";
  if (!Number.isFinite(ms)) return "∞";
  if (ms <= 0) return "0s";
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  for (let i = 0; i < UNITS.length; i++) {
    const [unit, size] = UNITS[i]!;
    if (ms < size) continue;
    const whole = Math.floor(ms / size);
    const next = UNITS[i + 1];
    const rest = next === undefined ? 0 : Math.floor((ms - whole * size) / next[1]);
    return rest > 0 && next !== undefined ? `${whole}${unit} ${rest}${next[0]}` : `${whole}${unit}`;
  }
  return "0s";
}

/** Epoch ms → `"2023-03-01 00:00"` (UTC). */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}

/** `{ fast: 10, slow: 30 }` → `"fast=10 slow=30"`; no params → `"(none)"`. */
export function formatParams(params: ParamValues): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return "(none)";
  return entries.map(([k, v]) => `${k}=${v}`).join(" ");
}

/** The metrics as labelled strings, in reading order. */
export function metricRows(m: Metrics): Array<[label: string, value: string]> {
  return [
    ["Total return", formatPercent(m.totalReturn)],
    ["CAGR", formatPercent(m.cagr)],
    ["Buy & hold return", formatPercent(m.buyAndHoldReturn)],
    ["Volatility (ann.)", formatPercent(m.volatility)],
    ["Sharpe", formatNumber(m.sharpe)],
    ["Sortino", formatNumber(m.sortino)],
    ["Calmar", formatNumber(m.calmar)],
    ["Max drawdown", formatPercent(m.maxDrawdown)],
    ["Max drawdown duration", formatDuration(m.maxDrawdownDurationMs)],
    ["Trades", formatNumber(m.trades, 0)],
    ["Win rate", formatPercent(m.winRate)],
    ["Profit factor", formatNumber(m.profitFactor)],
    ["Expectancy", formatNumber(m.expectancy)],
    ["Avg holding time", formatDuration(m.avgHoldingMs)],
    ["Exposure", formatPercent(m.exposure)],
    ["Fees", formatNumber(m.fees)],
  ];
}
