import { describe, expect, it } from "vitest";
import { chartPanel, eventsPanel, headerLine } from "../../../src/control/dashboard/panels.js";
import {
  holdersTable,
  marketsTable,
  ordersTable,
  tradersTable,
} from "../../../src/control/dashboard/tables.js";
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
  equity: "10012.5",
  pnl: "-3.25",
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

  it("dashboard - money from the actors shows exactly, rounded once for display", () => {
    const huge = "123456789012345.678901234";
    expect(
      plain(headerLine({ ...desk, equity: huge, pnl: "0.058121820000000005" }, 120))[0],
    ).toMatch(/equity 123,456,789,012,345\.68 USDT {2}PnL \+0\.06 USDT/);
    const snapshot: DashboardSnapshot = {
      ...empty,
      holders: [
        { id: "h", asset: "USDT", free: huge, allocated: "NaN", traders: 1, state: "running" },
      ],
      traders: [
        { id: "t-1", market: "BTC/USDT", strategy: "rsi", state: "inPosition", pnl: "-1.005" },
        { id: "t-2", market: "ETH/USDT", strategy: undefined, state: "warming", pnl: undefined },
      ],
      orders: [
        {
          id: "o-1",
          market: "BTC/USDT",
          side: "buy",
          type: "limit",
          amount: "0.058121820000000005",
          price: "20000.01",
          filled: "0",
          status: "open",
        },
        {
          id: "o-2",
          market: "BTC/USDT",
          side: "sell",
          type: "market",
          amount: "0.5",
          price: undefined,
          filled: undefined,
          status: "open",
        },
        {
          id: "o-3",
          market: "BTC/USDT",
          side: "sell",
          type: "limit",
          amount: "1",
          price: "",
          filled: "0",
          status: "open",
        },
      ],
    };
    const wide = { ...rect, width: 100 };
    expect(plain(holdersTable(snapshot, wide))[2]).toMatch(
      /^USDT +123,456,789,012,345\.68 +– +1 +running/,
    );
    const traders = plain(tradersTable(snapshot, wide));
    expect(traders[2]).toMatch(/^BTC\/USDT +rsi +inPosition +-1\.00 +t-1/);
    expect(traders[3]).toMatch(/^ETH\/USDT +– +warming +– +t-2/);
    expect(tradersTable(snapshot, wide)).toContain("{red-fg}");
    const orders = plain(ordersTable(snapshot, { ...wide, height: 8 }));
    expect(orders[2]).toMatch(/BTC\/USDT +buy +limit +0\.058121820000000005 +20000\.01 +0 +open/);
    expect(orders[3]).toMatch(/BTC\/USDT +sell +market +0\.5 +market +– +open/);
    expect(orders[4]).toMatch(/BTC\/USDT +sell +limit +1 +– +0 +open/);
    // 20000.015 is a tie, to the even 20000.02; as a float (20000.01499…) it would read 20,000.01.
    const m = {
      market: "BTC/USDT",
      last: "20000.015",
      changePct: 1.5,
      spread: "0.01",
      volume: "1234.5678",
      closes: [],
    };
    expect(plain(marketsTable([m], undefined, wide))[2]).toMatch(
      /^BTC\/USDT +20,000\.02 +\+1\.50% +0\.01000 +1\.23k$/,
    );
    expect(plain(chartPanel(m, wide))[0]).toContain("BTC/USDT 20,000.02 +1.50%");
  });

  it("dashboard - the selected market is highlighted and scrolled into view", () => {
    const markets = Array.from({ length: 10 }, (_, i) => ({
      market: `M${i}/USDT`,
      last: String(i),
      changePct: 0,
      spread: "0",
      volume: "0",
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
