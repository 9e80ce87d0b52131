/**
 * The Venue interface: what every exchange looks like to crypy — the simulator (SimVenue) and,
 * later, real exchanges through ccxt. Method names, arguments and structures follow ccxt's unified
 * API, so anyone who knows ccxt knows this. One deliberate difference: prices, amounts, costs and
 * balances are decimal strings, never floats (exact money; see src/domain). Inputs accept a
 * number too, converted through its shortest decimal form.
 *
 * `has` says what a venue supports (`true`, `"emulated"`, or `false`); calling anything else
 * throws NotSupportedError. `watch*` methods follow ccxt pro: each call resolves with the next
 * update (trades, candles and orders: everything since the previous call).
 */
import type { Balances } from "../domain/balance.js";
import type {
  FundingRate,
  FundingRateHistory,
  MarginMode,
  Position,
} from "../domain/derivatives.js";
import { NotSupportedError } from "../domain/errors.js";
import type { Fill } from "../domain/fill.js";
import type { BalancesAt, LedgerEntry } from "../domain/ledger-entry.js";
import type { OHLCV, OrderBook, PublicTrade, Ticker } from "../domain/market-data.js";
import type { Order, OrderType, Side, TimeInForce } from "../domain/order.js";

/** A decimal as a string ("0.001"), or a number converted through its shortest decimal form. */
export type Num = string | number;

/** ccxt's market types: a perpetual is a "swap", a delivery contract a "future". */
export type MarketType = "spot" | "swap" | "future";

export interface Market {
  /** The venue's own id (BTCUSDT); `symbol` is ccxt's (BTC/USDT, BTC/USDT:USDT). */
  id: string;
  symbol: string;
  base: string;
  quote: string;
  type: MarketType;
  spot: boolean;
  /** Contracts (swap, future) only, as ccxt gives them: */
  swap?: boolean;
  future?: boolean;
  contract?: boolean;
  /** true: margined and settled in the quote (USDⓈ-M); false: inverse. */
  linear?: boolean;
  inverse?: boolean;
  settle?: string;
  /** Base per contract, a decimal string. */
  contractSize?: string;
  /** Delivery time (ms) and its ISO 8601 form; futures only. */
  expiry?: number;
  expiryDatetime?: string;
  active: boolean;
  precision: { price: string; amount: string };
  limits: {
    amount: { min: string; max: string };
    cost: { min: string };
    /** Contracts: the most leverage the venue allows (its first bracket's), as ccxt gives it. */
    leverage?: { max: number };
  };
  maker: string;
  taker: string;
}

export const VENUE_FEATURES = [
  "loadMarkets",
  "fetchTicker",
  "fetchOrderBook",
  "fetchOHLCV",
  "fetchTrades",
  "fetchBalance",
  "createOrder",
  "editOrder",
  "cancelOrder",
  "cancelAllOrders",
  "fetchOrder",
  "fetchOpenOrders",
  "fetchMyTrades",
  "fetchLedger",
  "watchTicker",
  "watchTrades",
  "watchOrderBook",
  "watchOHLCV",
  "watchOrders",
  "watchBalance",
  "fetchPositions",
  "setLeverage",
  "setMarginMode",
  "fetchFundingRate",
  "fetchFundingRateHistory",
  "fetchMarkOHLCV",
] as const;
/** The derivatives features: false on a venue until it maps them (PaperVenue today). */
export const DERIVATIVE_FEATURES = [
  "fetchPositions",
  "setLeverage",
  "setMarginMode",
  "fetchFundingRate",
  "fetchFundingRateHistory",
  "fetchMarkOHLCV",
] as const satisfies readonly (typeof VENUE_FEATURES)[number][];
export type VenueFeature = (typeof VENUE_FEATURES)[number];
export type FeatureSupport = true | "emulated" | false;
export type VenueHas = Readonly<Record<VenueFeature, FeatureSupport>>;

export interface CreateOrderParams {
  timeInForce?: TimeInForce;
  postOnly?: boolean;
  /** Trigger price of stop_market / stop_limit orders (ccxt: triggerPrice, stopPrice). */
  triggerPrice?: Num;
  stopPrice?: Num;
  /** Deterministic id chosen by the caller; a venue refuses a duplicate of an order it knows. */
  clientOrderId?: string;
  /** Contracts: the order may only reduce the position (refused otherwise, with the reason). */
  reduceOnly?: boolean;
}

export interface FetchOrderParams {
  /** Look the order up by the caller's id instead of the venue's (ccxt: origClientOrderId). */
  clientOrderId?: string;
}

export interface Venue {
  readonly id: string;
  readonly has: VenueHas;
  /**
   * True where `watchOHLCV` hands on the forming candle again with each of its updates (ccxt
   * pro's streams, and `fetchOHLCV`'s last row is that forming candle): a consumer that wants
   * closed candles closes them itself (domain/closed-candles.ts). Absent or false: candles come
   * closed (the simulator).
   */
  readonly streamsFormingCandles?: boolean;

  loadMarkets(reload?: boolean): Promise<Record<string, Market>>;
  fetchTicker(symbol: string): Promise<Ticker>;
  fetchOrderBook(symbol: string, limit?: number): Promise<OrderBook>;
  fetchOHLCV(symbol: string, timeframe?: string, since?: number, limit?: number): Promise<OHLCV[]>;
  fetchTrades(symbol: string, since?: number, limit?: number): Promise<PublicTrade[]>;
  fetchBalance(): Promise<Balances>;

  createOrder(
    symbol: string,
    type: OrderType,
    side: Side,
    amount: Num,
    price?: Num,
    params?: CreateOrderParams,
  ): Promise<Order>;
  editOrder(
    id: string,
    symbol: string,
    type: OrderType,
    side: Side,
    amount?: Num,
    price?: Num,
  ): Promise<Order>;
  cancelOrder(id: string, symbol?: string): Promise<Order>;
  cancelAllOrders(symbol?: string): Promise<Order[]>;
  fetchOrder(id: string, symbol?: string, params?: FetchOrderParams): Promise<Order>;
  fetchOpenOrders(symbol?: string, since?: number, limit?: number): Promise<Order[]>;
  fetchMyTrades(symbol?: string, since?: number, limit?: number): Promise<Fill[]>;
  /**
   * Deposits, withdrawals and transfers booked since `since` (venue time), oldest first; not
   * trades or their fees (those are fills). Present where `has.fetchLedger` is not false:
   * "emulated" when the venue has no ledger and it is read from its deposit and withdrawal
   * histories.
   */
  fetchLedger?(code?: string, since?: number, limit?: number): Promise<LedgerEntry[]>;
  /**
   * `fetchBalance` with the venue time the balances are as of, where the venue says it: what a
   * restart compares with the journal, and from when the fills since are counted.
   */
  fetchBalanceAt?(): Promise<BalancesAt>;

  watchTicker(symbol: string): Promise<Ticker>;
  watchTrades(symbol: string): Promise<PublicTrade[]>;
  watchOrderBook(symbol: string, limit?: number): Promise<OrderBook>;
  watchOHLCV(symbol: string, timeframe?: string): Promise<OHLCV[]>;
  watchOrders(symbol?: string): Promise<Order[]>;
  watchBalance(): Promise<Balances>;
  /** `watchBalance` with the venue time of each update, where the venue says it. */
  watchBalanceAt?(): Promise<BalancesAt>;

  // ---- derivatives (ccxt's unified names); present where `has` says so ----

  /** Open positions of the account, on `symbols` or every contract. */
  fetchPositions?(symbols?: string[]): Promise<Position[]>;
  setLeverage?(leverage: number, symbol: string): Promise<{ symbol: string; leverage: number }>;
  setMarginMode?(
    marginMode: MarginMode,
    symbol: string,
  ): Promise<{ symbol: string; marginMode: MarginMode }>;
  fetchFundingRate?(symbol: string): Promise<FundingRate>;
  fetchFundingRateHistory?(
    symbol: string,
    since?: number,
    limit?: number,
  ): Promise<FundingRateHistory[]>;
  /** Candles of the mark price. */
  fetchMarkOHLCV?(
    symbol: string,
    timeframe?: string,
    since?: number,
    limit?: number,
  ): Promise<OHLCV[]>;

  /** Releases connections and rejects pending watches with ClosedError. */
  close(): Promise<void>;
}

/** `has` with every feature false, to spread a venue's own support over. */
export const NOTHING_SUPPORTED: VenueHas = Object.freeze(
  Object.fromEntries(VENUE_FEATURES.map((f) => [f, false])) as Record<VenueFeature, FeatureSupport>,
);

/** A Num as a decimal string. */
export function numToString(value: Num): string {
  return typeof value === "number" ? String(value) : value;
}

/**
 * What a venue throws for a feature its `has` map marks false.
 *
 * @example
 * if (!this.has.watchOHLCV) notSupported(this.id, "watchOHLCV");
 */
export function notSupported(venue: string, feature: VenueFeature): never {
  throw new NotSupportedError(`${venue} does not support ${feature}`);
}
