/**
 * The venue server: a simulation behind Binance spot's public REST API on node:http, so an
 * unmodified Binance client (ccxt's `binance` with only its URLs changed) reads the simulator's
 * markets, tickers, books, candles and trades; with an API key from the venue file's `apiKeys`
 * (set as ccxt's apiKey and secret), it trades the key's account through Binance's SIGNED
 * endpoints: account, order (new, query, cancel), openOrders, myTrades, and the deposit and
 * withdrawal history (binance-capital.ts). The venue's perpetual and delivery contracts are served
 * as Binance USDⓈ-M Futures under /fapi (binance-usdm-routes.ts), so ccxt's `binanceusdm` with
 * its fapi URLs pointed here trades them: markets, mark price and funding, leverage, margin mode,
 * positions and reduce-only orders; its user data stream is /private/ws with a listen key from
 * /fapi/v1/listenKey (ccxt pro: urls.api.ws.future = <ws url>/ws, from which ccxt also derives
 * the USDⓈ-M market streams at /public/ws and /market/ws: depth with pu, aggTrade, klines,
 * markPrice, forceOrder). Its WebSocket streams
 * (ws/venue-streams.ts) are Binance's market streams at /ws and /stream, the user data stream
 * through the WebSocket API at /ws-api/v3, and listen keys (/api/v3/userDataStream, /ws/<key>).
 *
 * Every answer carries X-MBX-USED-WEIGHT-1M, the request weight the client's address has used in
 * the current wall-clock window, counted with Binance's weights against the venue file's
 * `rateLimit` (429, then 418, with Retry-After: request-weight.ts); errors are Binance's
 * `{code, msg}`. The venue file's latency and faults show on the wire (wire-faults.ts): delays,
 * dropped connections, refused orders, and executed orders whose reply is lost; on the WebSocket
 * side, delayed messages and sockets dropped in a disconnect window.
 *
 * @example
 * const server = await startVenueServer(simulation, { port: 0 });
 * const api = `${server.url}/api/v3`;
 * const urls = { api: { public: api, private: api, sapi: `${server.url}/sapi/v1` } };
 * const exchange = new ccxt.binance({ urls, apiKey, secret });
 * const fapi = `${server.url}/fapi`;
 * const futures = new ccxt.binanceusdm({
 *   urls: { api: { fapiPublic: `${fapi}/v1`, fapiPrivate: `${fapi}/v1`, fapiPrivateV2: `${fapi}/v2`,
 *     fapiPrivateV3: `${fapi}/v3` } }, apiKey, secret });
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
import { BinanceCapital } from "./binance-capital.js";
import {
  BinanceError,
  invalidSymbol,
  orderDoesNotExist,
  unknownEndpoint,
  unknownError,
  venueBusy,
} from "./binance-error.js";
import { BinanceSpot, type Query } from "./binance-spot.js";
import { BinanceUsdm } from "./binance-usdm.js";
import { USDM_NEW_ORDER, usdmRoutes, usdmSignedRoutes } from "./binance-usdm-routes.js";
import { RequestWeightLimit } from "./request-weight.js";
import { bySymbol, fixed, fixedSigned, type Route, type SignedRoute } from "./route.js";
import { hop, type LostReply, WireFaults } from "./wire-faults.js";
import type { ListenKeys } from "./ws/listen-keys.js";
import { type StreamOptions, VenueStreams } from "./ws/venue-streams.js";

export interface VenueServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a port the OS chooses. */
  port?: number;
  /** Wall-clock milliseconds for the rate-limit window (tests inject it). */
  now?: () => number;
  /** The WebSocket side's ping cadence and pong timeout (tests shorten them). */
  streams?: Omit<StreamOptions, "now">;
}

export interface VenueServer {
  /** http://host:port, with no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/** Largest request body read (Binance's order parameters are a few hundred bytes). */
const MAX_BODY_BYTES = 64 * 1024;

function routes(spot: BinanceSpot, usdm: BinanceUsdm): ReadonlyMap<string, Route> {
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
    ...usdmRoutes(usdm),
  ]);
}

function signedRoutes(
  account: BinanceAccount,
  capital: BinanceCapital,
  listenKeys: ListenKeys,
  futuresKeys: ListenKeys,
  usdm: Array<[string, SignedRoute]>,
): ReadonlyMap<string, SignedRoute> {
  const fixed = fixedSigned;
  const userStream = (answer: SignedRoute["answer"]): SignedRoute => ({
    ...fixed(1, answer),
    keyOnly: true,
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
    ["DELETE /api/v3/openOrders", fixed(1, (a, q) => account.cancelOpenOrders(a, q))],
    ["GET /api/v3/myTrades", fixed(20, (a, q) => account.myTrades(a, q))],
    ["GET /sapi/v1/capital/deposit/hisrec", fixed(1, (a, q) => capital.deposits(a, q))],
    ["GET /sapi/v1/capital/withdraw/history", fixed(10, (a, q) => capital.withdrawals(a, q))],
    // ccxt's loadMarkets asks for margin pairs when it holds a key: the venue is spot only.
    ["GET /sapi/v1/margin/allPairs", fixed(1, () => [])],
    ["GET /sapi/v1/margin/isolated/allPairs", fixed(10, () => [])],
    ["POST /api/v3/userDataStream", userStream((a) => listenKeys.create(a))],
    ["PUT /api/v3/userDataStream", userStream((a, q) => listenKeys.keepAlive(a, q))],
    ["DELETE /api/v3/userDataStream", userStream((a, q) => listenKeys.close(a, q))],
    ...usdm,
    ["POST /fapi/v1/listenKey", userStream((a) => futuresKeys.create(a))],
    ["PUT /fapi/v1/listenKey", userStream((a, q) => futuresKeys.keepAlive(a, q))],
    ["DELETE /fapi/v1/listenKey", userStream((a, q) => futuresKeys.close(a, q))],
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

export async function startVenueServer(
  simulation: Simulation,
  options: VenueServerOptions = {},
): Promise<VenueServer> {
  const { host = "127.0.0.1", port = 0, now = Date.now } = options;
  const spot = new BinanceSpot(simulation.config, simulation.sim);
  const usdm = new BinanceUsdm(simulation.config, simulation.sim, spot.books);
  const table = routes(spot, usdm);
  const keys = new ApiKeys(simulation.config.apiKeys ?? [], now);
  const faults = new WireFaults(simulation);
  const streams = new VenueStreams(simulation, spot, usdm, keys, faults, {
    ...options.streams,
    now,
  });
  const account = new BinanceAccount(simulation.config, simulation.sim, spot);
  const signed = signedRoutes(
    account,
    new BinanceCapital(simulation.sim),
    streams.listenKeys,
    streams.futuresListenKeys,
    usdmSignedRoutes(simulation.config, simulation.sim, usdm),
  );
  const limit = new RequestWeightLimit(
    simulation.config.rateLimit.requests,
    simulation.config.rateLimit.windowMs,
    now,
  );

  /** The answer to one request, or undefined when its connection is to be dropped. */
  const handle = async (req: IncomingMessage): Promise<Answer | undefined> => {
    const url = new URL(req.url ?? "/", "http://venue");
    const client = req.socket.remoteAddress ?? "";
    const key = `${req.method} ${url.pathname}`;
    const signedRoute = signed.get(key);
    const body = signedRoute === undefined ? "" : await readBody(req);
    await hop(faults.hopMs());
    if (faults.isDown()) return undefined;
    const route = req.method === "GET" ? table.get(url.pathname) : undefined;
    let used = 0;
    let lost: LostReply | undefined;
    const answer = evaluate(() => {
      used = limit.add(client, (signedRoute ?? route)?.weight(url.searchParams) ?? 1);
      if (signedRoute !== undefined) {
        const header = req.headers["x-mbx-apikey"];
        const { account, params } = keys.authenticate({
          query: url.search.slice(1),
          body,
          apiKey: Array.isArray(header) ? header[0] : header,
          keyOnly: signedRoute.keyOnly,
        });
        if (!NEW_ORDERS.has(key)) return signedRoute.answer(account, params);
        if (faults.rejectsOrder()) throw venueBusy();
        const placed = signedRoute.answer(account, params);
        lost = faults.lostReply();
        return placed;
      }
      if (route === undefined) throw unknownEndpoint();
      return route.answer(url.searchParams);
    });
    await hop(faults.hopMs());
    if (lost === "drop") return undefined;
    if (lost === "5xx") return { status: 500, body: unknownError().body, used };
    return { ...answer, used: used || limit.usedBy(client) };
  };

  const server = createServer((req, res) => {
    handle(req)
      .then((answer) => {
        if (answer === undefined) res.destroy();
        else reply(res, limit.header, answer);
      })
      .catch(() => res.destroy());
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  streams.attach(server);

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
    close: async () => {
      await streams.close();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err === undefined ? resolve() : reject(err)));
        server.closeAllConnections();
      });
    },
  };
}

/** One reply: its status, body, used weight and, on a 429 or 418, the seconds to wait. */
interface Answer {
  status: number;
  body: unknown;
  used: number;
  retryAfterSeconds?: number | undefined;
}

/** The order endpoints, whose requests and replies the venue file's faults may refuse or lose. */
const NEW_ORDERS: ReadonlySet<string> = new Set(["POST /api/v3/order", USDM_NEW_ORDER]);

function evaluate(body: () => unknown): Omit<Answer, "used"> {
  try {
    return { status: 200, body: body() };
  } catch (err) {
    const e = asBinanceError(err);
    return { status: e.status, body: e.body, retryAfterSeconds: e.retryAfterSeconds };
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
  if (err instanceof TransientError) return venueBusy();
  return unknownError();
}

function reply(res: ServerResponse<IncomingMessage>, weightHeader: string, answer: Answer) {
  res.writeHead(answer.status, {
    "Content-Type": "application/json;charset=UTF-8",
    [weightHeader]: String(answer.used),
    ...(answer.retryAfterSeconds === undefined
      ? {}
      : { "Retry-After": String(answer.retryAfterSeconds) }),
  });
  res.end(JSON.stringify(answer.body));
}
