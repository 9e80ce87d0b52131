import { describe, expect, it } from "vitest";
import { chartPanel, eventsPanel, headerLine } from "../../../src/control/dashboard/panels.js";
import { marketsTable, ordersTable, tradersTable } from "../../../src/control/dashboard/tables.js";
import type { DashboardSnapshot } from "../../../src/control/dashboard/types.js";

/** What the terminal shows: tags removed, braces unescaped. */
const plain = (tagged: string) =>
  tagged
    .replace(/\{\/?[a-z-]+\}/g, (tag) => ({ "{open}": "{", "{close}": "}" })[tag] ?? "")
    .split("\n");

const desk: DashboardSnapshot["desk"] = {
  id: "sim-main",
  venue: "sim",
  state: "halted",
  equity: 10_012.5,
  pnl: -3.25,
  quote: "USDT",
};
const empty: DashboardSnapshot = {
  desk,
  markets: [],
  holders: [],
  traders: [],
  orders: [],
  events: [],
};
const rect = { left: 0, top: 0, width: 40, height: 6 };

describe("dashboard panels", () => {
  it("dashboard - the header shows HALTED in red and keeps the key hint at its width", () => {
    const tagged = headerLine(desk, 80);
    expect(tagged).toContain("{white-fg}{red-bg} HALTED {/red-bg}{/white-fg}");
    const [line] = plain(tagged);
    expect(line).toHaveLength(80);
    expect(line).toMatch(
      /^sim-main {2}sim {3}HALTED {3}equity 10,012.50 USDT {2}PnL -3.25 USDT +\? help {2}q quit$/,
    );
    expect(plain(headerLine({ ...desk, state: "reducing" }, 40))[0]).toHaveLength(40);
    expect(headerLine({ ...desk, state: "reducing" }, 80)).toContain("{yellow-bg}");
  });

  it("dashboard - empty lists and missing numbers render without throwing", () => {
    expect(plain(marketsTable([], undefined, rect))).toContain("no watched markets");
    expect(plain(tradersTable(empty, rect))).toContain("no traders");
    expect(plain(ordersTable(empty, rect))).toContain("no open orders");
    const m = {
      market: "BTC/USDT",
      last: undefined,
      changePct: undefined,
      spread: undefined,
      volume: undefined,
      closes: [],
    };
    expect(plain(marketsTable([m], 0, rect))[2]).toMatch(/^BTC\/USDT +– +– +–/);
    expect(plain(chartPanel(m, rect))[1]).toBe("no prices yet");
    expect(plain(headerLine({ ...desk, equity: undefined, pnl: undefined }, 80))[0]).toContain(
      "equity – USDT",
    );
  });

  it("dashboard - the selected market is highlighted and scrolled into view", () => {
    const markets = Array.from({ length: 10 }, (_, i) => ({
      market: `M${i}/USDT`,
      last: i,
      changePct: 0,
      spread: 0,
      volume: 0,
      closes: [],
    }));
    const tagged = marketsTable(markets, 7, rect).split("\n");
    expect(tagged).toHaveLength(6);
    expect(tagged.at(-1)).toMatch(/^\{inverse\}M7\/USDT/);
  });

  it("dashboard - text from the feed cannot inject tags", () => {
    const tagged = eventsPanel(["{red-bg}boom{/red-bg}"], undefined, rect);
    expect(tagged).not.toContain("{red-bg}");
    expect(plain(tagged)[1]).toBe("{red-bg}boom{/red-bg}");
  });

  it("dashboard - a command's result shows under the events, cut when long", () => {
    const result = { command: "status", lines: ["a", "b", "c", "d"], error: false };
    const lines = plain(eventsPanel(["e1", "e2", "e3", "e4"], result, rect));
    expect(lines).toHaveLength(6);
    expect(lines.map((l) => l.trimEnd()).slice(1)).toEqual([
      "e3",
      "e4",
      ":status",
      "a",
      "… 3 more lines",
    ]);
  });
});
