/**
 * The bus feed against stand-in actors on a LocalBus: what their `status` and `orders` answers
 * and the venue's tickers say reaches the snapshot as the decimal text it was, never as a float.
 */
import { afterEach, describe, expect, it } from "vitest";
import { LocalBus } from "../../../src/bus/local/local-bus.js";
import { control, deskCache, marketData } from "../../../src/bus/subjects.js";
import { BusDashboardFeed } from "../../../src/control/dashboard/feed.js";
import type { DashboardSnapshot } from "../../../src/control/dashboard/types.js";
import { waitUntil } from "../../support/wait.js";

const HUGE = "123456789012345.678901234";
const FLOAT_TEXT = "0.058121820000000005";

/** What each stand-in actor answers to `status` (the Desk also to `orders`). */
interface Answers {
  desk: Record<string, unknown>;
  holder: Record<string, unknown>;
  trader: Record<string, unknown>;
  orders: unknown[];
}

let bus: LocalBus;
let feed: BusDashboardFeed;

afterEach(async () => {
  feed?.stop();
  await bus?.close();
});

function start(answers: Answers): BusDashboardFeed {
  bus = new LocalBus();
  const serve = (actor: string, value: (line: string) => unknown) =>
    bus.serve<{ line: string }>(control(actor), (req) => ({
      ok: true,
      value: value(req.line),
      text: "",
    }));
  serve("desk1", (line) => (line === "orders" ? answers.orders : answers.desk));
  serve("holder1", () => answers.holder);
  serve("trader1", () => answers.trader);
  bus.serve(deskCache("desk1"), () => [[0, 1, 2, 0.5, 1.5, 10]]);
  feed = new BusDashboardFeed({
    bus,
    desk: "desk1",
    venue: "sim",
    markets: ["BTC/USDT"],
    pollMs: 60_000,
  }).start();
  return feed;
}

const answers = (): Answers => ({
  desk: {
    state: "active",
    quote: "USDT",
    equity: HUGE,
    pnl: "-0.30000000000000004",
    holders: ["holder1"],
  },
  holder: {
    asset: "USDT",
    free: HUGE,
    allocated: FLOAT_TEXT,
    traders: { "BTC/USDT": "trader1" },
    state: "running",
  },
  trader: { market: "BTC/USDT", strategy: "rsi", state: "inPosition", pnl: "1.015" },
  orders: [
    {
      id: "o-1",
      market: "BTC/USDT",
      side: "buy",
      type: "limit",
      amount: FLOAT_TEXT,
      price: "20000.01",
      filled: "0",
      status: "open",
    },
  ],
});

async function polled(f: BusDashboardFeed): Promise<DashboardSnapshot> {
  await waitUntil(() => f.snapshot().traders.length > 0, "the feed's first poll");
  return f.snapshot();
}

describe("dashboard feed", () => {
  it("dashboard feed - money from the actors' status stays exact decimal text", async () => {
    const s = await polled(start(answers()));
    expect(s.desk).toMatchObject({ state: "active", quote: "USDT", equity: HUGE });
    expect(s.desk.pnl).toBe("-0.30000000000000004");
    expect(s.holders).toEqual([
      {
        id: "holder1",
        asset: "USDT",
        free: HUGE,
        allocated: FLOAT_TEXT,
        traders: 1,
        state: "running",
      },
    ]);
    expect(s.traders).toEqual([
      { id: "trader1", market: "BTC/USDT", strategy: "rsi", state: "inPosition", pnl: "1.015" },
    ]);
    expect(s.orders).toEqual([
      {
        id: "o-1",
        market: "BTC/USDT",
        side: "buy",
        type: "limit",
        amount: FLOAT_TEXT,
        price: "20000.01",
        filled: "0",
        status: "open",
      },
    ]);
  });

  it("dashboard feed - a number or other non-decimal money reads as missing, never NaN", async () => {
    const a = answers();
    a.desk = { ...a.desk, equity: 10_000.5, pnl: "NaN" };
    a.holder = { ...a.holder, free: "", allocated: null };
    a.trader = { ...a.trader, pnl: Number.NaN };
    a.orders = [
      { id: "o-2", market: "BTC/USDT", side: "sell", type: "market", amount: 0.5, status: "open" },
      { id: "o-3", market: "BTC/USDT", side: "sell", type: "limit", amount: "1", price: 2 },
    ];
    const s = await polled(start(a));
    expect(s.desk.equity).toBeUndefined();
    expect(s.desk.pnl).toBeUndefined();
    expect(s.holders[0]).toMatchObject({ free: undefined, allocated: undefined });
    expect(s.traders[0]!.pnl).toBeUndefined();
    expect(s.orders[0]).toMatchObject({ amount: undefined, price: undefined, filled: undefined });
    // A price that is there but not decimal text must not read as a market order's.
    expect(s.orders[1]).toMatchObject({ amount: "1", price: "", status: "" });
  });

  it("dashboard feed - ticker prices, spread and volume stay decimal text; candles stay numbers", async () => {
    const f = start(answers());
    await waitUntil(() => f.snapshot().markets[0]!.closes.length > 0, "the chart's seed candles");
    const ticker = (t: Record<string, unknown>) =>
      bus.publish(marketData("desk1", "BTC/USDT", "ticker"), {
        ticker: { symbol: "BTC/USDT", timestamp: 0, ...t },
      });
    ticker({
      last: "20000.015",
      bid: "20000.1",
      ask: "20000.30000000000000004",
      baseVolume: HUGE,
      percentage: 1.5,
    });
    await waitUntil(() => f.snapshot().markets[0]!.last !== undefined, "the first ticker");
    expect(f.snapshot().markets[0]).toEqual({
      market: "BTC/USDT",
      last: "20000.015",
      changePct: 1.5,
      spread: "0.20000000000000004",
      volume: HUGE,
      closes: [1.5],
    });
    // A later ticker with numbers (or nothing) where decimal text belongs changes nothing.
    ticker({ last: 20_001, bid: "1", baseVolume: "NaN" });
    ticker({ last: "20001.5" });
    await waitUntil(() => f.snapshot().markets[0]!.last === "20001.5", "the third ticker");
    expect(f.snapshot().markets[0]).toMatchObject({
      spread: "0.20000000000000004",
      volume: HUGE,
    });
  });
});
