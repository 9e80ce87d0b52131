/**
 * CcxtVenue's watches (ccxt pro) against the venue server's WebSocket streams (`startVenueServer`,
 * market streams at /ws, the user data stream through the WebSocket API at /ws-api/v3): what each
 * watch returns equals the simulator's own state, as exact decimal strings where crypy's types
 * have them. The simulation runs on a virtual clock the tests step (ws-support.ts); values are
 * compared once the simulation is paused and the stream has caught up with it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDecimal, parseDecimal } from "../../../src/domain/fixed.js";
import { CcxtVenue } from "../../../src/venues/ccxt/ccxt-venue.js";
import { readDecimal } from "../../../src/venues/ccxt/decimal.js";
import {
  ccxtVenueOptions,
  expectSimCandles,
  sleep,
  startVenue,
  stepUntil,
  type Venue,
} from "../../venue-server/ws-support.js";

const SYMBOL = "BTC/USDT";

let server: Venue;
let venue: CcxtVenue;

beforeAll(async () => {
  server = await startVenue();
  venue = await CcxtVenue.open(ccxtVenueOptions(server));
  await venue.loadMarkets();
});
afterAll(async () => {
  await venue?.close();
  await server?.close();
});

/** The canonical spelling of a decimal, to compare the simulator's text with the venue's. */
const canon = (text: string) => readDecimal(text, "expected");

/**
 * Calls `watch` again and again in the background, keeping its latest value: `first` settles with
 * the first one, `until` with the first (from now on) that `done` accepts, `stop` ends it.
 */
function follow<T>(watch: () => Promise<T>) {
  let latest: T | undefined;
  let stopped = false;
  let waiters: ((value: T) => void)[] = [];
  let fail: (err: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  void (async () => {
    while (!stopped) {
      try {
        const value = await watch();
        latest = value;
        for (const wake of waiters.splice(0)) wake(value);
      } catch (err) {
        if (!stopped) fail(err);
        return;
      }
    }
  })();
  const until = (done: (value: T) => boolean): Promise<T> =>
    Promise.race([
      failed,
      new Promise<T>((resolve) => {
        const check = (value: T) => (done(value) ? resolve(value) : waiters.push(check));
        waiters.push(check);
      }),
    ]);
  return {
    first: until(() => true),
    until,
    stop(): T {
      stopped = true;
      waiters = [];
      if (latest === undefined) throw new Error("the stream sent nothing");
      return latest;
    },
  };
}

/** Calls `watch` until a value satisfies `done`, within `withinMs`. */
async function until<T>(watch: () => Promise<T>, done: (value: T) => boolean, withinMs = 5000) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the stream never caught up")), withinMs);
  });
  try {
    for (;;) {
      const value = await Promise.race([watch(), timeout]);
      if (done(value)) return value;
    }
  } finally {
    clearTimeout(timer);
  }
}

describe("ccxt venue - watches against the venue server's streams", () => {
  it("ccxt venue - watchTrades: each trade is the simulator's trade with that id, exactly", async () => {
    const { simulation } = server;
    const trades = await stepUntil(simulation, venue.watchTrades(SYMBOL));
    expect(trades.length).toBeGreaterThan(0);
    const tape = new Map(simulation.sim.trades(SYMBOL, undefined, 1000).map((t) => [t.id, t]));
    for (const t of trades) {
      const sim = tape.get(t.id);
      expect(sim, `trade ${t.id}`).toBeDefined();
      expect(t).toEqual({
        id: sim!.id,
        timestamp: sim!.timestamp,
        symbol: SYMBOL,
        side: sim!.side,
        price: canon(sim!.price),
        amount: canon(sim!.amount),
      });
    }
  });

  it("ccxt venue - watchOrderBook: the book kept from snapshot and diffs equals the simulator's, as decimal strings", async () => {
    const { simulation } = server;
    const book = follow(() => venue.watchOrderBook(SYMBOL));
    const first = await stepUntil(simulation, book.first);
    // A user's order adds a level the makers do not quote; then the market moves.
    const bid = Number(simulation.sim.orderBook(SYMBOL, 1).bids[0]![0]);
    const price = (Math.round(bid * 98) / 100).toFixed(2);
    await venue.createOrder(SYMBOL, "limit", "buy", "0.001", price);
    await stepUntil(
      simulation,
      book.until((b) => b.nonce! > first.nonce! + 2),
      5_000,
    );
    await sleep(300);
    const latest = book.stop();
    const sim = simulation.sim.orderBook(SYMBOL, 1000);
    const levels = (side: [string, string][]) => side.map(([p, a]) => [canon(p), canon(a)]);
    expect(latest.bids).toEqual(levels(sim.bids));
    expect(latest.asks).toEqual(levels(sim.asks));
    expect(latest.bids.some(([p]) => p === canon(price))).toBe(true);
    for (const [p, a] of [...latest.bids, ...latest.asks]) {
      expect(typeof p).toBe("string");
      expect(typeof a).toBe("string");
    }
    // Its nonce is the id of the state the REST snapshot shows now.
    expect(latest.nonce).toBe((await venue.fetchOrderBook(SYMBOL)).nonce);
  });

  it("ccxt venue - watchOHLCV: 1m candles equal the simulator's", async () => {
    const { simulation } = server;
    const candles = await stepUntil(simulation, venue.watchOHLCV(SYMBOL, "1m"), 30_000);
    expect(candles.length).toBeGreaterThan(0);
    // Closed ones equal the simulator's; the newest may be the next candle opening (the server
    // opens it at each close, as Binance does): the venue says it streams forming candles.
    expectSimCandles(candles, (openTime) => simulation.sim.ohlcv(SYMBOL, "1m", openTime, 1)[0]);
    for (const candle of candles) expect(candle[0] % 60_000).toBe(0);
    expect(venue.streamsFormingCandles).toBe(true);
  });

  it("ccxt venue - watchTicker equals the simulator's ticker, exactly", async () => {
    const { simulation } = server;
    const ticker = follow(() => venue.watchTicker(SYMBOL));
    await stepUntil(simulation, ticker.first, 5_000, 200);
    await stepUntil(
      simulation,
      ticker.until((t) => t.timestamp > 0),
      5_000,
      200,
    );
    // The mini ticker goes out each wall second when it changed: the last shows the paused state.
    await sleep(1200);
    const latest = ticker.stop();
    const sim = simulation.sim.ticker(SYMBOL);
    expect(latest).toMatchObject({
      symbol: SYMBOL,
      last: canon(sim.last!),
      high: canon(sim.high!),
      low: canon(sim.low!),
      baseVolume: canon(sim.baseVolume!),
    });
    // A mini ticker goes out only when its content changed: it may be a few steps old.
    expect(latest.timestamp).toBeLessThanOrEqual(Math.floor(sim.timestamp));
  });

  it("ccxt venue - watchOrders: an order placed with a client id arrives with that id, then its fill", async () => {
    const { simulation } = server;
    // Longer than Binance's 36 characters: it goes out in its legal form and must map back.
    const callerId = "binance-main-BTC-USDT-watch-orders-0000001";
    // The first watch subscribes (and waits for an event): let it subscribe before trading.
    const firstUpdate = venue.watchOrders(SYMBOL);
    await sleep(300);
    const bid = Number(simulation.sim.orderBook(SYMBOL, 1).bids[0]![0]);
    const price = (bid * 0.9995).toFixed(2);
    const placed = await venue.createOrder(SYMBOL, "limit", "buy", "0.01", price, {
      clientOrderId: callerId,
    });
    expect(placed.clientOrderId).toBe(callerId);
    const [created] = await firstUpdate;
    expect(created).toMatchObject({
      id: placed.id,
      clientOrderId: callerId,
      status: "open",
      side: "buy",
      type: "limit",
      price: canon(price),
      amount: "0.01",
      filled: "0",
    });
    // The market comes down to the order: it fills.
    const filled = await stepUntil(
      simulation,
      until(
        () => venue.watchOrders(SYMBOL),
        (orders) => orders.some((o) => o.id === placed.id && o.status === "closed"),
        120_000,
      ),
      60_000,
      500,
    ).then((orders) => orders.find((o) => o.id === placed.id && o.status === "closed")!);
    const sim = simulation.sim.order("main", { id: placed.id });
    expect(sim.status).toBe("closed");
    expect(filled).toMatchObject({
      clientOrderId: callerId,
      status: "closed",
      amount: "0.01",
      filled: canon(sim.filled),
      remaining: "0",
      cost: canon(sim.cost),
    });
  });

  it("ccxt venue - watchBalance after a fill equals the simulator's balances, exactly", async () => {
    const { simulation } = server;
    const before = await venue.fetchBalance();
    const sold = canon(
      formatDecimal(parseDecimal(before.BTC!.total, 8) - parseDecimal("0.02", 8), 8),
    );
    // Updates still in flight from earlier orders arrive first: follow until the sale shows.
    const update = until(
      () => venue.watchBalance(),
      (b) => b.BTC?.total === sold,
    );
    await sleep(300);
    await venue.createOrder(SYMBOL, "market", "sell", "0.02");
    const balance = await update;
    const sim = simulation.sim.balances("main");
    for (const asset of ["BTC", "USDT"]) {
      expect(balance[asset], asset).toEqual({
        free: canon(sim[asset]!.free),
        used: canon(sim[asset]!.used),
        total: canon(sim[asset]!.total),
      });
    }
  });
});
