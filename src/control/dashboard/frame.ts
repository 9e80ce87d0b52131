/**
 * The dashboard's blessed screen: one box per panel, placed by computeLayout (again on every
 * resize) and filled from a snapshot, and centered windows over them (help, long results, REPLs).
 */
import type { Readable, Writable } from "node:stream";
import blessed from "blessed";
import { computeLayout, type Layout, type PanelName } from "./layout.js";
import { type CommandResult, chartPanel, eventsPanel, headerLine } from "./panels.js";
import { holdersTable, marketsTable, ordersTable, tradersTable } from "./tables.js";
import { esc } from "./tags.js";
import type { DashboardSnapshot } from "./types.js";

export interface FrameContent {
  snapshot: DashboardSnapshot;
  /** Index of the selected market in `snapshot.markets`. */
  selected: number | undefined;
  result: CommandResult | undefined;
  /** The bottom line, tagged. */
  command: string;
}

export class Frame {
  readonly screen: blessed.Widgets.Screen;
  private readonly panels: Record<PanelName, blessed.Widgets.BoxElement>;
  /** Replaced by `place()` as soon as the screen exists. */
  layout: Layout = computeLayout(80, 24);

  constructor(input: NodeJS.ReadableStream, output: NodeJS.WritableStream) {
    this.screen = blessed.screen({
      smartCSR: true,
      fullUnicode: true,
      autoPadding: true,
      title: "crypy",
      // @types/blessed has the screen's input and output types swapped (Writable in, Readable
      // out); blessed itself reads `input` and writes `output`, as its Program does.
      input: input as unknown as Writable,
      output: output as unknown as Readable,
    });
    this.screen.program.hideCursor();
    const box = () => {
      // Lines are already cut to the panel's width, and blessed's wrapping would move a line that
      // fits exactly but ends with a closing tag onto a (hidden) next line. `wrap` is missing from
      // @types/blessed, hence the wider type. A fresh object per box: blessed keeps and mutates it.
      const options: blessed.Widgets.BoxOptions & { wrap: boolean } = {
        parent: this.screen,
        tags: true,
        wrap: false,
      };
      return blessed.box(options);
    };
    this.panels = {
      header: box(),
      markets: box(),
      chart: box(),
      holders: box(),
      traders: box(),
      orders: box(),
      events: box(),
      command: box(),
    };
    this.place();
  }

  /** Lays the panels out for the screen's current size. */
  place(): void {
    this.layout = computeLayout(width(this.screen), height(this.screen));
    for (const name of Object.keys(this.panels) as PanelName[]) {
      const rect = this.layout[name];
      const panel = this.panels[name];
      panel.left = rect.left;
      panel.top = rect.top;
      panel.width = rect.width;
      panel.height = rect.height;
    }
  }

  paint(c: FrameContent): void {
    const { snapshot: s, selected } = c;
    const l = this.layout;
    const p = this.panels;
    p.header.setContent(headerLine(s.desk, l.header.width));
    p.markets.setContent(marketsTable(s.markets, selected, l.markets));
    p.chart.setContent(
      chartPanel(selected === undefined ? undefined : s.markets[selected], l.chart),
    );
    p.holders.setContent(holdersTable(s, l.holders));
    p.traders.setContent(tradersTable(s, l.traders));
    p.orders.setContent(ordersTable(s, l.orders));
    p.events.setContent(eventsPanel(s.events, c.result, l.events));
    p.command.setContent(c.command);
    this.screen.render();
  }

  /** A centered window of plain lines over the panels; the caller destroys it. */
  window(label: string, lines: readonly string[]): blessed.Widgets.BoxElement {
    return blessed.box({
      parent: this.screen,
      top: "center",
      left: "center",
      width: "80%",
      height: Math.min(lines.length + 2, Math.max(3, height(this.screen) - 2)),
      border: { type: "line" },
      label: ` ${esc(label)} `,
      tags: true,
      scrollable: true,
      style: { border: { fg: "cyan" } },
      content: lines.map((line) => esc(line)).join("\n"),
    });
  }
}

// blessed's types allow string sizes ("50%"); the screen's are always numbers.
function width(screen: blessed.Widgets.Screen): number {
  return typeof screen.width === "number" ? screen.width : 80;
}

function height(screen: blessed.Widgets.Screen): number {
  return typeof screen.height === "number" ? screen.height : 24;
}
