/**
 * Inline SVG line charts for the HTML report: a polyline over time with labelled axes, optionally
 * filled down to zero (drawdown) and with trade markers. Long series are cut to at most
 * `maxPoints` by keeping each bucket's min and max in time order, so a drawdown or a spike is never
 * averaged away. Output is self-contained (no external references) and every text is escaped.
 */
import { escapeHtml } from "./escape.js";

export interface Series {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface Marker {
  x: number;
  y: number;
  kind: "entry" | "exit";
  /** Tooltip text. */
  title: string;
}

export interface SvgChartOptions {
  /** Accessible name of the chart. */
  label: string;
  /** How a y tick reads; `decimals` is what the tick step needs (see tickDecimals). */
  yFormat: (value: number, decimals: number) => string;
  /** Fill between the line and y = 0. */
  area?: boolean;
  markers?: readonly Marker[];
  maxPoints?: number;
  width?: number;
  height?: number;
}

export const MAX_CHART_POINTS = 2_000;

const MARGIN = { left: 84, right: 16, top: 12, bottom: 28 };
const MARKER_HALF = 5;
const MARKER_HEIGHT = 9;

/** At most `maxPoints` points: the first, the last, and each bucket's min and max in time order. */
export function downsampleMinMax(series: Series, maxPoints: number): { x: number[]; y: number[] } {
  const n = series.y.length;
  const { x, y } = series;
  if (n <= maxPoints) return { x: Array.from(x), y: Array.from(y) };
  const outX: number[] = [x[0]!];
  const outY: number[] = [y[0]!];
  const inner = n - 2;
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (end <= start) continue;
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i++) {
      if (y[i]! < y[lo]!) lo = i;
      if (y[i]! > y[hi]!) hi = i;
    }
    const first = Math.min(lo, hi);
    const second = Math.max(lo, hi);
    outX.push(x[first]!);
    outY.push(y[first]!);
    if (second !== first) {
      outX.push(x[second]!);
      outY.push(y[second]!);
    }
  }
  outX.push(x[n - 1]!);
  outY.push(y[n - 1]!);
  return { x: outX, y: outY };
}

/** Decimals that tell ticks `step` apart: 0 for a step of 1 or more, 2 for 0.05. */
export function tickDecimals(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

/** Round-number ticks covering [min, max]; the domain widens to the outer ticks. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (!(max > min)) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.01;
    return niceTicks(min - pad, max + pad, target);
  }
  const rough = (max - min) / (target - 1);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const norm = rough / magnitude;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  const first = Math.floor(min / step);
  const last = Math.ceil(max / step);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(k * step);
  return ticks;
}

export function svgLineChart(series: Series, options: SvgChartOptions): string {
  const width = options.width ?? 960;
  const height = options.height ?? 240;
  const label = escapeHtml(options.label);
  if (series.y.length === 0) return `<p class="empty">${label}: no data</p>`;

  const { x, y } = downsampleMinMax(series, options.maxPoints ?? MAX_CHART_POINTS);
  const markers = (options.markers ?? []).filter((m) => Number.isFinite(m.x + m.y));
  const x0 = x[0]!;
  const x1 = x.at(-1)!;
  let yMin = options.area === true ? 0 : Number.POSITIVE_INFINITY;
  let yMax = options.area === true ? 0 : Number.NEGATIVE_INFINITY;
  for (const v of [...y, ...markers.map((m) => m.y)]) {
    if (v < yMin) yMin = v;
    if (v > yMax) yMax = v;
  }
  const ticks = niceTicks(yMin, yMax);
  const lo = ticks[0]!;
  const hi = ticks.at(-1)!;

  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const sx = (t: number) =>
    x1 > x0 ? left + ((t - x0) / (x1 - x0)) * (right - left) : (left + right) / 2;
  const sy = (v: number) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);

  const parts: string[] = [
    `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}">`,
  ];
  parts.push('<g class="grid">');
  for (const t of ticks) {
    const py = n1(sy(t));
    parts.push(`<line x1="${left}" y1="${py}" x2="${right}" y2="${py}"/>`);
  }
  parts.push("</g>", '<g class="axis">');
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}"/>`);
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}"/>`);
  const decimals = tickDecimals((hi - lo) / Math.max(1, ticks.length - 1));
  for (const t of ticks) {
    const text = escapeHtml(options.yFormat(t, decimals));
    parts.push(`<text x="${left - 6}" y="${n1(sy(t) + 4)}" text-anchor="end">${text}</text>`);
  }
  const timeFormat = x1 - x0 >= 2 * 86_400_000 ? dateLabel : dateTimeLabel;
  const xTicks = x1 > x0 ? 5 : 1;
  for (let k = 0; k < xTicks; k++) {
    const t = xTicks === 1 ? x0 : x0 + ((x1 - x0) * k) / (xTicks - 1);
    const anchor =
      xTicks === 1 ? "middle" : k === 0 ? "start" : k === xTicks - 1 ? "end" : "middle";
    parts.push(
      `<text x="${n1(sx(t))}" y="${bottom + 18}" text-anchor="${anchor}">${escapeHtml(timeFormat(t))}</text>`,
    );
  }
  parts.push("</g>");

  const coords: string[] = [];
  for (let i = 0; i < x.length; i++) coords.push(`${n1(sx(x[i]!))},${n1(sy(y[i]!))}`);
  if (options.area === true) {
    const base = n1(sy(0));
    const polygon = `${n1(sx(x0))},${base} ${coords.join(" ")} ${n1(sx(x1))},${base}`;
    parts.push(`<polygon class="area" points="${polygon}"/>`);
  }
  parts.push(`<polyline class="line" points="${coords.join(" ")}"/>`);

  if (markers.length > 0) {
    parts.push('<g class="markers">');
    for (const m of markers) parts.push(marker(sx(Math.min(Math.max(m.x, x0), x1)), sy(m.y), m));
    parts.push("</g>");
  }
  parts.push("</svg>");
  return parts.join("\n");
}

/** ▲ under the price for an entry, ▼ over it for an exit; the tip touches the price. */
function marker(px: number, py: number, m: Marker): string {
  const dy = m.kind === "entry" ? MARKER_HEIGHT : -MARKER_HEIGHT;
  const d = `M${n1(px)} ${n1(py)}l${-MARKER_HALF} ${dy}h${2 * MARKER_HALF}z`;
  return `<path class="${m.kind}-marker" d="${d}"><title>${escapeHtml(m.title)}</title></path>`;
}

function n1(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function dateLabel(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function dateTimeLabel(t: number): string {
  return new Date(t).toISOString().slice(5, 16).replace("T", " ");
}
