/**
 * The venue server's WebSocket side, attached to its HTTP server by an `upgrade` handler:
 * `/ws/<stream>` and `/stream?streams=<a>/<b>` (market streams and listen-key user streams,
 * stream-socket.ts), `/ws-api/v3` (the WebSocket API's user data stream, ws-api.ts) and
 * `/private/ws?listenKey=<key>` (USDⓈ-M's user data stream of a /fapi/v1/listenKey key:
 * ORDER_TRADE_UPDATE and ACCOUNT_UPDATE, ws/futures-payloads.ts), and USDⓈ-M's market streams
 * at `/public/ws`, `/market/ws` and their `/stream` forms (ccxt's binanceusdm derives them from
 * urls.api.ws.future = <ws url>/ws; either path serves every USDⓈ-M stream). Any other path is
 * answered 404 and no socket is opened.
 *
 * Connection hygiene as Binance's: the server pings every socket every 20 s and cuts one that has
 * not answered with a pong for a minute; closing the server sends each socket Binance's
 * `serverShutdown` event, then a close frame (1001, going away), and ends the sockets that do not
 * finish the closing handshake within a second.
 *
 * The venue file's network (wire-faults.ts): each message the server sends waits one network hop;
 * when the simulated clock enters a `faults.disconnects` window every open socket is terminated
 * (no close frame, as a lost connection), and upgrades are refused (the TCP socket destroyed) while
 * the window lasts. The clock is checked at each simulated tick and every FAULT_CHECK_MS of wall
 * time while a socket is open, so a window between ticks of a live clock is seen too. The
 * `faults.streams` of market streams act in market-streams.ts (lost depth events, duplicates) and
 * stream-socket.ts (a market stream connection cut after every N messages).
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { Simulation } from "../../venues/sim/simulation.js";
import type { ApiKeys } from "../binance-auth.js";
import type { BinanceSpot } from "../binance-spot.js";
import type { BinanceUsdm } from "../binance-usdm.js";
import type { WireFaults } from "../wire-faults.js";
import { FuturesPayloads } from "./futures-payloads.js";
import { ListenKeys } from "./listen-keys.js";
import { MarketStreams } from "./market-streams.js";
import { futuresDialect, spotDialect } from "./stream-dialects.js";
import { StreamSocket, type StreamSource } from "./stream-socket.js";
import { UserEvents } from "./user-events.js";
import { WsApiSocket } from "./ws-api.js";

export interface StreamOptions {
  /** Wall-clock milliseconds between the server's pings; default 20 000, as Binance. */
  pingIntervalMs?: number;
  /** A socket with no pong for this long is cut; default 60 000, as Binance. */
  pongTimeoutMs?: number;
  /** Wall-clock milliseconds (listen-key validity, connection times); default Date.now. */
  now?: () => number;
}

const CLOSE_GRACE_MS = 1000;
const FUTURES_MARKET_PATH = /^\/(public|market)\/(ws|stream)(\/|$)/;
const FAULT_CHECK_MS = 100;
const GOING_AWAY = 1001;

export class VenueStreams {
  readonly listenKeys: ListenKeys;
  /** USDⓈ-M's listen keys (/fapi/v1/listenKey), over the contracts' events. */
  readonly futuresListenKeys: ListenKeys;
  private readonly events: UserEvents;
  private readonly futuresEvents: UserEvents;
  private readonly market: MarketStreams;
  private readonly futuresMarket: MarketStreams;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly lastPong = new Map<WebSocket, number>();
  private readonly kinds = new Map<WebSocket, "raw" | "combined" | "api">();
  /** Runs while any socket is open: a server nobody connected to holds no timer. */
  private heartbeat: NodeJS.Timeout | undefined;
  /** Watches for disconnect windows while any socket is open (and the venue file has any). */
  private faultWatch: { timer: NodeJS.Timeout; stopTicks: () => void } | undefined;
  private readonly now: () => number;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;

  constructor(
    private readonly simulation: Simulation,
    spot: BinanceSpot,
    usdm: BinanceUsdm,
    private readonly keys: ApiKeys,
    private readonly faults: WireFaults,
    options: StreamOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.pingIntervalMs = options.pingIntervalMs ?? 20_000;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 60_000;
    this.events = new UserEvents(simulation.sim, simulation.config);
    this.listenKeys = new ListenKeys(this.events, this.now);
    const { sim, config } = simulation;
    this.futuresEvents = new UserEvents(sim, config, new FuturesPayloads(sim, config));
    this.futuresListenKeys = new ListenKeys(this.futuresEvents, this.now, false);
    this.market = new MarketStreams(sim, spot.books, spotDialect(config), faults);
    this.futuresMarket = new MarketStreams(sim, spot.books, futuresDialect(config, usdm), faults);
  }

  /** Serves WebSocket upgrades on `server`. */
  attach(server: Server): void {
    server.on("upgrade", (req, socket, head) => this.upgrade(req, socket, head));
  }

  /** Tells every socket the server is going away, closes them, and stops listening. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.stopFaultWatch();
    const E = Math.floor(this.simulation.clock.now());
    const closing = [...this.kinds].map(([ws, kind]) => {
      const shutdown = { e: "serverShutdown", E };
      const message =
        kind === "api"
          ? { event: shutdown }
          : kind === "combined"
            ? { stream: "!serverShutdown", data: shutdown }
            : shutdown;
      return new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
        ws.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
        ws.close(GOING_AWAY, "server closing");
      });
    });
    await Promise.all(closing);
    this.market.close();
    this.futuresMarket.close();
    this.events.close();
    this.futuresEvents.close();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://venue");
    const path = url.pathname;
    if (this.faults.isDown()) {
      socket.destroy();
      return;
    }
    const hopMs = () => this.faults.streamHopMs();
    const dropEvery = this.faults.dropConnectionEvery;
    let open: (ws: WebSocket) => void;
    if (path === "/ws-api/v3") {
      open = (ws) => {
        this.track(ws, "api");
        new WsApiSocket(ws, {
          keys: this.keys,
          events: this.events,
          simulatedNow: () => this.simulation.clock.now(),
          now: this.now,
          hopMs,
        });
      };
    } else if (path === "/ws" || path.startsWith("/ws/")) {
      const name = decodeURIComponent(path.slice(4));
      open = (ws) => {
        this.track(ws, "raw");
        new StreamSocket(ws, this.source, false, name === "" ? [] : [name], hopMs, dropEvery);
      };
    } else if (FUTURES_MARKET_PATH.test(path)) {
      // /public/ws/<name>, /market/ws/<name>, /public/stream?streams=…, /market/stream?streams=…
      const combined = path.split("/")[2] === "stream";
      const rest = decodeURIComponent(path.split("/").slice(3).join("/"));
      const names = combined
        ? (url.searchParams.get("streams") ?? "").split("/").filter((n) => n !== "")
        : rest === ""
          ? []
          : [rest];
      open = (ws) => {
        this.track(ws, combined ? "combined" : "raw");
        const futures: StreamSource = (n, sink) => this.futuresMarket.subscribe(n, sink);
        new StreamSocket(ws, futures, combined, names, hopMs, dropEvery);
      };
    } else if (path === "/private/ws") {
      const key = url.searchParams.get("listenKey") ?? "";
      open = (ws) => {
        this.track(ws, "raw");
        const futures: StreamSource = (name, sink) => this.futuresListenKeys.stream(name, sink);
        new StreamSocket(ws, futures, false, key === "" ? [] : [key], hopMs);
      };
    } else if (path === "/stream") {
      const names = (url.searchParams.get("streams") ?? "").split("/").filter((n) => n !== "");
      open = (ws) => {
        this.track(ws, "combined");
        new StreamSocket(ws, this.source, true, names, hopMs, dropEvery);
      };
    } else {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, open);
  }

  /** Market streams by name, then listen keys. */
  private readonly source: StreamSource = (name, sink) =>
    this.market.subscribe(name, sink) ?? this.listenKeys.stream(name, sink);

  private track(ws: WebSocket, kind: "raw" | "combined" | "api"): void {
    this.heartbeat ??= setInterval(() => this.beat(), this.pingIntervalMs);
    this.startFaultWatch();
    this.kinds.set(ws, kind);
    this.lastPong.set(ws, this.now());
    ws.on("pong", () => this.lastPong.set(ws, this.now()));
    ws.on("error", () => ws.terminate());
    ws.on("close", () => {
      this.kinds.delete(ws);
      this.lastPong.delete(ws);
      if (this.kinds.size > 0) return;
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
      this.stopFaultWatch();
    });
  }

  private startFaultWatch(): void {
    if (this.faultWatch !== undefined || !this.faults.hasDisconnects) return;
    this.faultWatch = {
      timer: setInterval(() => this.dropIfDown(), FAULT_CHECK_MS),
      stopTicks: this.simulation.sim.onTick((_symbol, time) => this.dropIfDown(time)),
    };
  }

  private stopFaultWatch(): void {
    if (this.faultWatch === undefined) return;
    clearInterval(this.faultWatch.timer);
    this.faultWatch.stopTicks();
    this.faultWatch = undefined;
  }

  /** Inside a disconnect window, every open socket is lost. */
  private dropIfDown(at?: number): void {
    if (!this.faults.isDown(at)) return;
    for (const ws of this.kinds.keys()) ws.terminate();
  }

  private beat(): void {
    this.listenKeys.expire();
    this.futuresListenKeys.expire();
    const now = this.now();
    for (const [ws, last] of this.lastPong) {
      if (now - last > this.pongTimeoutMs) ws.terminate();
      else if (ws.readyState === ws.OPEN) ws.ping();
    }
  }
}
