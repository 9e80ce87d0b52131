/**
 * The dashboard's tables — markets, holders, traders, open orders — as tagged text sized to their
 * panel: a title line, a column header, and as many rows as fit. Columns that matter least are
 * dropped first on a narrow terminal (see fitTable). Missing numbers, and money that is not
 * decimal text, read "–".
 */
import {
  type Column,
  fitTable,
  fmtAmount,
  fmtChangePct,
  fmtCompact,
  fmtExact,
  fmtPrice,
  fmtSigned,
  fmtSpread,
  MISSING,
  truncate,
} from "./format.js";
import type { Rect } from "./layout.js";
import { esc, signStyle, styled, title } from "./tags.js";
import type { DashboardSnapshot, MarketRow } from "./types.js";

interface TableOptions {
  name: string;
  rect: Rect;
  columns: readonly Column[];
  rows: ReadonlyArray<readonly string[]>;
  /** Columns whose cells are coloured by their sign. */
  signed?: readonly number[];
  /** The highlighted row, kept in view by scrolling. */
  selected?: number | undefined;
  empty: string;
}

function table(o: TableOptions): string {
  const lines = [title(o.name, o.rect.width, o.rows.length > 0 ? `(${o.rows.length})` : "")];
  const t = fitTable(o.columns, o.rows, o.rect.width);
  lines.push(`{underline}${esc(t.header.join(t.gap))}{/underline}`);
  if (o.rows.length === 0) lines.push(`{gray-fg}${esc(truncate(o.empty, o.rect.width))}{/gray-fg}`);
  const room = Math.max(1, o.rect.height - 2);
  const first = o.selected === undefined ? 0 : Math.max(0, o.selected - room + 1);
  t.rows.slice(first, first + room).forEach((cells, k) => {
    const parts = cells.map((cell, j) =>
      styled(cell, o.signed?.includes(t.kept[j]!) ? signStyle(cell) : undefined),
    );
    const line = parts.join(t.gap);
    lines.push(first + k === o.selected ? `{inverse}${line}{/inverse}` : line);
  });
  return lines.join("\n");
}

export function marketsTable(
  markets: readonly MarketRow[],
  selected: number | undefined,
  rect: Rect,
): string {
  return table({
    name: "Markets",
    rect,
    columns: [
      { title: "market", minWidth: 7 },
      { title: "last", align: "right" },
      { title: "chg%", align: "right", drop: 1 },
      { title: "spread", align: "right", drop: 3 },
      { title: "volume", align: "right", drop: 2 },
    ],
    rows: markets.map((m) => [
      m.market,
      fmtPrice(m.last),
      fmtChangePct(m.changePct),
      fmtSpread(m.spread),
      fmtCompact(m.volume),
    ]),
    signed: [2],
    selected,
    empty: "no watched markets",
  });
}

export function holdersTable(snapshot: DashboardSnapshot, rect: Rect): string {
  return table({
    name: "Holders",
    rect,
    columns: [
      { title: "asset", minWidth: 4 },
      { title: "free", align: "right" },
      { title: "allocated", align: "right", drop: 2 },
      { title: "traders", align: "right", drop: 1 },
      { title: "state", drop: 3 },
    ],
    rows: snapshot.holders.map((h) => [
      h.asset,
      fmtAmount(h.free),
      fmtAmount(h.allocated),
      String(h.traders),
      h.state,
    ]),
    empty: "no holders",
  });
}

export function tradersTable(snapshot: DashboardSnapshot, rect: Rect): string {
  return table({
    name: "Traders",
    rect,
    columns: [
      { title: "pair", minWidth: 7 },
      { title: "strategy", minWidth: 6, drop: 2 },
      { title: "state", minWidth: 5 },
      { title: "PnL", align: "right" },
      { title: "id", minWidth: 4, drop: 3 },
    ],
    rows: snapshot.traders.map((t) => [
      t.market,
      t.strategy ?? MISSING,
      t.state,
      fmtSigned(t.pnl),
      t.id,
    ]),
    signed: [3],
    empty: "no traders",
  });
}

export function ordersTable(snapshot: DashboardSnapshot, rect: Rect): string {
  return table({
    name: "Open orders",
    rect,
    columns: [
      { title: "market", minWidth: 7 },
      { title: "side" },
      { title: "type", drop: 2 },
      { title: "amount", align: "right" },
      { title: "price", align: "right" },
      { title: "filled", align: "right", drop: 3 },
      { title: "status", drop: 1 },
      { title: "id", minWidth: 4, drop: 4 },
    ],
    rows: snapshot.orders.map((o) => [
      o.market,
      o.side,
      o.type,
      fmtExact(o.amount),
      o.price === undefined ? "market" : fmtExact(o.price),
      fmtExact(o.filled),
      o.status,
      o.id,
    ]),
    empty: "no open orders",
  });
}
