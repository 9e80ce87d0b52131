/**
 * bench venue — the live path's cost over the wire: an order round trip (createOrder → reply)
 * through crypy's CcxtVenue and the real ccxt binance client to `crypy venue serve`, against a bare
 * signed HTTP request (node's fetch, an HMAC, JSON.parse) for the same order to the same server in
 * the same run.
 *
 * Workload: the shipped venue (BTC/USDT) with no latency, no rate limit to speak of and no faults,
 * on a wall clock; an account with a made-up key. Each order is a GTC limit buy of 0.001 BTC at
 * half the last price (it rests; nothing fills, so every order costs the server the same), with
 * its own client order id. Orders are spaced 60 ms apart, untimed, so ccxt's rate limiter (on, as
 * CcxtVenue always has it: 50 ms per request for binance) never holds one back: the figure is the
 * request path, not the throttle. Ours and the peer alternate in blocks; the server's open orders
 * are cleared between blocks. Checks: every order of both sides is at the server, resting, with
 * its client id, and the two sides placed the same number. Goal: p50 ≤ 1.5× the bare request.
 *
 * Second measurement — market data through the WebSocket: trades/s reaching CcxtVenue.watchTrades
 * (ccxt pro binance: JSON, ccxt's parser and trade cache, crypy's decimal strings) against a raw
 * `ws` client (JSON.parse only) subscribed to the same `btcusdt@trade` stream of the same server.
 * Workload: a second simulation of the shipped venue on a virtual clock, no latency, 30 days of
 * synthetic data (one BTC/USDT print per 15 simulated seconds); both clients subscribe, a warm-up
 * hour of trades reaches both, then the clock is driven flat out for WS_SECONDS of wall time, one
 * simulated hour (240 prints) per turn of the event loop: about 8,000 trades a second here (2
 * cores). Server, simulation and both clients share this process's one event loop, so the figure
 * is what each consumer receives while all of it runs (ccxt's per-message work slows the stream for
 * both: the absolute rate is the whole pipeline's); the ratio shows whether that work makes ccxt
 * lose or lag trades the raw socket gets. Each side's rate: trades received / (its last trade's
 * arrival − the start). Checks: both saw the same first and last trade id, and counts within
 * WS_COUNT_TOLERANCE (0.5 %; ccxt's trade cache holds 1000, a consumer that falls further behind
 * loses trades). Goal: ratio ≥ 0.9 (ccxt keeps up with the raw socket).
 */
import { createHmac } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import WebSocket from "ws";
import { parse, stringify } from "yaml";
import { DEFAULT_VENUE_FILE } from "../src/sim/config/load.js";
import { startVenueServer, type VenueServer } from "../src/venue-server/server.js";
import { CcxtVenue } from "../src/venues/ccxt/ccxt-venue.js";
import { createSimulation, type Simulation } from "../src/venues/sim/simulation.js";
import { quantile, report } from "./report.js";

// Made up for the benchmark's simulated account: not secrets.
const KEY = "bench-key-not-a-secret";
const SECRET = "bench-secret-not-a-secret";
const SYMBOL = "BTC/USDT";
const BLOCK = 50;
const BLOCKS = 4;
const SPACING_MS = 60;
const WS_SECONDS = 4;
const WS_COUNT_TOLERANCE = 0.005;
const HOUR_MS = 3_600_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function benchVenueFile(dir: string): Promise<string> {
  const venue = parse(await readFile(DEFAULT_VENUE_FILE, "utf8"));
  venue.accounts = { main: { USDT: "100000000", apiKeys: [{ key: KEY, secret: SECRET }] } };
  venue.latency = { fixedMs: 0, jitterMs: 0 };
  venue.rateLimit = { requests: 100_000_000, windowMs: 60_000 };
  const file = join(dir, "bench-venue.yaml");
  await writeFile(file, stringify(venue));
  return file;
}

/** The bare client: Binance's documented signed POST /api/v3/order, nothing else. */
function bareOrder(server: VenueServer, price: string) {
  return async (clientId: string): Promise<void> => {
    const query = new URLSearchParams({
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.001",
      price,
      newClientOrderId: clientId,
      timestamp: String(Date.now()),
    }).toString();
    const signature = createHmac("sha256", SECRET).update(query).digest("hex");
    const res = await fetch(`${server.url}/api/v3/order?${query}&signature=${signature}`, {
      method: "POST",
      headers: { "X-MBX-APIKEY": KEY },
    });
    const body = (await res.json()) as { clientOrderId?: string };
    if (res.status !== 200 || body.clientOrderId !== clientId)
      throw new Error(`bare order ${clientId}: ${res.status} ${JSON.stringify(body)}`);
  };
}

function ccxtOrder(venue: CcxtVenue, price: string) {
  return async (clientId: string): Promise<void> => {
    const order = await venue.createOrder(SYMBOL, "limit", "buy", "0.001", price, {
      clientOrderId: clientId,
    });
    if (order.clientOrderId !== clientId) throw new Error(`ccxt order ${clientId}: wrong id back`);
  };
}

/** Round trips of one block, in microseconds, each order its own client id. */
async function block(place: (id: string) => Promise<void>, prefix: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < BLOCK; i++) {
    await sleep(SPACING_MS);
    const started = process.hrtime.bigint();
    await place(`${prefix}-${i}`);
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  return samples;
}

/** Every order of the block rests at the server with its id; then they are cleared. */
function checkAndClear(simulation: Simulation, prefix: string): void {
  const open = simulation.sim.openOrders("main").filter((o) => o.clientOrderId?.startsWith(prefix));
  if (open.length !== BLOCK) {
    throw new Error(`${prefix}: ${open.length} of ${BLOCK} orders rest at the server`);
  }
  simulation.sim.cancelAllOrders("main", SYMBOL);
}

async function orderRoundTrip(simulation: Simulation, server: VenueServer): Promise<boolean> {
  const api = `${server.url}/api/v3`;
  const venue = await CcxtVenue.open({
    exchange: "binance",
    credentials: {
      env: true,
      variables: { CRYPY_BINANCE_API_KEY: KEY, CRYPY_BINANCE_SECRET: SECRET },
    },
    urls: { api: { public: api, private: api, sapi: `${server.url}/sapi/v1` } },
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
  });
  try {
    await venue.loadMarkets();
    const last = Number((await venue.fetchTicker(SYMBOL)).last);
    const price = (Math.floor(last / 2) + 0.5).toFixed(2);
    const ours = ccxtOrder(venue, price);
    const peer = bareOrder(server, price);
    // Warm-up: connections open, code paths compiled.
    await block(ours, "warm-ccxt");
    checkAndClear(simulation, "warm-ccxt");
    await block(peer, "warm-bare");
    checkAndClear(simulation, "warm-bare");
    const oursUs: number[] = [];
    const peerUs: number[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      oursUs.push(...(await block(ours, `ccxt-${b}`)));
      checkAndClear(simulation, `ccxt-${b}`);
      peerUs.push(...(await block(peer, `bare-${b}`)));
      checkAndClear(simulation, `bare-${b}`);
    }
    oursUs.sort((a, b) => a - b);
    peerUs.sort((a, b) => a - b);
    const p50 = report({
      bench: "venue order round trip p50",
      impl: "CcxtVenue → ccxt binance → crypy venue serve",
      value: quantile(oursUs, 0.5),
      unit: "µs",
      peer: "bare signed HTTP (fetch + HMAC)",
      peer_value: quantile(peerUs, 0.5),
      goal: { atMost: 1.5 },
    });
    report({
      bench: "venue order round trip p99",
      impl: "CcxtVenue → ccxt binance → crypy venue serve",
      value: quantile(oursUs, 0.99),
      unit: "µs",
      peer: "bare signed HTTP (fetch + HMAC)",
      peer_value: quantile(peerUs, 0.99),
    });
    return p50;
  } finally {
    await venue.close();
  }
}

/** What one consumer of the trade stream received: trade ids in order and when the last came. */
class Tally {
  count = 0;
  first: string | undefined;
  last: string | undefined;
  lastAt = 0n;

  add(id: string): void {
    this.count++;
    this.first ??= id;
    this.last = id;
    this.lastAt = process.hrtime.bigint();
  }

  reset(): void {
    this.count = 0;
    this.first = undefined;
    this.last = undefined;
  }
}

/** Resolves once neither tally has grown for `quietMs`. */
async function drained(tallies: Tally[], quietMs = 500): Promise<void> {
  let seen = -1;
  for (;;) {
    const total = tallies.reduce((n, t) => n + t.count, 0);
    if (total === seen) return;
    seen = total;
    await sleep(quietMs);
  }
}

async function wsTrades(dir: string): Promise<boolean> {
  const simulation = await createSimulation(await benchVenueFile(dir), {
    clock: { speed: "max", historyMs: 86_400_000 },
    syntheticMs: 30 * 86_400_000,
  });
  const server = await startVenueServer(simulation, { port: 0 });
  const wsUrl = server.url.replace(/^http/, "ws");
  const api = `${server.url}/api/v3`;
  const venue = await CcxtVenue.open({
    exchange: "binance",
    urls: {
      api: {
        public: api,
        private: api,
        sapi: `${server.url}/sapi/v1`,
        ws: { spot: `${wsUrl}/ws`, "ws-api": { spot: `${wsUrl}/ws-api/v3` } },
      },
    },
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
  });
  const raw = new WebSocket(`${wsUrl}/ws/btcusdt@trade`);
  const opened = new Promise<void>((resolve, reject) => {
    raw.once("open", () => resolve());
    raw.once("error", reject);
  });
  const ours = new Tally();
  const peer = new Tally();
  let consuming = true;
  let consumer: Promise<void> = Promise.resolve();
  try {
    await venue.loadMarkets();
    await opened;
    raw.on("message", (data) => {
      const trade = JSON.parse(data.toString()) as { e?: string; t?: number };
      if (trade.e === "trade") peer.add(String(trade.t));
    });
    consumer = (async () => {
      while (consuming) {
        for (const trade of await venue.watchTrades(SYMBOL)) ours.add(trade.id);
      }
    })().catch((err: unknown) => {
      if (consuming) throw err;
    });
    // Warm-up: both subscribed and receiving, code paths compiled.
    while (ours.count === 0 || peer.count === 0) {
      await simulation.run({ until: simulation.clock.now() + HOUR_MS });
      await sleep(50);
    }
    await drained([ours, peer]);
    ours.reset();
    peer.reset();

    const started = process.hrtime.bigint();
    const deadline = performance.now() + WS_SECONDS * 1000;
    while (performance.now() < deadline) {
      await simulation.run({ until: simulation.clock.now() + HOUR_MS });
      await nextTurn();
    }
    await drained([ours, peer]);
    consuming = false;
    const rate = (t: Tally) => t.count / (Number(t.lastAt - started) / 1e9);
    const pass = report({
      bench: "venue ws trades/s",
      impl: "CcxtVenue.watchTrades (ccxt pro binance) ← crypy venue serve",
      value: rate(ours),
      unit: "trades/s",
      peer: "raw ws client (JSON.parse), same stream, same run",
      peer_value: rate(peer),
      goal: { atLeast: 0.9 },
    });
    const countsClose = Math.abs(ours.count - peer.count) <= WS_COUNT_TOLERANCE * peer.count;
    const check = `ccxt ${ours.count} trades (${ours.first}..${ours.last}), raw ${peer.count} (${peer.first}..${peer.last})`;
    process.stderr.write(`venue ws trades: ${check}\n`);
    if (ours.first !== peer.first || ours.last !== peer.last || !countsClose || peer.count === 0) {
      process.stderr.write("venue ws trades: the two sides did not receive the same trades\n");
      return false;
    }
    return pass;
  } finally {
    consuming = false;
    raw.close();
    await venue.close();
    await consumer;
    await server.close();
    await simulation.stop();
  }
}

async function orderBench(dir: string): Promise<boolean> {
  const simulation = await createSimulation(await benchVenueFile(dir), {
    clock: { speed: 1, historyMs: 86_400_000 },
  });
  simulation.start();
  const server = await startVenueServer(simulation, { port: 0 });
  try {
    return await orderRoundTrip(simulation, server);
  } finally {
    await server.close();
    await simulation.stop();
  }
}

export async function run(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), "crypy-bench-venue-"));
  try {
    const roundTrip = await orderBench(dir);
    const trades = await wsTrades(dir);
    return roundTrip && trades;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
