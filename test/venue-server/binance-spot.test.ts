/**
 * An unmodified ccxt `binance` client, with only its URLs and market types set, against the venue
 * server over venues/sim.yaml: what it parses equals what the simulator holds. The simulation runs
 * on a virtual clock that nothing moves, so the simulator's state is the same for both reads.
 */
import * as ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_VENUE_FILE } from "../../src/sim/config/load.js";
import { startVenueServer, type VenueServer } from "../../src/venue-server/server.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";

let simulation: Simulation;
let server: VenueServer;
let exchange: ccxt.binance;

beforeAll(async () => {
  simulation = await createSimulation(DEFAULT_VENUE_FILE, {
    clock: { speed: "max", historyMs: 86_400_000 },
    syntheticMs: 3 * 86_400_000,
  });
  server = await startVenueServer(simulation, { port: 0 });
  const api = `${server.url}/api/v3`;
  exchange = new ccxt.binance({
    urls: { api: { public: api, private: api } },
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
  });
});
afterAll(async () => {
  await server?.close();
  await simulation?.stop();
});

const num = (text: string | undefined) => (text === undefined ? undefined : Number(text));

describe("venue server - ccxt binance against the simulator", () => {
  it("venue server - loadMarkets lists the venue's markets with their precision and limits", async () => {
    const markets = await exchange.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(Object.keys(simulation.config.markets).sort());
    for (const m of Object.values(simulation.config.markets)) {
      const market = markets[m.symbol]!;
      expect(market).toMatchObject({
        id: m.symbol.replace("/", ""),
        base: m.base,
        quote: m.quote,
        spot: true,
        active: true,
        type: "spot",
        precision: { price: Number(m.tickSize), amount: Number(m.lotSize) },
        limits: {
          amount: { min: Number(m.minQty), max: Number(m.maxQty) },
          price: { min: Number(m.tickSize), max: Number(m.maxPrice) },
          cost: { min: Number(m.minNotional) },
        },
      });
    }
  });

  it("venue server - fetchTicker equals the simulator's ticker", async () => {
    const ticker = await exchange.fetchTicker("BTC/USDT");
    const sim = simulation.sim.ticker("BTC/USDT");
    expect(sim.last).toBeDefined();
    expect(ticker).toMatchObject({
      symbol: "BTC/USDT",
      timestamp: sim.timestamp,
      bid: num(sim.bid),
      ask: num(sim.ask),
      last: num(sim.last),
      high: num(sim.high),
      low: num(sim.low),
      baseVolume: num(sim.baseVolume),
      percentage: sim.percentage,
    });
  });

  it("venue server - fetchOrderBook equals the simulator's book, with a nonce", async () => {
    const book = await exchange.fetchOrderBook("ETH/USDT", 10);
    const sim = simulation.sim.orderBook("ETH/USDT", 10);
    const numbers = (levels: [string, string][]) => levels.map(([p, a]) => [Number(p), Number(a)]);
    expect(sim.bids.length).toBe(10);
    expect(book.bids).toEqual(numbers(sim.bids));
    expect(book.asks).toEqual(numbers(sim.asks));
    // The nonce numbers the book's state: unchanged while the book is (the diff stream's ids).
    expect(Number.isInteger(book.nonce)).toBe(true);
    expect((await exchange.fetchOrderBook("ETH/USDT", 10)).nonce).toBe(book.nonce);
  });

  it("venue server - fetchOHLCV equals the simulator's candles, with and without since", async () => {
    const tail = await exchange.fetchOHLCV("BTC/USDT", "5m", undefined, 50);
    expect(tail).toEqual(simulation.sim.ohlcv("BTC/USDT", "5m", undefined, 50));
    expect(tail.length).toBe(50);
    const since = tail[10]![0]!;
    const from = await exchange.fetchOHLCV("ETH/BTC", "1m", since, 20);
    expect(from).toEqual(simulation.sim.ohlcv("ETH/BTC", "1m", since, 20));
    expect(from[0]![0]).toBe(since);
  });

  it("venue server - fetchTrades equals the simulator's public trades", async () => {
    const trades = await exchange.fetchTrades("BTC/USDT", undefined, 30);
    const sim = simulation.sim.trades("BTC/USDT", undefined, 30);
    expect(sim.length).toBeGreaterThan(0);
    expect(
      trades.map((t) => ({
        id: t.id,
        timestamp: t.timestamp,
        side: t.side,
        price: t.price,
        amount: t.amount,
      })),
    ).toEqual(
      sim.map((t) => ({
        id: t.id,
        timestamp: t.timestamp,
        side: t.side,
        price: Number(t.price),
        amount: Number(t.amount),
      })),
    );
  });

  it("venue server - an unknown symbol is Binance's -1121, which ccxt raises as BadSymbol", async () => {
    await expect(exchange.publicGetTicker24hr({ symbol: "NOPEUSDT" })).rejects.toBeInstanceOf(
      ccxt.BadSymbol,
    );
    const res = await fetch(`${server.url}/api/v3/depth?symbol=NOPEUSDT`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: -1121, msg: "Invalid symbol." });
  });

  it("venue server - answers ping and time, and counts the request weight of the minute", async () => {
    const first = await fetch(`${server.url}/api/v3/ping`);
    expect(await first.json()).toEqual({});
    const used = Number(first.headers.get("x-mbx-used-weight-1m"));
    expect(used).toBeGreaterThanOrEqual(1);
    const time = await fetch(`${server.url}/api/v3/time`);
    expect(await time.json()).toEqual({ serverTime: Math.floor(simulation.clock.now()) });
    const after = Number(time.headers.get("x-mbx-used-weight-1m"));
    // The minute may have turned between the two requests.
    expect(after === used + 1 || after === 1).toBe(true);
  });
});
