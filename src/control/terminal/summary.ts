/**
 * A backtest's summary as plain text: a header describing the run, then the metrics as an aligned
 * two-column table (labels left, values right-aligned).
 */
import type { BacktestResult } from "../../strategy/backtest/types.js";
import { formatNumber, formatParams, formatTime, metricRows } from "../format.js";

/**
 * @example
 * process.stdout.write(`${summaryTable(result)}\n`);
 */
export function summaryTable(result: BacktestResult): string {
  const header: Array<[string, string]> = [
    ["strategy", result.strategy],
    ["params", formatParams(result.params)],
    ["market", `${result.market} ${result.timeframe}`],
    ["range", `${formatTime(result.from)} → ${formatTime(result.to)} UTC`],
    ["candles", formatNumber(result.candles, 0)],
    ["capital", formatNumber(result.initialCapital)],
  ];
  const headerWidth = Math.max(...header.map(([label]) => label.length));
  const lines = header.map(([label, value]) => `${label.padEnd(headerWidth)}  ${printable(value)}`);

  const rows = metricRows(result.metrics);
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  lines.push("");
  for (const [label, value] of rows) {
    lines.push(`${label.padEnd(labelWidth)}  ${value.padStart(valueWidth)}`);
  }
  return lines.join("\n");
}

/** Names come from users and files: keep control characters (escape sequences) off the terminal. */
function printable(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}
