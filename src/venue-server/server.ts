/**
 * The venue server: a simulation behind Binance spot's public REST API on node:http, so an
 * unmodified Binance client (ccxt's `binance` with only its URLs changed) reads the simulator's
 * markets, tickers, books, candles and trades; with an API key from the venue file's `apiKeys`
 * (set as ccxt's apiKey and secret), it trades the key's account through Binance's SIGNED
 * endpoints: account, order (new, query, cancel), openOrders, myTrades. WebSocket streams come later.
 *
 * Every answer carries X-MBX-USED-WEIGHT-1M, the request weight the client's address has used in
 * the current wall-clock minute, counted with Binance's weights; errors are Binance's `{code, msg}`.
 *
 * @example
 * const server = await startVenueServer(simulation, { port: 0 });
 * const api = `${server.url}/api/v3`;
 * const urls = { api: { public: api, private: api, sapi: `${server.url}/sapi/v1` } };
 * const exchange = new ccxt.binance({ urls, apiKey, secret });
 * await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  InvalidInputError,
  OrderNotFoundError,
  RateLimitError,
  TransientError,
  UnknownMarketError,
} from "../domain/errors.js";
import type { Simulation } from "../venues/sim/simulation.js";
import { BinanceAccount } from "./binance-account.js";
import { ApiKeys } from "./binance-auth.js";
import {
  BinanceError,
  invalidSymbol,
  orderDoesNotExist,
  unknownEndpoint,
} from "./binance-error.js";
import { BinanceSpot, type Query } from "./binance-spot.js";

export interface VenueServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a port the OS chooses. */
  port?: number;
  /** Wall-clock milliseconds for the rate-limit window (tests inject it). */
  now?: () => number;
}

export interface VenueServer {
  /** http://host:port, with no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

interface Route {
  weight(q: Query): number;
  answer(q: Query): unknown;
}

/** A SIGNED endpoint: it acts for the account whose API key signed the request. */
interface SignedRoute {
  weight(q: Query): number;
  answer(account: string, q: Query): unknown;
}

/** Largest request body read (Binance's order parameters are a few hundred bytes). */
const MAX_BODY_BYTES = 64 * 1024;

const MINUTE_MS = 60_000;

function routes(spot: BinanceSpot): ReadonlyMap<string, Route> {
  const fixed = (weight: number, answer: (q: Query) => unknown): Route => ({
    weight: () => weight,
    answer,
  });
  const bySymbol = (one: number, all: number) => (q: Query) => (q.has("symbol") ? one : all);
  return new Map<string, Route>([
    ["/api/v3/ping", fixed(1, () => ({}))],
    ["/api/v3/time", fixed(1, () => spot.time())],
    ["/api/v3/exchangeInfo", fixed(20, () => spot.exchangeInfo())],
    ["/api/v3/ticker/24hr", { weight: bySymbol(2, 80), answer: (q) => spot.ticker24hr(q) }],
    ["/api/v3/ticker/bookTicker", { weight: bySymbol(2, 4), answer: (q) => spot.bookTicker(q) }],
    ["/api/v3/depth", { weight: depthWeight, answer: (q) => spot.depth(q) }],
    ["/api/v3/klines", fixed(2, (q) => spot.klines(q))],
    ["/api/v3/trades", fixed(25, (q) => spot.trades(q))],
    ["/api/v3/aggTrades", fixed(2, (q) => spot.aggTrades(q))],
  ]);
}

function signedRoutes(account: BinanceAccount): ReadonlyMap<string, SignedRoute> {
  const fixed = (weight: number, answer: (account: string, q: Query) => unknown): SignedRoute => ({
    weight: () => weight,
    answer,
  });
  return new Map<string, SignedRoute>([
    ["GET /api/v3/account", fixed(20, (a, q) => account.account(a, q))],
    ["POST /api/v3/order", fixed(1, (a, q) => account.newOrder(a, q))],
    ["GET /api/v3/order", fixed(4, (a, q) => account.getOrder(a, q))],
    ["DELETE /api/v3/order", fixed(1, (a, q) => account.cancelOrder(a, q))],
    [
      "GET /api/v3/openOrders",
      { weight: (q) => (q.has("symbol") ? 6 : 80), answer: (a, q) => account.openOrders(a, q) },
    ],
    ["GET /api/v3/myTrades", fixed(20, (a, q) => account.myTrades(a, q))],
    // ccxt's loadMarkets asks for margin pairs when it holds a key: the venue is spot only.
    ["GET /sapi/v1/margin/allPairs", fixed(1, () => [])],
    ["GET /sapi/v1/margin/isolated/allPairs", fixed(10, () => [])],
  ]);
}

/** Binance's depth weight grows with the limit asked for (default 100). */
function depthWeight(q: Query): number {
  const limit = Number(q.get("limit") ?? 100);
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

/** Request weight per client address, reset at each wall-clock minute as Binance does. */
class WeightCounter {
  private minute = -1;
  private readonly used = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  add(client: string, weight: number): number {
    const minute = Math.floor(this.now() / MINUTE_MS);
    if (minute !== this.minute) {
      this.minute = minute;
      this.used.clear();
    }
    const total = (this.used.get(client) ?? 0) + weight;
    this.used.set(client, total);
    return total;
  }
}

export async function startVenueServer(
  simulation: Simulation,
  options: VenueServerOptions = {},
): Promise<VenueServer> {
  const { host = "127.0.0.1", port = 0, now = Date.now } = options;
  const spot = new BinanceSpot(simulation.config, simulation.sim);
  const table = routes(spot);
  const signed = signedRoutes(new BinanceAccount(simulation.config, simulation.sim, spot));
  const keys = new ApiKeys(simulation.config.apiKeys ?? [], now);
  const weights = new WeightCounter(now);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://venue");
    const client = req.socket.remoteAddress ?? "";
    const signedRoute = signed.get(`${req.method} ${url.pathname}`);
    if (signedRoute !== undefined) {
      readBody(req)
        .then((body) => {
          const used = weights.add(client, signedRoute.weight(url.searchParams));
          answer(res, used, () => {
            const header = req.headers["x-mbx-apikey"];
            const { account, params } = keys.authenticate({
              query: url.search.slice(1),
              body,
              apiKey: Array.isArray(header) ? header[0] : header,
            });
            return signedRoute.answer(account, params);
          });
        })
        .catch(() => res.destroy());
      return;
    }
    const route = req.method === "GET" ? table.get(url.pathname) : undefined;
    const used = weights.add(client, route?.weight(url.searchParams) ?? 1);
    answer(res, used, () => {
      if (route === undefined) throw unknownEndpoint();
      return route.answer(url.searchParams);
    });
  });
  server.on("clientError", (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err === undefined ? resolve() : reject(err)));
        server.closeAllConnections();
      }),
  };
}

function answer(res: ServerResponse<IncomingMessage>, used: number, body: () => unknown): void {
  try {
    reply(res, used, 200, body());
  } catch (err) {
    const e = asBinanceError(err);
    reply(res, used, e.status, e.body);
  }
}

/** The request body as text, refused past MAX_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error("request body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function asBinanceError(err: unknown): BinanceError {
  if (err instanceof BinanceError) return err;
  // The simulator's own refusal of a well-formed request (e.g. a timeframe finer than its data).
  if (err instanceof InvalidInputError) return new BinanceError(400, -1100, err.message);
  if (err instanceof UnknownMarketError) return invalidSymbol();
  if (err instanceof OrderNotFoundError) return orderDoesNotExist();
  if (err instanceof RateLimitError) return new BinanceError(429, -1003, "Too many requests.");
  if (err instanceof TransientError) {
    return new BinanceError(
      503,
      -1001,
      "Internal error; unable to process your request. Please try again.",
    );
  }
  return new BinanceError(500, -1000, "An unknown error occurred while processing the request.");
}

function reply(res: ServerResponse<IncomingMessage>, used: number, status: number, body: unknown) {
  res.writeHead(status, {
    "Content-Type": "application/json;charset=UTF-8",
    "X-MBX-USED-WEIGHT-1M": String(used),
  });
  res.end(JSON.stringify(body));
}
