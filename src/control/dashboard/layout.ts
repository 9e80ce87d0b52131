/**
 * Where each panel of the dashboard goes for a terminal size. Pure, so the layout can be checked
 * at 80x24 without a terminal. Rows: header, markets | chart, holders | traders, orders | events,
 * command line. At 80x24 every table still has a title, a column header and a few rows; a larger
 * terminal gives the extra height to the panels in proportion and the extra width to the chart.
 */

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export type PanelName =
  | "header"
  | "markets"
  | "chart"
  | "holders"
  | "traders"
  | "orders"
  | "events"
  | "command";

export type Layout = Record<PanelName, Rect>;

/** Below this the layout is computed as if the terminal were this big; blessed clips the rest. */
const MIN_WIDTH = 40;
const MIN_HEIGHT = 12;
/** Wider than this, the markets table has all it needs and the chart takes the rest. */
const MAX_MARKETS_WIDTH = 72;

export function computeLayout(width: number, height: number): Layout {
  const w = Math.max(MIN_WIDTH, Math.floor(width));
  const h = Math.max(MIN_HEIGHT, Math.floor(height));
  const body = h - 2;
  const topRow = Math.max(5, Math.round(body * 0.4));
  const midRow = Math.max(3, Math.round(body * 0.27));
  const bottomRow = Math.max(3, body - topRow - midRow);
  // One blank column between side-by-side panels.
  const half = Math.floor((w - 1) / 2);
  const split = (left: number, top: number, rows: number): [Rect, Rect] => [
    { left: 0, top, width: left, height: rows },
    { left: left + 1, top, width: w - left - 1, height: rows },
  ];
  const [markets, chart] = split(Math.min(half, MAX_MARKETS_WIDTH), 1, topRow);
  const [holders, traders] = split(half, 1 + topRow, midRow);
  const [orders, events] = split(half, 1 + topRow + midRow, bottomRow);
  return {
    header: { left: 0, top: 0, width: w, height: 1 },
    markets,
    chart,
    holders,
    traders,
    orders,
    events,
    command: { left: 0, top: h - 1, width: w, height: 1 },
  };
}
