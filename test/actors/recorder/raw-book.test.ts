/**
 * The Recorder's books of Binance-speaking venues, read as raw diffs from `crypy venue serve` as
 * the exchange (spot through ccxt's binance URLs, USDⓈ-M through binanceusdm's), with the venue
 * file's stream faults: lost depth events are a feed.gap and a fresh snapshot; repeated messages
 * are applied once, no gap; dropped connections reconnect and resynchronise. In every case a
 * consumer of the published snapshot and diffs holds exactly the server's book at its REST
 * lastUpdateId. Repeated trade messages are published once.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { control, marketData } from "../../../src/bus/subjects.js";
import {
  type Exchange,
  type Recording,
  record,
  runUntil,
  serverBookMatching,
  spotExchange,
  usdmExchange,
} from "./raw-book-support.js";

let x: Exchange | undefined;
let r: Recording | undefined;
afterEach(async () => {
  await r?.stop();
  await x?.close();
  r = undefined;
  x = undefined;
});

const named = (events: Recording["events"], name: string) => events.filter((e) => e.event === name);

async function expectServerBook(rec: Recording, ex: Exchange, symbol: string): Promise<void> {
  const rest = await serverBookMatching(ex, rec.replica, symbol);
  expect(rec.replica.side("bids")).toEqual(rest.bids);
  expect(rec.replica.side("asks")).toEqual(rest.asks);
  // Every message of the stream, numbered from 1 without a hole.
  expect(rec.replica.seqs).toEqual(rec.replica.seqs.map((_, i) => i + 1));
}

describe("recorder - raw Binance books against crypy venue serve", () => {
  for (const [dialect, open, market, symbol] of [
    ["spot", spotExchange, "BTC/USDT", "BTCUSDT"],
    ["USDⓈ-M", usdmExchange, "BTC/USDT:USDT", "BTCUSDT"],
  ] as const) {
    it(`raw book ${dialect} - lost depth events: feed.gap with the missing ids, a fresh snapshot, and the server's book`, async () => {
      x = await open({ skipDepthProbability: 0.25 });
      r = await record(x, market, ["book"]);
      const rec = r;
      await runUntil(
        x,
        () => named(rec.events, "feed.gap").length >= 2 && rec.replica.diffs.length > 5,
      );
      const gaps = named(rec.events, "feed.gap");
      for (const gap of gaps) {
        expect(gap).toMatchObject({ source: "binance", market, kind: "book" });
        expect(gap.to as number).toBeGreaterThanOrEqual(gap.from as number);
      }
      // Each gap is followed by a snapshot past it.
      expect(rec.replica.snapshots).toBeGreaterThanOrEqual(gaps.length);
      expect(rec.stored.gaps.length).toBeGreaterThanOrEqual(gaps.length);
      expect(rec.stored.gaps[0]![0]).toBe(gaps[0]!.from);
      await expectServerBook(rec, x, symbol);
      expect(rec.stored.snapshots + rec.stored.diffs).toBe(rec.replica.seqs.length);
      // The Recorder's status counts the book's gaps, each one handed to the store.
      const status = await rec.bus.request<{ streams: Array<{ kind: string; gaps?: number }> }>(
        control("recorder"),
        { command: "status" },
      );
      const book = status.streams.find((s) => s.kind === "book");
      expect(book?.gaps).toBe(rec.stored.gaps.length);
      expect(book?.gaps).toBeGreaterThanOrEqual(2);
    });

    it(`raw book ${dialect} - repeated messages: each diff applied once, no gap`, async () => {
      x = await open({ duplicateProbability: 0.5 });
      r = await record(x, market, ["book"]);
      const rec = r;
      await runUntil(x, () => rec.replica.diffs.length >= 12);
      expect(named(rec.events, "feed.gap")).toEqual([]);
      expect(rec.replica.snapshots).toBe(1);
      await expectServerBook(rec, x, symbol);
    });

    it(`raw book ${dialect} - dropped connections: feed.reconnect, a fresh snapshot, the server's book`, async () => {
      x = await open({ dropConnectionEvery: 6 });
      r = await record(x, market, ["book"]);
      const rec = r;
      await runUntil(x, () => rec.replica.snapshots >= 3);
      expect(named(rec.events, "feed.reconnect").length).toBeGreaterThanOrEqual(2);
      expect(named(rec.events, "feed.gap")).toEqual([]);
      await expectServerBook(rec, x, symbol);
    });
  }

  it("raw book - repeated trade messages are published once", async () => {
    x = await spotExchange({ duplicateProbability: 0.5 });
    r = await record(x, "BTC/USDT", ["trades"]);
    const rec = r;
    await runUntil(x, () => rec.trades.flatMap((m) => m.trades).length >= 20);
    const ids = rec.trades.flatMap((m) => m.trades.map((t) => t.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(rec.trades.every((m) => m.trades.length > 0)).toBe(true);
  });
});

describe("recorder - liquidations", () => {
  it("liquidations - a USDⓈ-M contract's liquidation orders from its raw @forceOrder, published on .liquidation", async () => {
    x = await usdmExchange({});
    const ex = x;
    r = await record(ex, "BTC/USDT:USDT", ["liquidations"]);
    const rec = r;
    const seen: Array<{ market: string; seq: number; liquidation: Record<string, unknown> }> = [];
    rec.bus.subscribe<(typeof seen)[number]>(
      marketData("binance", "BTC/USDT:USDT", "liquidation"),
      (m) => void seen.push(m),
    );
    const at = ex.simulation.clock.now();
    // What the perpetual engine keeps of each liquidation it made; the venue streams what is new.
    const liquidation = (qty: string) => ({
      time: at,
      account: "main",
      symbol: "BTC/USDT:USDT",
      qty,
      bankruptcyPrice: "41000.0",
      markPrice: "41100.0",
      closed: [{ price: "41050.0", qty: qty.replace("-", "") }],
      toFund: "0",
      deleveraged: "0",
      toHouse: "0",
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    ex.simulation.sim.derivatives.liquidations.push(liquidation("0.25"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    ex.simulation.sim.derivatives.liquidations.push(liquidation("-0.1"));
    await runUntil(ex, () => seen.length >= 2);
    expect(seen.map((m) => [m.seq, m.liquidation])).toEqual([
      [
        1,
        {
          side: "sell",
          price: "41000.0",
          averagePrice: "41050.0",
          amount: "0.25",
          filled: "0.25",
          status: "FILLED",
          timestamp: Math.floor(at),
        },
      ],
      [2, expect.objectContaining({ side: "buy", amount: "0.1" })],
    ]);
  });

  it("liquidations - a spot market has none: the kind is said unsupported", async () => {
    x = await spotExchange({});
    r = await record(x, "BTC/USDT", ["liquidations"]);
    const events = r.events;
    // Actor events reach the bus a turn later.
    await vi.waitFor(() =>
      expect(named(events, "recorder.kind_unsupported")).toEqual([
        expect.objectContaining({ source: "binance", market: "BTC/USDT", kind: "liquidations" }),
      ]),
    );
  });
});
