/**
 * What the venue server's WebSocket tests share: a venue file with made-up API keys, a simulation
 * on a virtual clock the test steps, the server, an unmodified ccxt pro `binance` pointed at it
 * (URLs and spot-only options only), and a raw `ws` client that buffers what it receives.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ccxt from "ccxt";
import { expect } from "vitest";
import WebSocket from "ws";
import { DEFAULT_VENUE_FILE } from "../../src/sim/config/load.js";
import {
  startVenueServer,
  type VenueServer,
  type VenueServerOptions,
} from "../../src/venue-server/server.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";

// Made up for these tests: not secrets.
export const KEY = "test-ws-key-main-not-a-secret";
export const SECRET = "test-ws-secret-main-not-a-secret";

export type ProBinance = InstanceType<typeof ccxt.pro.binance>;

export interface Venue {
  simulation: Simulation;
  server: VenueServer;
  /** ws://host:port */
  wsUrl: string;
  close(): Promise<void>;
}

/** venues/sim.yaml with account main (10000 USDT, 1 BTC, the test key), on a virtual clock. */
export async function startVenue(options: VenueServerOptions = {}): Promise<Venue> {
  const dir = await mkdtemp(join(tmpdir(), "crypy-ws-"));
  const text = (await readFile(DEFAULT_VENUE_FILE, "utf8")).replace(
    /^accounts:\n(?: {2}.*\n)+/m,
    `accounts:\n  main: { USDT: "10000", BTC: "1", apiKeys: [{ key: ${KEY}, secret: ${SECRET} }] }\n`,
  );
  const file = join(dir, "venue.yaml");
  await writeFile(file, text);
  const simulation = await createSimulation(file, {
    clock: { speed: "max", historyMs: 86_400_000 },
    syntheticMs: 3 * 86_400_000,
  });
  const server = await startVenueServer(simulation, { port: 0, ...options });
  return {
    simulation,
    server,
    wsUrl: server.url.replace(/^http/, "ws"),
    close: async () => {
      await server.close();
      await simulation.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * ccxt pro's binance with only the venue's URLs, spot-only options and the test key, markets
 * loaded. ccxt refuses plain ws:// URLs until its own HTTP agent is loaded, as its error says.
 */
export async function proClient(venue: Venue): Promise<ProBinance> {
  const api = `${venue.server.url}/api/v3`;
  const exchange = new ccxt.pro.binance({
    urls: {
      api: {
        public: api,
        private: api,
        sapi: `${venue.server.url}/sapi/v1`,
        ws: { spot: `${venue.wsUrl}/ws`, "ws-api": { spot: `${venue.wsUrl}/ws-api/v3` } },
      },
    },
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
    apiKey: KEY,
    secret: SECRET,
  });
  await exchange.loadHttpProxyAgent();
  await exchange.loadMarkets();
  return exchange;
}

/** CcxtVenue's options for binance at the venue: its REST and WebSocket URLs and the test key. */
export function ccxtVenueOptions(venue: Venue) {
  const api = `${venue.server.url}/api/v3`;
  return {
    exchange: "binance",
    credentials: {
      env: true as const,
      variables: { CRYPY_BINANCE_API_KEY: KEY, CRYPY_BINANCE_SECRET: SECRET },
    },
    urls: {
      api: {
        public: api,
        private: api,
        sapi: `${venue.server.url}/sapi/v1`,
        ws: { spot: `${venue.wsUrl}/ws`, "ws-api": { spot: `${venue.wsUrl}/ws-api/v3` } },
      },
    },
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Steps the simulation `stepMs` at a time, letting the streams flow, until `promise` settles. */
export async function stepUntil<T>(
  simulation: Simulation,
  promise: Promise<T>,
  stepMs = 10_000,
  tries = 100,
): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => {});
  for (let i = 0; i < tries && !settled; i++) {
    await simulation.run({ until: simulation.clock.now() + stepMs });
    await sleep(30);
  }
  if (!settled) throw new Error("the stream sent nothing while the simulation ran");
  return watched;
}

/** A raw WebSocket client that keeps every JSON message it receives. */
export class RawClient {
  readonly messages: unknown[] = [];
  readonly ws: WebSocket;
  private waiters: (() => void)[] = [];

  private constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on("message", (data) => {
      this.messages.push(JSON.parse(data.toString()));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(url: string): Promise<RawClient> {
    const client = new RawClient(url);
    await new Promise<void>((resolve, reject) => {
      client.ws.once("open", () => resolve());
      client.ws.once("error", reject);
    });
    return client;
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The first message (from `from` on) that `match` accepts, waiting up to `withinMs`. */
  async next<T = Record<string, unknown>>(
    match: (m: Record<string, unknown>) => boolean,
    from = 0,
    withinMs = 5000,
  ): Promise<T> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const found = this.messages.slice(from).find((m) => match(m as Record<string, unknown>));
      if (found !== undefined) return found as T;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no such message arrived");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}

/**
 * ccxt's candles from the server's klines: each closed one equals the simulator's; the one the
 * simulator has not closed yet is the newest, opened at the candle before's close with no volume
 * (the server opens the next candle at each close, as Binance does).
 */
export function expectSimCandles(
  candles: ReadonlyArray<ReadonlyArray<number | undefined>>,
  closedAt: (openTime: number) => unknown[] | undefined,
  label = "",
): void {
  const sorted = [...candles].sort((a, b) => a[0]! - b[0]!);
  let forming = 0;
  sorted.forEach((candle, i) => {
    const sim = closedAt(candle[0]!);
    if (sim !== undefined) {
      expect(candle, `${label} ${candle[0]}`).toEqual(sim);
      return;
    }
    forming += 1;
    expect(i, `${label} only the newest candle is forming`).toBe(sorted.length - 1);
    const before = sorted[i - 1];
    if (before !== undefined) {
      const close = before[4];
      expect(candle.slice(1), `${label} the opening candle`).toEqual([
        close,
        close,
        close,
        close,
        0,
      ]);
    }
  });
  expect(forming).toBeLessThanOrEqual(1);
}
