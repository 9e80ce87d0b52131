/**
 * Pure text helpers for the dashboard: numbers that may be missing, tables fitted to a width, and a
 * braille price chart. Money, amounts and ticker prices come as decimal text and are rounded for
 * display exactly (decimal-text.ts), never through a float; only statistics (a percent change)
 * and candle closes (the chart) are numbers. Everything returns plain strings (no blessed tags)
 * so it can be tested without a terminal; the view adds colours. Widths count code points: the
 * dashboard runs blessed with `fullUnicode`, and the characters used here (braille, "…", "–") are
 * one column wide.
 */
import { formatNumber, formatSignificant } from "../format.js";
import { type Exact, exactDecimal, magnitude, roundedText } from "./decimal-text.js";

/** What a missing number reads as; also what anything that is not decimal text reads as. */
export const MISSING = "–";

/**
 * Places for about `digits` significant digits, at least 2 and at most 8 (as formatSignificant):
 * `20123.456` → 2, `0.000123456` → 8.
 */
function significantPlaces(x: Exact, digits: number): number {
  const power = magnitude(x);
  return power === undefined ? 2 : Math.min(8, Math.max(2, digits - 1 - power));
}

/** Decimal text with about `digits` significant digits, exactly; MISSING if it is not decimal. */
function significant(text: string | undefined, digits: number): string {
  const x = exactDecimal(text);
  return x === undefined ? MISSING : roundedText(x, significantPlaces(x, digits));
}

/** `+` before a rounded value that is above zero; zero ("0.00") has no sign. */
function withSign(rounded: string, positive: boolean): string {
  return positive && /[1-9]/.test(rounded) ? `+${rounded}` : rounded;
}

/** A ticker price with about 6 significant digits, exactly: `"20123.456"` → `20,123.46`. */
export function fmtPrice(text: string | undefined): string {
  return significant(text, 6);
}

/** A chart level, from candle closes (plain numbers, as analytics are): `0.000123456` → `0.00012346`. */
export function fmtLevel(x: number): string {
  return Number.isFinite(x) ? formatSignificant(x, 6) : MISSING;
}

/** Money in the quote asset, always 2 decimals, rounded half-even: `"10012.505"` → `10,012.50`. */
export function fmtMoney(text: string | undefined): string {
  const x = exactDecimal(text);
  return x === undefined ? MISSING : roundedText(x, 2);
}

/** An amount of an asset: `"9000"` → `9,000.00`, `"0.12345678"` → `0.123457`. */
export function fmtAmount(text: string | undefined): string {
  return significant(text, 6);
}

/** A spread needs fewer digits than the price it is a small part of: `2.034`, `0.002034`. */
export function fmtSpread(text: string | undefined): string {
  return significant(text, 4);
}

/** Decimal text exactly as sent (an order's amount as the venue has it), or MISSING. */
export function fmtExact(text: string | undefined): string {
  return exactDecimal(text) === undefined ? MISSING : (text as string);
}

/** Money with an explicit sign: `"12.5"` → `+12.50`, `"-3"` → `-3.00`; zero has none. */
export function fmtSigned(text: string | undefined, decimals = 2): string {
  const x = exactDecimal(text);
  return x === undefined ? MISSING : withSign(roundedText(x, decimals), x.units > 0n);
}

/** A value that is already a percentage (a statistic, a number): `1.234` → `+1.23%`. */
export function fmtChangePct(pct: number | undefined): string {
  if (pct === undefined || !Number.isFinite(pct)) return MISSING;
  return `${withSign(formatNumber(pct, 2), pct > 0)}%`;
}

const COMPACT: ReadonlyArray<readonly [power: number, unit: string]> = [
  [12, "T"],
  [9, "B"],
  [6, "M"],
  [3, "k"],
];

/** Volumes stay short in a narrow column, exactly: `"1234567"` → `1.23M`. */
export function fmtCompact(text: string | undefined): string {
  const x = exactDecimal(text);
  if (x === undefined) return MISSING;
  const power = magnitude(x) ?? 0;
  for (const [unitPower, unit] of COMPACT) {
    if (power >= unitPower) return `${roundedText(x, 2, unitPower)}${unit}`;
  }
  return roundedText(x, significantPlaces(x, 4));
}

/** Cuts `text` to `width` columns, ending with "…" when something was cut. */
export function truncate(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  if (width <= 0) return "";
  return `${chars.slice(0, width - 1).join("")}…`;
}

/** Truncates or pads `text` to exactly `width` columns. */
export function fitCell(text: string, width: number, align: "left" | "right" = "left"): string {
  const cut = truncate(text, width);
  const pad = " ".repeat(Math.max(0, width - Array.from(cut).length));
  return align === "right" ? pad + cut : cut + pad;
}

export interface Column {
  title: string;
  align?: "left" | "right";
  /** When the width is short, columns with the highest `drop` go first; 0 (default) stays. */
  drop?: number;
  /** Names and ids may be cut with "…" down to this width once nothing more can be dropped. */
  minWidth?: number;
}

export interface FittedTable {
  /** Indices into the given columns of those kept, in order. */
  kept: number[];
  /** The header line and each row's cells, every cell padded to its column's width. */
  header: string[];
  rows: string[][];
  /** What goes between cells. */
  gap: string;
}

/**
 * Fits a table into `width` columns: first drops columns by `drop` until the rest fit at their
 * natural widths, then puts two spaces between cells if there is room (else one), then cuts the
 * columns with a `minWidth`, widest first. A missing column reads better than a cut cell. Joined
 * with `gap`, no line is longer than `width` unless even the columns that stay, at their
 * minimum, do not fit.
 */
export function fitTable(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly string[]>,
  width: number,
): FittedTable {
  const natural = columns.map((c, i) =>
    Math.max(Array.from(c.title).length, ...rows.map((r) => Array.from(r[i] ?? "").length)),
  );
  const total = (ws: readonly number[], gap: number) =>
    ws.reduce((a, b) => a + b, 0) + gap * Math.max(0, ws.length - 1);
  const drop = (i: number) => columns[i]!.drop ?? 0;
  const kept = columns.map((_, i) => i);
  for (;;) {
    const droppable = kept.filter((i) => drop(i) > 0);
    if (
      total(
        kept.map((i) => natural[i]!),
        1,
      ) <= width ||
      droppable.length === 0
    )
      break;
    const first = droppable.reduce((a, b) => (drop(b) > drop(a) ? b : a));
    kept.splice(kept.indexOf(first), 1);
  }
  const widths = kept.map((i) => natural[i]!);
  const gap = total(widths, 2) <= width ? 2 : 1;
  let over = total(widths, gap) - width;
  const shrinkable = kept
    .map((col, k) => ({ k, min: columns[col]!.minWidth }))
    .filter((c): c is { k: number; min: number } => c.min !== undefined)
    .sort((a, b) => widths[b.k]! - widths[a.k]!);
  for (const { k, min } of shrinkable) {
    if (over <= 0) break;
    const cut = Math.min(Math.max(0, widths[k]! - min), over);
    widths[k]! -= cut;
    over -= cut;
  }
  const cells = (texts: readonly string[]) =>
    kept.map((col, k) => fitCell(texts[col] ?? "", widths[k]!, columns[col]!.align ?? "left"));
  return {
    kept,
    header: cells(columns.map((c) => c.title)),
    rows: rows.map((r) => cells(r)),
    gap: " ".repeat(gap),
  };
}

/** Braille dot bits by [dy][dx], dy from the top of the cell. */
const DOT_BITS: ReadonlyArray<readonly [number, number]> = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
];

/**
 * A line chart in braille dots (2 × 4 per cell), exactly `height` lines of at most `width`
 * columns, with the max labelled on the top line and the min on the bottom one. Missing and
 * non-finite values are skipped; a constant series is a flat line across the middle; a long
 * series draws each dot column's whole range so a spike inside a bucket stays visible.
 *
 * @example
 * box.setContent(brailleChart(market.closes, box.width, box.height).join("\n"));
 */
export function brailleChart(
  values: readonly number[],
  width: number,
  height: number,
  label: (x: number) => string = fmtLevel,
): string[] {
  const h = Math.max(1, Math.floor(height));
  const w = Math.max(1, Math.floor(width));
  const ys = values.filter((v) => Number.isFinite(v));
  const lines = new Array<string>(h).fill("");
  if (ys.length === 0) {
    lines[0] = truncate("no prices yet", w);
    return lines;
  }
  const min = Math.min(...ys);
  const max = Math.max(...ys);
  const top = label(max);
  const bottom = label(min);
  const labelWidth = Math.max(top.length, bottom.length);
  // Labels only when they leave room for a chart at least as wide as themselves.
  const labelled = w >= labelWidth * 2 + 2;
  const cells = Math.max(1, labelled ? w - labelWidth - 2 : w);
  const cols = cells * 2;
  const rows = h * 4;
  const span = max - min;
  const level = (v: number) =>
    span > 0 ? Math.round(((v - min) / span) * (rows - 1)) : Math.floor((rows - 1) / 2);

  const grid = new Uint8Array(h * cells);
  const plot = (x: number, lo: number, hi: number) => {
    for (let l = lo; l <= hi; l++) {
      const r = rows - 1 - l;
      grid[(r >> 2) * cells + (x >> 1)]! |= DOT_BITS[r & 3]![x & 1]!;
    }
  };
  const n = ys.length;
  let prev: number | undefined;
  for (let x = 0; x < cols; x++) {
    let lo: number;
    let hi: number;
    let last: number;
    if (n >= cols) {
      const start = Math.floor((x * n) / cols);
      const end = Math.floor(((x + 1) * n) / cols);
      const bucket = ys.slice(start, end).map(level);
      lo = Math.min(...bucket);
      hi = Math.max(...bucket);
      last = bucket[bucket.length - 1]!;
    } else {
      const pos = cols === 1 ? n - 1 : (x * (n - 1)) / (cols - 1);
      const i = Math.min(Math.floor(pos), n - 1);
      const a = ys[i]!;
      const b = ys[Math.min(i + 1, n - 1)]!;
      last = level(a + (b - a) * (pos - i));
      lo = last;
      hi = last;
    }
    if (prev !== undefined) {
      lo = Math.min(lo, prev);
      hi = Math.max(hi, prev);
    }
    plot(x, lo, hi);
    prev = last;
  }

  for (let row = 0; row < h; row++) {
    let line = "";
    if (labelled) {
      const text = row === 0 ? top : row === h - 1 ? bottom : "";
      line = `${text.padStart(labelWidth)} ${text === "" ? "│" : "┤"}`;
    }
    for (let c = 0; c < cells; c++) {
      const bits = grid[row * cells + c]!;
      line += bits === 0 ? " " : String.fromCharCode(0x2800 + bits);
    }
    lines[row] = line;
  }
  return lines;
}
