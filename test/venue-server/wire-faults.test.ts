/**
 * The venue file's network on the wire of `crypy venue serve`: request weight over the limit is
 * answered 429 then 418 with Retry-After, a disconnect window drops connections, latency delays
 * answers, a rejected order never executes, and an order whose reply is lost (dropped or 5xx) did
 * execute and is found by its client order id. Driven by an unmodified ccxt.binance and by plain
 * HTTP where the answer's headers matter.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ccxt from "ccxt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RateLimitError } from "../../src/domain/errors.js";
import { sign } from "../../src/venue-server/binance-auth.js";
import { BAN_AFTER_REFUSALS, BAN_MS } from "../../src/venue-server/request-weight.js";
import { startVenueServer, type VenueServer } from "../../src/venue-server/server.js";
import { fromCcxtError } from "../../src/venues/ccxt/errors.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";
import { writeVenueFile } from "../support/venue-file.js";

// Made up for this test: not secrets.
const KEY = "wire-key-not-a-secret";
const SECRET = "wire-secret-not-a-secret";
const ACCOUNTS = { main: { USDT: "10000", BTC: "1", apiKeys: [{ key: KEY, secret: SECRET }] } };
const NO_LATENCY = { fixedMs: 0, jitterMs: 0 };

let dir: string;
const running: { simulation: Simulation; server: VenueServer }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-wire-"));
});
afterEach(async () => {
  for (const { server, simulation } of running.splice(0)) {
    await server.close();
    await simulation.stop();
  }
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function serve(
  blocks: Record<string, unknown>,
  options: { now?: () => number } = {},
): Promise<VenueServer> {
  const file = await writeVenueFile(dir, { accounts: ACCOUNTS, latency: NO_LATENCY, ...blocks });
  const simulation = await createSimulation(file, {
    clock: { speed: "max", historyMs: 86_400_000 },
    syntheticMs: 2 * 86_400_000,
  });
  const server = await startVenueServer(simulation, { port: 0, ...options });
  running.push({ simulation, server });
  return server;
}

function client(server: VenueServer, options: Record<string, unknown> = {}): ccxt.binance {
  const api = `${server.url}/api/v3`;
  return new ccxt.binance({
    urls: { api: { public: api, private: api, sapi: `${server.url}/sapi/v1` } },
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
    apiKey: KEY,
    secret: SECRET,
    ...options,
  });
}

async function thrown(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the call to fail");
}

describe("request weight over the venue file's rate limit", () => {
  it("answers 429 with Retry-After until the window ends, then 418 to a client that keeps on", async () => {
    let now = 1_699_999_990_000; // 10 s into a wall-clock minute
    const server = await serve(
      { rateLimit: { requests: 10, windowMs: 60_000 } },
      { now: () => now },
    );
    const depth = `${server.url}/api/v3/depth?symbol=BTCUSDT`; // weight 5
    const first = await fetch(depth);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-mbx-used-weight-1m")).toBe("5");
    expect((await fetch(depth)).headers.get("x-mbx-used-weight-1m")).toBe("10");

    const refused = await fetch(depth);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("50");
    expect(((await refused.json()) as { code: number }).code).toBe(-1003);
    // A ping (weight 1) no longer fits either: the window is full.
    expect((await fetch(`${server.url}/api/v3/ping`)).status).toBe(429);

    // Two refusals so far; the limit's last one, then the ban.
    for (let i = 3; i <= BAN_AFTER_REFUSALS; i++) expect((await fetch(depth)).status).toBe(429);
    const ban = await fetch(depth);
    expect(ban.status).toBe(418);
    expect(ban.headers.get("retry-after")).toBe(String(BAN_MS / 1000));
    expect(((await ban.json()) as { msg: string }).msg).toMatch(/banned until/);

    // The ban outlasts the window; it ends after BAN_MS.
    now += 60_000;
    expect((await fetch(depth)).status).toBe(418);
    now += BAN_MS;
    expect((await fetch(depth)).status).toBe(200);
  });

  it("reaches ccxt as DDoSProtection (its binance class raises it for 429 and 418): crypy's RateLimitError", async () => {
    const now = 1_700_000_000_000;
    const server = await serve(
      { rateLimit: { requests: 4, windowMs: 60_000 } },
      { now: () => now },
    );
    const exchange = client(server, { enableRateLimit: false });
    await exchange.fetchTime(); // weight 1 of 4
    const depth = () => exchange.publicGetDepth({ symbol: "BTCUSDT" }); // weight 5
    const refused = await thrown(depth());
    expect(refused).toBeInstanceOf(ccxt.DDoSProtection);
    expect(refused.message).toMatch(/ 429 /);
    expect(fromCcxtError(refused, "binance")).toBeInstanceOf(RateLimitError);
    for (let i = 2; i <= BAN_AFTER_REFUSALS; i++) await thrown(depth());
    const banned = await thrown(depth());
    expect(banned).toBeInstanceOf(ccxt.DDoSProtection);
    expect(banned.message).toMatch(/ 418 /);
    // Banned, even a request whose weight would fit.
    expect((await thrown(exchange.fetchTime())).message).toMatch(/ 418 /);
  });

  it("exchangeInfo states the limit the venue file sets", async () => {
    let now = 1_700_000_000_000;
    const server = await serve(
      { rateLimit: { requests: 300, windowMs: 1_000 } },
      { now: () => now },
    );
    const info = (await (await fetch(`${server.url}/api/v3/exchangeInfo`)).json()) as {
      rateLimits: { interval: string; intervalNum: number; limit: number }[];
    };
    expect(info.rateLimits).toEqual([
      { rateLimitType: "REQUEST_WEIGHT", interval: "SECOND", intervalNum: 1, limit: 300 },
    ]);
    now += 1_000; // a fresh one-second window
    expect((await fetch(`${server.url}/api/v3/ping`)).headers.get("x-mbx-used-weight-1s")).toBe(
      "1",
    );
  });
});

describe("faults on the wire", () => {
  it("drops every connection inside a disconnect window: ccxt sees a network error", async () => {
    // The simulation's clock starts a day after the venue's start: the window covers it.
    const server = await serve({
      faults: { disconnects: [{ afterMs: 0, durationMs: 30 * 86_400_000 }] },
    });
    await expect(fetch(`${server.url}/api/v3/ping`)).rejects.toThrow();
    const err = await thrown(client(server).fetchTime());
    expect(err).toBeInstanceOf(ccxt.NetworkError);
  });

  it("delays each answer by the venue file's latency, one hop each way", async () => {
    const server = await serve({ latency: { fixedMs: 60, jitterMs: 0 } });
    const started = performance.now();
    expect((await fetch(`${server.url}/api/v3/ping`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });

  it("refuses an order with 503 -1001 at rejectProbability 1, and nothing executes", async () => {
    const server = await serve({ faults: { rejectProbability: 1 } });
    const exchange = client(server);
    await exchange.loadMarkets();
    const err = await thrown(
      exchange.createOrder("BTC/USDT", "limit", "buy", 0.01, 10_000, {
        newClientOrderId: "refused-1",
      }),
    );
    expect(err).toBeInstanceOf(ccxt.OperationFailed);
    expect(await exchange.fetchOpenOrders("BTC/USDT")).toEqual([]);
  });

  for (const as of ["drop", "5xx"] as const) {
    it(`executes an order whose reply is lost (${as}): it is there, once, by its client id`, async () => {
      const server = await serve({ faults: { lostReplies: { probability: 1, as } } });
      const exchange = client(server);
      await exchange.loadMarkets();
      const err = await thrown(
        exchange.createOrder("BTC/USDT", "limit", "buy", 0.01, 10_000, {
          newClientOrderId: `lost-${as}`,
        }),
      );
      // Transient to ccxt (a dropped connection, or -1000 "unknown error"): the order is unknown.
      expect(err).toBeInstanceOf(ccxt.OperationFailed);
      const found = await exchange.fetchOrder("", "BTC/USDT", {
        origClientOrderId: `lost-${as}`,
      });
      expect(found.clientOrderId).toBe(`lost-${as}`);
      expect(found.status).toBe("open");
      const open = await exchange.fetchOpenOrders("BTC/USDT");
      expect(open.map((o) => o.clientOrderId)).toEqual([`lost-${as}`]);
    });
  }

  it("a request signed for the order endpoint but refused by the limit never executes", async () => {
    const now = 1_700_000_000_000;
    const server = await serve(
      { rateLimit: { requests: 1, windowMs: 60_000 } },
      { now: () => now },
    );
    await fetch(`${server.url}/api/v3/ping`); // the window's one unit of weight
    const query = `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=10000&newClientOrderId=late&timestamp=${Date.now()}`;
    const placed = await fetch(
      `${server.url}/api/v3/order?${query}&signature=${sign(SECRET, query)}`,
      {
        method: "POST",
        headers: { "X-MBX-APIKEY": KEY },
      },
    );
    expect(placed.status).toBe(429);
    const held = running.at(-1)!.simulation.sim.openOrders("main");
    expect(held).toEqual([]);
  });
});
