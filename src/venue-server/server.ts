/**
 * The venue server: a simulation behind Binance spot's public REST API on node:http, so an
 * unmodified Binance client (ccxt's `binance` with only its URLs changed) reads the simulator's
 * markets, tickers, books, candles and trades. Signed endpoints and WebSocket streams come later.
 *
 * Every answer carries X-MBX-USED-WEIGHT-1M, the request weight the client's address has used in
 * the current wall-clock minute, counted with Binance's weights; errors are Binance's `{code, msg}`.
 *
 * @example
 * const server = await startVenueServer(simulation, { port: 0 });
 * const exchange = new ccxt.binance({ urls: { api: { public: `${server.url}/api/v3` } } });
 * await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InvalidInputError } from "../domain/errors.js";
import type { Simulation } from "../venues/sim/simulation.js";
import { BinanceError, unknownEndpoint } from "./binance-error.js";
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
  const table = routes(new BinanceSpot(simulation.config, simulation.sim));
  const weights = new WeightCounter(now);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://venue");
    const route = req.method === "GET" ? table.get(url.pathname) : undefined;
    const used = weights.add(req.socket.remoteAddress ?? "", route?.weight(url.searchParams) ?? 1);
    try {
      if (route === undefined) throw unknownEndpoint();
      reply(res, used, 200, route.answer(url.searchParams));
    } catch (err) {
      const e = asBinanceError(err);
      reply(res, used, e.status, e.body);
    }
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

function asBinanceError(err: unknown): BinanceError {
  if (err instanceof BinanceError) return err;
  // The simulator's own refusal of a well-formed request (e.g. a timeframe finer than its data).
  if (err instanceof InvalidInputError) return new BinanceError(400, -1100, err.message);
  return new BinanceError(500, -1000, "An unknown error occurred while processing the request.");
}

function reply(res: ServerResponse<IncomingMessage>, used: number, status: number, body: unknown) {
  res.writeHead(status, {
    "Content-Type": "application/json;charset=UTF-8",
    "X-MBX-USED-WEIGHT-1M": String(used),
  });
  res.end(JSON.stringify(body));
}
