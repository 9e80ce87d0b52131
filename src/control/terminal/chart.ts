/**
 * A line chart for the terminal in braille dots: each character cell holds 2 × 4 dots, so a chart
 * of W × H cells has 2W columns and 4H rows of resolution. A long series is cut into one bucket per
 * dot column and each column draws its bucket's whole range (min to max), joined to the previous
 * column, so a sharp drawdown inside a bucket stays visible. A short series is stretched by linear
 * interpolation. The y axis is labelled with the series' max (top row) and min (bottom row).
 */
import { formatNumber } from "../format.js";

export interface ChartOptions {
  /** Total width in characters, labels included. */
  width: number;
  /** Height in rows. */
  height: number;
}

/** Braille dot bits by [dy][dx], dy from the top of the cell. */
const DOT_BITS: ReadonlyArray<readonly [number, number]> = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
];

/**
 * @example
 * console.log(equityChart(result.equity, { width: process.stdout.columns ?? 80, height: 12 }));
 */
export function equityChart(
  points: ReadonlyArray<{ time: number; equity: number }>,
  options: ChartOptions,
): string {
  return lineChart(
    points.map((p) => p.equity),
    options,
  );
}

export function lineChart(values: ArrayLike<number>, options: ChartOptions): string {
  const n = values.length;
  if (n === 0) return "(no data)";
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const top = formatNumber(max);
  const bottom = formatNumber(min);
  const labelWidth = Math.max(top.length, bottom.length);
  const height = Math.max(1, Math.floor(options.height));
  const cells = Math.max(1, Math.floor(options.width) - labelWidth - 2);
  const cols = cells * 2;
  const rows = height * 4;
  const span = max - min;
  const level = (v: number) => (span > 0 ? Math.round(((v - min) / span) * (rows - 1)) : 0);

  const grid = new Uint8Array(height * cells);
  const plot = (x: number, lo: number, hi: number) => {
    for (let l = lo; l <= hi; l++) {
      const r = rows - 1 - l;
      const bits = DOT_BITS[r & 3]!;
      grid[(r >> 2) * cells + (x >> 1)]! |= bits[x & 1]!;
    }
  };

  let prev = -1;
  for (let x = 0; x < cols; x++) {
    let lo: number;
    let hi: number;
    let last: number;
    if (n >= cols) {
      const start = Math.floor((x * n) / cols);
      const end = Math.floor(((x + 1) * n) / cols);
      lo = Number.POSITIVE_INFINITY;
      hi = Number.NEGATIVE_INFINITY;
      for (let i = start; i < end; i++) {
        const l = level(values[i]!);
        if (l < lo) lo = l;
        if (l > hi) hi = l;
      }
      last = level(values[end - 1]!);
    } else {
      const pos = cols === 1 ? 0 : (x * (n - 1)) / (cols - 1);
      const i = Math.min(Math.floor(pos), n - 1);
      const a = values[i]!;
      const b = values[Math.min(i + 1, n - 1)]!;
      last = level(a + (b - a) * (pos - i));
      lo = last;
      hi = last;
    }
    if (prev >= 0) {
      lo = Math.min(lo, prev);
      hi = Math.max(hi, prev);
    }
    plot(x, lo, hi);
    prev = last;
  }

  const lines: string[] = [];
  for (let row = 0; row < height; row++) {
    let label = "";
    if (row === 0) label = top;
    else if (row === height - 1) label = bottom;
    const axis = label === "" ? "│" : "┤";
    let line = `${label.padStart(labelWidth)} ${axis}`;
    for (let c = 0; c < cells; c++) {
      const bits = grid[row * cells + c]!;
      line += bits === 0 ? " " : String.fromCharCode(0x2800 + bits);
    }
    lines.push(line);
  }
  return lines.join("\n");
}
