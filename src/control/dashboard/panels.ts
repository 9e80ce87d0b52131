/**
 * The dashboard's other panels as tagged text sized to their place: the header line, the price
 * chart, the events with the last command's result, the command line's hint, and the help.
 */
import {
  brailleChart,
  fitCell,
  fmtChangePct,
  fmtMoney,
  fmtPrice,
  fmtSigned,
  truncate,
} from "./format.js";
import type { Rect } from "./layout.js";
import { esc, type Style, signStyle, styled, title } from "./tags.js";
import type { DashboardSnapshot, MarketRow } from "./types.js";

/** A Desk command's output, shown under the events. */
export interface CommandResult {
  command: string;
  lines: string[];
  error: boolean;
}

const STATE_STYLE: Record<string, Style> = {
  halted: ["white-fg", "red-bg"],
  reducing: ["black-fg", "yellow-bg"],
  active: ["green-fg"],
};

/** Desk, venue, state, equity and PnL, cut from the right when narrow; the key hint stays. */
export function headerLine(desk: DashboardSnapshot["desk"], width: number): string {
  const hint = "? help  q quit";
  const state = desk.state || "unknown";
  const pnl = fmtSigned(desk.pnl);
  const segments: Array<[string, Style | undefined]> = [
    [desk.id, ["bold"]],
    [`  ${desk.venue}  `, undefined],
    [` ${state.toUpperCase()} `, STATE_STYLE[state.toLowerCase()]],
    [`  equity ${fmtMoney(desk.equity)} ${desk.quote}`, undefined],
    ["  PnL ", undefined],
    [`${pnl} ${desk.quote}`, signStyle(pnl)],
  ];
  let room = Math.max(0, width - hint.length - 1);
  let out = "";
  for (const [text, style] of segments) {
    const cut = truncate(text, room);
    room -= Array.from(cut).length;
    out += styled(cut, style);
  }
  return `${out}${" ".repeat(room + 1)}{gray-fg}${esc(hint)}{/gray-fg}`;
}

export function chartPanel(market: MarketRow | undefined, rect: Rect): string {
  if (market === undefined) return title("Chart", rect.width);
  const extra = `${fmtPrice(market.last)} ${fmtChangePct(market.changePct)}`;
  const lines = brailleChart(market.closes, rect.width, Math.max(1, rect.height - 1));
  return [title(market.market, rect.width, extra), ...lines.map((l) => esc(l))].join("\n");
}

/** How many result lines the events panel shows; a longer result also gets its own window. */
export function resultRoom(rect: Rect): number {
  return Math.max(1, Math.floor((rect.height - 1) / 2) - 1);
}

/** The last events, and under them the last command's result when there is one. */
export function eventsPanel(
  events: readonly string[],
  result: CommandResult | undefined,
  rect: Rect,
): string {
  const room = Math.max(1, rect.height - 1);
  const out: string[] = [];
  if (result !== undefined) {
    const shown = result.lines.slice(0, resultRoom(rect));
    const more = result.lines.length - shown.length;
    out.push(`{cyan-fg}${esc(fitCell(`:${result.command}`, rect.width))}{/cyan-fg}`);
    for (const line of shown)
      out.push(styled(truncate(line, rect.width), result.error ? ["red-fg"] : undefined));
    if (more > 0)
      out.push(`{gray-fg}${esc(truncate(`… ${more} more lines`, rect.width))}{/gray-fg}`);
  }
  const tail = events.slice(Math.max(0, events.length - Math.max(0, room - out.length)));
  const lines = tail.map((e) => esc(truncate(e.replace(/\s+/g, " "), rect.width)));
  return [title("Events", rect.width), ...lines, ...out].join("\n");
}

export const COMMAND_HINT =
  "{gray-fg}: command  ↑↓ market  i invest  t trade  h halt  ? help  q quit{/gray-fg}";

export const HELP: readonly string[] = [
  "↑ ↓  j k      select a market (the chart follows)",
  ": / Tab c     type a Desk command; Enter runs it, Esc leaves",
  "i             invest REPL",
  "t             trade REPL of the selected market",
  "h             halt the Desk (asks first)",
  "Esc           clear the last command's result",
  "?             this help",
  "q  C-c        quit",
  "",
  "any key closes this window",
];
