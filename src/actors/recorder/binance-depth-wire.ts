/**
 * Binance's raw market streams on the wire, for the Recorder: where a market's diff depth stream
 * and REST depth snapshot are (the raw book feed, depth-feed.ts) and a contract's liquidation
 * orders stream (`@forceOrder`), and how their JSON reads.
 *
 * Rules:
 * - Binance-speaking means a CcxtVenue on ccxt's `binance` (spot markets, and its USDⓈ-M
 *   contracts) or `binanceusdm` (USDⓈ-M contracts): real Binance, its testnet, or
 *   `crypy venue serve`. The URLs are ccxt's own `urls.api` after crypy's overrides and the
 *   sandbox switch, so the Recorder and ccxt talk to the same server.
 * - Spot: REST `<urls.api.public>/depth`, stream `<urls.api.ws.spot>/<id>@depth@100ms`; the spot
 *   sequence rule. USDⓈ-M: REST `<urls.api.fapiPublic>/depth`, stream at ccxt's public futures
 *   URL (`…/ws` becomes `…/public/ws`, as ccxt's getWsUrl does); the futures rule (pu).
 * - Anything else (COIN-M, other exchanges, the in-process simulator) has no raw feed here.
 * - Payloads are untrusted: a field missing or of the wrong type is an error naming it.
 */
import type { BookDiff, BookLevel, BookSnapshot, SequenceRule } from "../../domain/book-sync.js";
import { InvalidInputError } from "../../domain/errors.js";
import { CcxtVenue } from "../../venues/ccxt/ccxt-venue.js";
import type { Market, Venue } from "../../venues/venue.js";

/** Levels asked of the REST snapshot: the most USDⓈ-M serves (spot serves up to 5000). */
export const SNAPSHOT_LIMIT = 1000;

export interface DepthEndpoints {
  rule: SequenceRule;
  /** The raw diff depth stream of the market (ws:// or wss://). */
  streamUrl: string;
  /** The REST depth snapshot of the market. */
  snapshotUrl: string;
  /**
   * Spends the snapshot's request weight from the venue's limiter — the budget the venue address
   * shares with its Desk — before it is fetched outside ccxt.
   */
  weigh?: () => Promise<void>;
}

/** A diff with the time the exchange stamped it. */
export interface TimedDiff extends BookDiff {
  time: number;
}

export interface TimedSnapshot extends BookSnapshot {
  time: number | undefined;
}

/** Where `market`'s raw diff depth is at `venue`, or undefined if it is not Binance-speaking. */
export function binanceDepthEndpoints(venue: Venue, market: Market): DepthEndpoints | undefined {
  if (!(venue instanceof CcxtVenue)) return undefined;
  if (venue.id !== "binance" && venue.id !== "binanceusdm") return undefined;
  const api = venue.apiUrls;
  const ws = (api.ws ?? {}) as Record<string, unknown>;
  const stream = `${market.id.toLowerCase()}@depth@100ms`;
  const query = `depth?symbol=${encodeURIComponent(market.id)}&limit=${SNAPSHOT_LIMIT}`;
  if (market.spot && venue.id === "binance") {
    const rest = text(api.public);
    const base = text(ws.spot);
    if (rest === undefined || base === undefined) return undefined;
    return {
      rule: "spot",
      streamUrl: `${base}/${stream}`,
      snapshotUrl: `${rest}/${query}`,
      weigh: () => venue.spend("public", "depth", { limit: SNAPSHOT_LIMIT }),
    };
  }
  if (market.contract === true && market.linear === true) {
    const rest = text(api.fapiPublic);
    const base = text(ws.future);
    if (rest === undefined || base === undefined) return undefined;
    const publicWs = base.endsWith("/ws") ? `${base.slice(0, -3)}/public/ws` : base;
    return {
      rule: "futures",
      streamUrl: `${publicWs}/${stream}`,
      snapshotUrl: `${rest}/${query}`,
      weigh: () => venue.spend("fapiPublic", "depth", { limit: SNAPSHOT_LIMIT }),
    };
  }
  return undefined;
}

/**
 * Where a USDⓈ-M contract's liquidation orders stream (`<id>@forceOrder`, ccxt's "market"
 * category: `…/ws` becomes `…/market/ws`); undefined if the venue is not Binance-speaking.
 */
export function binanceForceOrderUrl(venue: Venue, market: Market): string | undefined {
  if (!(venue instanceof CcxtVenue)) return undefined;
  if (venue.id !== "binance" && venue.id !== "binanceusdm") return undefined;
  if (market.contract !== true || market.linear !== true) return undefined;
  const base = text(((venue.apiUrls.ws ?? {}) as Record<string, unknown>).future);
  if (base === undefined) return undefined;
  const marketWs = base.endsWith("/ws") ? `${base.slice(0, -3)}/market/ws` : base;
  return `${marketWs}/${market.id.toLowerCase()}@forceOrder`;
}

/** A liquidation order as the Recorder publishes it (Binance's forceOrder `o`, named). */
export interface LiquidationEvent {
  /** The liquidation order's side: a long position is closed by a sell. */
  side: "buy" | "sell";
  /** The order's price (Binance: the bankruptcy price) and its average fill price. */
  price: string;
  averagePrice: string;
  /** Base quantity of the order, and filled so far. */
  amount: string;
  filled: string;
  status: string;
  timestamp: number;
}

/** A `forceOrder` event (raw, or wrapped `{stream, data}`); undefined for any other message. */
export function parseForceOrder(message: unknown): LiquidationEvent | undefined {
  const outer = asRecord(message, "stream message");
  const m = "data" in outer && "stream" in outer ? asRecord(outer.data, "data") : outer;
  if (m.e !== "forceOrder") return undefined;
  const o = asRecord(m.o, "forceOrder o");
  const field = (name: string) => {
    const value = o[name];
    if (typeof value !== "string")
      throw new InvalidInputError(`Binance forceOrder: o.${name} must be a string`);
    return value;
  };
  const side = field("S");
  if (side !== "BUY" && side !== "SELL")
    throw new InvalidInputError(`Binance forceOrder: o.S must be BUY or SELL, got ${side}`);
  return {
    side: side === "BUY" ? "buy" : "sell",
    price: field("p"),
    averagePrice: field("ap"),
    amount: field("q"),
    filled: field("z"),
    status: field("X"),
    timestamp: int(o.T, "o.T"),
  };
}

/** A `depthUpdate` event (raw, or wrapped `{stream, data}`); undefined for any other message. */
export function parseDepthEvent(message: unknown): TimedDiff | undefined {
  const outer = asRecord(message, "stream message");
  const m = "data" in outer && "stream" in outer ? asRecord(outer.data, "data") : outer;
  if (m.e !== "depthUpdate") return undefined;
  const diff: TimedDiff = {
    first: int(m.U, "U"),
    last: int(m.u, "u"),
    bids: levels(m.b, "b"),
    asks: levels(m.a, "a"),
    time: int(m.T ?? m.E, "E"),
  };
  if (m.pu !== undefined) diff.previous = int(m.pu, "pu");
  return diff;
}

/** The REST depth answer: `{lastUpdateId, bids, asks}` (USDⓈ-M adds E and T). */
export function parseDepthSnapshot(body: unknown): TimedSnapshot {
  const m = asRecord(body, "depth snapshot");
  const time = m.T ?? m.E;
  return {
    id: int(m.lastUpdateId, "lastUpdateId"),
    bids: levels(m.bids, "bids"),
    asks: levels(m.asks, "asks"),
    time: time === undefined ? undefined : int(time, "T"),
  };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidInputError(`Binance ${what}: expected an object`);
  return value as Record<string, unknown>;
}

function int(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value))
    throw new InvalidInputError(
      `Binance depth: ${field} must be a whole number, got ${String(value)}`,
    );
  return value;
}

function levels(value: unknown, field: string): BookLevel[] {
  if (!Array.isArray(value)) throw new InvalidInputError(`Binance depth: ${field} must be a list`);
  return value.map((level) => {
    if (
      !Array.isArray(level) ||
      level.length < 2 ||
      typeof level[0] !== "string" ||
      typeof level[1] !== "string"
    )
      throw new InvalidInputError(`Binance depth: ${field} holds a level that is not [price, qty]`);
    return [level[0], level[1]] as const;
  });
}
