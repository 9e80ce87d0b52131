/**
 * The venue server's market streams driven by an unmodified ccxt pro `binance` (only its URLs and
 * spot-only options set): what its watch* methods build equals the simulator's own state. The
 * simulation runs on a virtual clock the tests step; values are compared once the streams are
 * quiet (the simulation paused, the 100 ms and 1000 ms cadences past).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectSimCandles,
  type ProBinance,
  proClient,
  sleep,
  startVenue,
  stepUntil,
  type Venue,
} from "./ws-support.js";

let venue: Venue;
let exchange: ProBinance;

beforeAll(async () => {
  venue = await startVenue();
  exchange = await proClient(venue);
});
afterAll(async () => {
  await exchange?.close();
  await venue?.close();
});

const levels = (side: [string, string][]) => side.map(([p, q]) => [Number(p), Number(q)]);

describe("venue server - market streams with ccxt pro binance", () => {
  it("ws - watchTrades: each trade is the simulator's trade with that id", async () => {
    const { simulation } = venue;
    const trades = await stepUntil(simulation, exchange.watchTrades("BTC/USDT"));
    expect(trades.length).toBeGreaterThan(0);
    const tape = new Map(simulation.sim.trades("BTC/USDT", undefined, 1000).map((t) => [t.id, t]));
    for (const t of trades) {
      const sim = tape.get(String(t.id));
      expect(sim, `trade ${t.id}`).toBeDefined();
      expect(t.symbol).toBe("BTC/USDT");
      expect(t.price).toBe(Number(sim!.price));
      expect(t.amount).toBe(Number(sim!.amount));
      expect(t.side).toBe(sim!.side);
      expect(t.timestamp).toBe(sim!.timestamp);
    }
  });

  it("ws - watchOrderBook: the book ccxt keeps from snapshot and diffs equals the simulator's", async () => {
    const { simulation } = venue;
    const first = await exchange.watchOrderBook("BTC/USDT");
    const nonce = first.nonce!;
    // A user's order adds a level the makers do not quote; then the market moves.
    const bid = Number(simulation.sim.orderBook("BTC/USDT", 1).bids[0]![0]);
    await exchange.createOrder("BTC/USDT", "limit", "buy", 0.001, Math.round(bid * 0.98));
    await stepUntil(
      simulation,
      (async () => {
        for (;;) {
          const book = await exchange.watchOrderBook("BTC/USDT");
          if (book.nonce! > nonce + 2) return book;
        }
      })(),
      5_000,
    );
    await sleep(300);
    const book = exchange.orderbooks["BTC/USDT"]!;
    const sim = simulation.sim.orderBook("BTC/USDT", 1000);
    expect(book.bids).toEqual(levels(sim.bids));
    expect(book.asks).toEqual(levels(sim.asks));
    expect(book.bids.some(([p]) => p === Math.round(bid * 0.98))).toBe(true);
    // Its nonce is the id of the state the REST snapshot shows now.
    expect(book.nonce).toBe((await exchange.fetchOrderBook("BTC/USDT")).nonce);
  });

  it("ws - watchOHLCV: 1m and 5m klines equal the simulator's candles", async () => {
    const { simulation } = venue;
    const oneMinute = await stepUntil(simulation, exchange.watchOHLCV("BTC/USDT", "1m"), 30_000);
    const fiveMinutes = await stepUntil(simulation, exchange.watchOHLCV("BTC/USDT", "5m"), 30_000);
    // Enough 5m klines that some closed (x: true) and one may still be open.
    await stepUntil(
      simulation,
      (async () => {
        do await exchange.watchOHLCV("BTC/USDT", "5m");
        while (exchange.ohlcvs["BTC/USDT"]!["5m"]!.length < 3);
      })(),
      30_000,
    );
    await sleep(100);
    expect(oneMinute.length).toBeGreaterThan(0);
    for (const [timeframe, stored] of [
      ["1m", exchange.ohlcvs["BTC/USDT"]!["1m"]!],
      ["5m", exchange.ohlcvs["BTC/USDT"]!["5m"]!],
    ] as const) {
      expect(stored.length).toBeGreaterThan(0);
      expectSimCandles(
        stored,
        (openTime) => simulation.sim.ohlcv("BTC/USDT", timeframe, openTime, 1)[0],
        timeframe,
      );
    }
    expect(fiveMinutes[0]![0]! % 300_000).toBe(0);
  });

  it("ws - watchTicker and watchBidsAsks equal the simulator's ticker and best levels", async () => {
    const { simulation } = venue;
    await stepUntil(simulation, exchange.watchTicker("BTC/USDT"), 5_000, 200);
    await stepUntil(simulation, exchange.watchBidsAsks(["BTC/USDT"]), 5_000, 200);
    await sleep(1200);
    // ccxt's watchTicker reads Binance's mini ticker: no bid or ask (watchBidsAsks has those).
    const ticker = exchange.tickers["BTC/USDT"]!;
    const sim = simulation.sim.ticker("BTC/USDT");
    expect(ticker.last).toBe(Number(sim.last));
    expect(ticker.high).toBe(Number(sim.high));
    expect(ticker.low).toBe(Number(sim.low));
    expect(ticker.baseVolume).toBe(Number(sim.baseVolume));
    // A mini ticker goes out when its content changes: it carries the time it was sent, which
    // may be a step or two before the simulator's latest (its values are the same).
    expect(ticker.timestamp).toBeLessThanOrEqual(Math.floor(sim.timestamp));
    expect(ticker.timestamp).toBeGreaterThan(sim.timestamp - 60_000);
    const top = exchange.bidsasks["BTC/USDT"]!;
    const book = simulation.sim.orderBook("BTC/USDT", 1);
    expect([top.bid, top.bidVolume, top.ask, top.askVolume]).toEqual([
      ...levels(book.bids)[0]!,
      ...levels(book.asks)[0]!,
    ]);
  });
});
