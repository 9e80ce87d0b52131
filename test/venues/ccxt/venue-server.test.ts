/**
 * CcxtVenue against the real venue server (`startVenueServer`) with the real ccxt `binance`: what
 * it returns equals the simulator's own state as exact decimal strings, orders go out with the
 * caller's client id and are found by it, and every refusal arrives as crypy's error with no key,
 * secret or signed URL in it. The simulation runs on a virtual clock that nothing moves.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  InsufficientFundsError,
  InvalidOrderError,
  NetworkError,
  NotSupportedError,
  OrderNotFoundError,
  RejectedError,
} from "../../../src/domain/errors.js";
import { DEFAULT_VENUE_FILE } from "../../../src/sim/config/load.js";
import { startVenueServer, type VenueServer } from "../../../src/venue-server/server.js";
import { CcxtVenue } from "../../../src/venues/ccxt/ccxt-venue.js";
import { venueClientOrderId } from "../../../src/venues/ccxt/client-order-id.js";
import { readDecimal } from "../../../src/venues/ccxt/decimal.js";
import { createSimulation, type Simulation } from "../../../src/venues/sim/simulation.js";

// Made up for this test: not secrets.
const KEY = "ccxtvenue-test-key-not-a-secret";
const SECRET = "ccxtvenue-test-secret-not-a-secret";
const SYMBOL = "BTC/USDT";

let dir: string;
let simulation: Simulation;
let server: VenueServer;
let venue: CcxtVenue;

/** The options that point CcxtVenue's binance at `base` (the venue server, or a dead port). */
function binanceAt(base: string, secret = SECRET) {
  const api = `${base}/api/v3`;
  return {
    exchange: "binance",
    credentials: {
      env: true as const,
      variables: { CRYPY_BINANCE_API_KEY: KEY, CRYPY_BINANCE_SECRET: secret },
    },
    urls: { api: { public: api, private: api, sapi: `${base}/sapi/v1` } },
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-ccxt-venue-"));
  const text = (await readFile(DEFAULT_VENUE_FILE, "utf8")).replace(
    /^accounts:\n(?: {2}.*\n)+/m,
    `accounts:\n  main: { USDT: "10000", BTC: "1", apiKeys: [{ key: ${KEY}, secret: ${SECRET} }] }\n`,
  );
  const file = join(dir, "venue.yaml");
  await writeFile(file, text);
  simulation = await createSimulation(file, {
    clock: { speed: "max", historyMs: 86_400_000 },
    syntheticMs: 3 * 86_400_000,
  });
  server = await startVenueServer(simulation, { port: 0 });
  venue = await CcxtVenue.open(binanceAt(server.url));
});
afterAll(async () => {
  await venue?.close();
  await server?.close();
  await simulation?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The canonical spelling of a decimal, to compare the simulator's text with the venue's. */
const canon = (text: string) => readDecimal(text, "expected");

/** A price on BTC/USDT's tick grid, `bps` basis points from the best bid. */
function btcPrice(bps: number): string {
  const bid = Number(simulation.sim.orderBook(SYMBOL, 1).bids[0]![0]);
  return (Math.round(bid * (1 + bps / 10_000) * 100) / 100).toFixed(2);
}

/** The error `call` rejects with. */
async function failure(call: Promise<unknown>): Promise<Error> {
  return call.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as Error,
  );
}

describe("ccxt venue - market data from the venue server", () => {
  it("ccxt venue - loadMarkets: precision and limits are the venue file's, as decimal strings", async () => {
    const markets = await venue.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual([...simulation.sim.symbols].sort());
    for (const symbol of simulation.sim.symbols) {
      const spec = simulation.sim.market(symbol).instrument.spec;
      expect(markets[symbol]).toMatchObject({
        symbol,
        type: "spot",
        spot: true,
        active: true,
        precision: { price: canon(spec.tickSize), amount: canon(spec.lotSize) },
        limits: {
          amount: { min: canon(spec.minQty), max: canon(spec.maxQty) },
          cost: { min: canon(spec.minNotional) },
        },
      });
      expect(typeof markets[symbol]!.maker).toBe("string");
    }
  });

  it("ccxt venue - has follows ccxt's binance: REST and ccxt pro's watches", () => {
    expect(venue.has).toMatchObject({
      loadMarkets: true,
      fetchTicker: true,
      createOrder: true,
      fetchMyTrades: true,
      watchTicker: true,
      watchOrders: true,
    });
  });

  it("ccxt venue - fetchTicker, fetchOrderBook, fetchOHLCV, fetchTrades equal the simulator's", async () => {
    const ticker = await venue.fetchTicker(SYMBOL);
    const simTicker = simulation.sim.ticker(SYMBOL);
    for (const key of ["bid", "ask", "last", "high", "low"] as const) {
      expect(ticker[key]).toBe(canon(simTicker[key]!));
    }

    const book = await venue.fetchOrderBook(SYMBOL, 10);
    const simBook = simulation.sim.orderBook(SYMBOL, 10);
    const levels = (side: [string, string][]) => side.map(([p, a]) => [canon(p), canon(a)]);
    expect(book.bids).toEqual(levels(simBook.bids));
    expect(book.asks).toEqual(levels(simBook.asks));
    for (const [p, a] of [...book.bids, ...book.asks]) {
      expect(typeof p).toBe("string");
      expect(typeof a).toBe("string");
    }

    const candles = await venue.fetchOHLCV(SYMBOL, "1m", undefined, 5);
    expect(candles).toEqual(simulation.sim.ohlcv(SYMBOL, "1m", undefined, 5));

    const trades = await venue.fetchTrades(SYMBOL, undefined, 5);
    const simTrades = simulation.sim.trades(SYMBOL, undefined, 5);
    expect(trades.map((t) => [t.timestamp, t.side, t.price, t.amount])).toEqual(
      simTrades.map((t) => [t.timestamp, t.side, canon(t.price), canon(t.amount)]),
    );
  });

  it("ccxt venue - more candles than binance gives a request (1000) come page by page, as the simulator's", async () => {
    const candles = await venue.fetchOHLCV(SYMBOL, "1m", undefined, 1300);
    expect(candles).toHaveLength(1300);
    for (let i = 1; i < candles.length; i++) {
      expect(candles[i]![0] - candles[i - 1]![0]).toBe(60_000);
    }
    const sim = simulation.sim.ohlcv(SYMBOL, "1m", undefined, 1300);
    expect(candles.map((c) => c[0])).toEqual(sim.map((c) => c[0]));
    expect(candles.at(-1)![4]).toBe(sim.at(-1)![4]);
  });

  it("ccxt venue - fetchBalance equals the simulator's balances, exactly", async () => {
    const balances = await venue.fetchBalance();
    const sim = simulation.sim.balances("main");
    for (const asset of ["USDT", "BTC"]) {
      expect(balances[asset]).toEqual({
        free: canon(sim[asset]!.free),
        used: canon(sim[asset]!.used),
        total: canon(sim[asset]!.total),
      });
    }
  });
});

describe("ccxt venue - orders on the venue server", () => {
  it("ccxt venue - a limit order: create with a client id, fetch by id and by client id, list open, cancel", async () => {
    const price = btcPrice(-200);
    const created = await venue.createOrder(SYMBOL, "limit", "buy", "0.01", price, {
      clientOrderId: "binance-main-BTC-USDT-1",
    });
    const sim = simulation.sim.order("main", { clientOrderId: "binance-main-BTC-USDT-1" });
    expect(created).toMatchObject({
      id: sim.id,
      clientOrderId: "binance-main-BTC-USDT-1",
      symbol: SYMBOL,
      type: "limit",
      side: "buy",
      timeInForce: "GTC",
      price: canon(price),
      amount: "0.01",
      filled: "0",
      remaining: "0.01",
      status: "open",
    });
    expect(sim).toMatchObject({ amount: "0.01", price: canon(price) });

    const byId = await venue.fetchOrder(sim.id, SYMBOL);
    const byClientId = await venue.fetchOrder("", SYMBOL, {
      clientOrderId: "binance-main-BTC-USDT-1",
    });
    for (const o of [byId, byClientId]) {
      expect(o).toMatchObject({ id: sim.id, clientOrderId: "binance-main-BTC-USDT-1" });
      expect(o.status).toBe("open");
    }
    const open = await venue.fetchOpenOrders(SYMBOL);
    expect(open.map((o) => o.id)).toEqual(
      simulation.sim.openOrders("main", SYMBOL).map((o) => o.id),
    );
    const balances = await venue.fetchBalance();
    expect(balances.USDT!.used).toBe(canon(simulation.sim.balances("main").USDT!.used));

    const canceled = await venue.cancelOrder(sim.id, SYMBOL);
    expect(canceled).toMatchObject({ id: sim.id, status: "canceled" });
    expect(simulation.sim.order("main", { id: sim.id }).status).toBe("canceled");
    expect(await venue.fetchOpenOrders(SYMBOL)).toEqual([]);
  });

  it("ccxt venue - a market order fills; fetchMyTrades equals the simulator's fills", async () => {
    const created = await venue.createOrder(SYMBOL, "market", "buy", "0.002", undefined, {
      clientOrderId: "binance-main-BTC-USDT-2",
    });
    const sim = simulation.sim.order("main", { clientOrderId: "binance-main-BTC-USDT-2" });
    expect(sim.status).toBe("closed");
    expect(created).toMatchObject({
      id: sim.id,
      clientOrderId: "binance-main-BTC-USDT-2",
      type: "market",
      status: "closed",
      amount: "0.002",
      filled: canon(sim.filled),
      cost: canon(sim.cost),
    });
    expect(created.price).toBeUndefined();

    const fills = await venue.fetchMyTrades(SYMBOL);
    const simFills = simulation.sim.myTrades("main", SYMBOL);
    expect(simFills.length).toBeGreaterThan(0);
    expect(fills).toEqual(
      simFills.map((f) => ({
        id: f.id,
        orderId: f.orderId,
        timestamp: f.timestamp,
        symbol: SYMBOL,
        side: f.side,
        price: canon(f.price),
        amount: canon(f.amount),
        cost: canon(f.cost),
        takerOrMaker: f.takerOrMaker,
        fee: { currency: f.fee.currency, cost: canon(f.fee.cost) },
      })),
    );
  });

  it("ccxt venue - a client id too long for Binance goes out in its deterministic legal form and is found by the caller's id", async () => {
    const callerId = "binance-main-LONGASSETNAME-USDT-1234567890";
    expect(callerId.length).toBeGreaterThan(36);
    const sent = venueClientOrderId("binance", callerId);
    const created = await venue.createOrder(SYMBOL, "limit", "buy", "0.001", btcPrice(-300), {
      clientOrderId: callerId,
    });
    expect(created.clientOrderId).toBe(callerId);
    expect(simulation.sim.order("main", { clientOrderId: sent }).id).toBe(created.id);
    // A fresh venue (a restart) finds it by the caller's id too: the encoding is deterministic.
    const fresh = await CcxtVenue.open(binanceAt(server.url));
    try {
      const found = await fresh.fetchOrder("", SYMBOL, { clientOrderId: callerId });
      expect(found).toMatchObject({ id: created.id, clientOrderId: callerId });
    } finally {
      await fresh.close();
    }
    await venue.cancelOrder(created.id, SYMBOL);
  });

  it("ccxt venue - a duplicate client order id is refused (InvalidOrderError) and places nothing", async () => {
    const price = btcPrice(-300);
    await venue.createOrder(SYMBOL, "limit", "buy", "0.001", price, { clientOrderId: "dup-1" });
    const before = simulation.sim.openOrders("main").length;
    const err = await failure(
      venue.createOrder(SYMBOL, "limit", "buy", "0.001", price, { clientOrderId: "dup-1" }),
    );
    expect(err).toBeInstanceOf(InvalidOrderError);
    expect(err.message).toContain("Duplicate order sent.");
    expect(simulation.sim.openOrders("main").length).toBe(before);
  });

  it("ccxt venue - insufficient balance is InsufficientFundsError", async () => {
    const err = await failure(venue.createOrder(SYMBOL, "limit", "buy", "5", btcPrice(-100)));
    expect(err).toBeInstanceOf(InsufficientFundsError);
  });

  it("ccxt venue - off-grid numbers are refused before sending, naming the market's rule", async () => {
    const count = simulation.sim.openOrders("main").length;
    const lot = await failure(
      venue.createOrder(SYMBOL, "limit", "buy", "0.000015", btcPrice(-100)),
    );
    expect(lot).toBeInstanceOf(InvalidOrderError);
    expect(lot.message).toMatch(
      /amount 0\.000015 is not a multiple of the market's amount step 0\.00001/,
    );
    const tick = await failure(
      venue.createOrder(SYMBOL, "limit", "buy", "0.001", `${btcPrice(-100)}5`),
    );
    expect(tick).toBeInstanceOf(InvalidOrderError);
    expect(tick.message).toContain("price tick 0.01");
    // A float with binary noise is refused too, never rounded behind the caller's back.
    const noisy = await failure(
      venue.createOrder(SYMBOL, "limit", "buy", 0.1 + 0.2, btcPrice(-100)),
    );
    expect(noisy).toBeInstanceOf(InvalidOrderError);
    expect(simulation.sim.openOrders("main").length).toBe(count);
  });

  it("ccxt venue - the exchange's filter failures: LOT_SIZE is InvalidOrderError, NOTIONAL a refusal", async () => {
    const big = await failure(venue.createOrder(SYMBOL, "limit", "buy", "10000", btcPrice(-100)));
    expect(big).toBeInstanceOf(InvalidOrderError);
    expect(big.message).toContain("Filter failure: LOT_SIZE");
    const small = await failure(
      venue.createOrder(SYMBOL, "limit", "buy", "0.00001", btcPrice(-100)),
    );
    expect(small).toBeInstanceOf(RejectedError);
    expect(small.message).toContain("Filter failure: NOTIONAL");
  });

  it("ccxt venue - unknown orders are OrderNotFoundError, by id, by client id and to cancel", async () => {
    expect(await failure(venue.fetchOrder("999999", SYMBOL))).toBeInstanceOf(OrderNotFoundError);
    expect(
      await failure(venue.fetchOrder("", SYMBOL, { clientOrderId: "never-sent" })),
    ).toBeInstanceOf(OrderNotFoundError);
    expect(await failure(venue.cancelOrder("999999", SYMBOL))).toBeInstanceOf(OrderNotFoundError);
  });

  it("ccxt venue - cancelling all orders of a market with none open cancels nothing, though Binance answers -2011 (a halt whose orders filled meanwhile)", async () => {
    for (const o of await venue.fetchOpenOrders(SYMBOL)) await venue.cancelOrder(o.id, SYMBOL);
    expect(await venue.cancelAllOrders(SYMBOL)).toEqual([]);
  });
});

/** Runs `fn` with console and stderr/stdout writes captured; returns what was written. */
async function captured(fn: () => Promise<unknown>): Promise<string> {
  const out: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const saved = methods.map((m) => console[m]);
  const writes = [process.stdout.write, process.stderr.write];
  for (const m of methods) console[m] = (...a: unknown[]) => void out.push(inspect(a));
  const sink = (chunk: unknown) => {
    out.push(String(chunk));
    return true;
  };
  process.stdout.write = sink as typeof process.stdout.write;
  process.stderr.write = sink as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    methods.forEach((m, i) => {
      console[m] = saved[i]!;
    });
    [process.stdout.write, process.stderr.write] = writes as [never, never];
  }
  return out.join("\n");
}

/** A loopback port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe("ccxt venue - failures say what failed, never a secret", () => {
  it("ccxt venue - an unreachable exchange: loadMarkets is one NetworkError line naming it and the cause", async () => {
    const dead = await CcxtVenue.open(binanceAt(`http://127.0.0.1:${await deadPort()}`));
    const err = await failure(dead.loadMarkets());
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.message).toMatch(/^binance unreachable: .*ECONNREFUSED 127\.0\.0\.1:\d+/);
    expect(err.message).not.toContain("\n");
    expect(err.message).not.toContain("    at ");
    await dead.close();
  });

  it("ccxt venue - a signed request that fails keeps the key, secret and signature out of the error and the logs", async () => {
    // Unreachable: ccxt's message holds the signed URL.
    const dead = await CcxtVenue.open(binanceAt(`http://127.0.0.1:${await deadPort()}`));
    let unreachable: Error | undefined;
    const logs1 = await captured(async () => {
      unreachable = await failure(dead.fetchBalance());
    });
    expect(unreachable).toBeInstanceOf(NetworkError);
    await dead.close();
    // Refused: the venue server says the signature is wrong (a wrong secret).
    // (ccxt's binance signs a margin request while loading markets, so that is where it fails.)
    const wrong = await CcxtVenue.open(binanceAt(server.url, "not-the-secret"));
    let refused: Error | undefined;
    const logs2 = await captured(async () => {
      refused = await failure(
        wrong.createOrder(SYMBOL, "limit", "buy", "0.001", btcPrice(-300), {
          clientOrderId: "signed-1",
        }),
      );
    });
    expect(refused).toBeInstanceOf(AuthenticationError);
    await wrong.close();
    for (const err of [unreachable!, refused!]) {
      const text = [err.message, inspect(err, { depth: 5 }), JSON.stringify(err), logs1, logs2];
      for (const t of text) {
        expect(t).not.toContain(KEY);
        expect(t).not.toContain(SECRET);
        expect(t).not.toContain("not-the-secret");
        expect(t).not.toMatch(/signature=(?!\[redacted\])/);
      }
    }
    expect(unreachable!.message).not.toContain("signature");
  });
});

describe("ccxt venue - modes", () => {
  it("ccxt venue - paper mode is refused, pointing at PaperVenue", async () => {
    const err = await failure(CcxtVenue.open({ exchange: "binance", mode: "paper" }));
    expect(err).toBeInstanceOf(NotSupportedError);
    expect(err.message).toContain("PaperVenue");
  });

  it("ccxt venue - sandbox on an exchange without test URLs is refused, naming it", async () => {
    const err = await failure(CcxtVenue.open({ exchange: "kraken", mode: "sandbox" }));
    expect(err).toBeInstanceOf(NotSupportedError);
    expect(err.message).toMatch(/^kraken has no sandbox/);
    const upbit = await failure(CcxtVenue.open({ exchange: "upbit", mode: "sandbox" }));
    expect(upbit.message).toMatch(/^upbit has no sandbox/);
  });

  it("ccxt venue - ccxt's rate limiter is always on: binance's weight per minute as a rolling window, upbit's leaky bucket; the shared budget keeps the same limit", async () => {
    const binance = await CcxtVenue.open(binanceAt(server.url));
    expect(binance.rateLimiter).toEqual({
      enabled: true,
      algorithm: "rollingWindow",
      rateLimitMs: 50,
      windowMs: 60_000,
    });
    // A shared budget (src/venues/budget) keeps the same limit: 1,200 of ccxt's units a minute.
    expect(binance.requestWeightLimit).toEqual({ weight: 1_200, windowMs: 60_000 });
    await binance.close();
    const upbit = await CcxtVenue.open({ exchange: "upbit" });
    expect(upbit.rateLimiter).toMatchObject({ enabled: true, algorithm: "leakyBucket" });
    // The leaky bucket's rate, over one second: no burst beyond it.
    const { rateLimitMs } = upbit.rateLimiter;
    expect(upbit.requestWeightLimit).toEqual({ weight: 1_000 / rateLimitMs, windowMs: 1_000 });
    await upbit.close();
    const stated = await CcxtVenue.open({
      ...binanceAt(server.url),
      requestWeight: { weight: 240, windowMs: 60_000 },
    });
    expect(stated.requestWeightLimit).toEqual({ weight: 240, windowMs: 60_000 });
    await stated.close();
    await expect(
      CcxtVenue.open({ exchange: "binance", requestWeight: { weight: 0, windowMs: 1 } }),
    ).rejects.toThrow(/requestWeight: a request-weight limit needs weight > 0/);
  });

  it("ccxt venue - sandbox on bitget opens: its demo trading (ccxt's own setSandboxMode), no test URLs", async () => {
    const demo = await CcxtVenue.open({ exchange: "bitget", mode: "sandbox" });
    expect(demo.mode).toBe("sandbox");
    await demo.close();
  });

  it("ccxt venue - sandbox on binance opens (its testnet URLs), with urls still overridable", async () => {
    const sandbox = await CcxtVenue.open({ ...binanceAt(server.url), mode: "sandbox" });
    expect(sandbox.mode).toBe("sandbox");
    // The override wins over the testnet URLs, so this reaches the local server.
    expect(Object.keys(await sandbox.loadMarkets())).toContain(SYMBOL);
    await sandbox.close();
  });
});
