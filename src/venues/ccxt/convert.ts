/**
 * ccxt's unified structures as crypy's domain types. ccxt already speaks the same shapes; what
 * changes is the numbers (decimal.ts: exact strings, book levels snapped to the market's grid)
 * and the few places where crypy's types are stricter than ccxt's:
 *
 * - Markets: spot, perpetual swaps and delivery futures (ccxt's type, contract size, settle asset,
 *   linear or inverse, expiry); options are left out. Precision is a tick and a lot size, so a ccxt
 *   precision in decimal places becomes 10^-n, and one in significant digits (no fixed tick) is
 *   refused. A limit the exchange does not state is "0", meaning "none stated".
 * - Orders: ccxt's many type names (stop_loss_limit, take_profit, limit_maker…) fold into
 *   crypy's four; a market order carries no price (ccxt copies the average fill price there);
 *   post-only is the time in force "PO"; `remaining` is computed exactly when ccxt has none.
 *   The client order id is the caller's own (the venue's may be its legal encoding).
 * - Fills: ccxt may not know maker or taker; crypy's Fill requires one, so "taker" (the dearer
 *   fee, the conservative guess) stands in. A fill without a fee has fee 0 in the quote.
 * - Candles are plain numbers in crypy (analytics only), so OHLCV is the one place text becomes
 *   a float on purpose.
 */
import type { Balances } from "../../domain/balance.js";
import { InternalError, NotSupportedError } from "../../domain/errors.js";
import type { Fill } from "../../domain/fill.js";
import { formatDecimal, parseDecimal } from "../../domain/fixed.js";
import type { BookLevel, OHLCV, OrderBook, PublicTrade, Ticker } from "../../domain/market-data.js";
import {
  type Fee,
  isOrderStatus,
  isSide,
  type Order,
  type OrderType,
  type TimeInForce,
} from "../../domain/order.js";
import type { Market } from "../venue.js";
import { readDecimal, requireDecimal, snapToStep } from "./decimal.js";

/** A ccxt structure: read field by field, trusting nothing. */
export type Raw = Record<string, unknown>;

/** ccxt's precision modes (ccxt/js/src/base/functions/number.js). */
const DECIMAL_PLACES = 2;
const SIGNIFICANT_DIGITS = 3;

const num = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : undefined;
const obj = (v: unknown): Raw => (typeof v === "object" && v !== null ? (v as Raw) : {});
const str = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;

/** A ccxt market as crypy's, or undefined for a market crypy does not trade (an option). */
export function toMarket(exchange: string, m: Raw, precisionMode: number): Market | undefined {
  const type = m.spot === true ? "spot" : m.type === "swap" || m.type === "future" ? m.type : null;
  if (type === null) return undefined;
  const symbol = String(m.symbol);
  const what = `${exchange} ${symbol}`;
  const precision = obj(m.precision);
  const step = (value: unknown, name: string): string => {
    if (precisionMode === SIGNIFICANT_DIGITS) {
      throw new NotSupportedError(
        `${exchange} states precision in significant digits, which gives no tick size to trade on`,
      );
    }
    if (precisionMode === DECIMAL_PLACES) {
      const places = num(value);
      if (places === undefined || !Number.isInteger(places)) {
        throw new InternalError(
          `${what}: precision.${name} ${String(value)} is not decimal places`,
        );
      }
      return formatDecimal(1n, places);
    }
    return requireDecimal(value, `${what} precision.${name}`);
  };
  const limits = obj(m.limits);
  const limit = (group: string, bound: string) =>
    readDecimal(obj(limits[group])[bound], `${what} limits.${group}.${bound}`) ?? "0";
  const market: Market = {
    id: String(m.id),
    symbol,
    base: String(m.base),
    quote: String(m.quote),
    type,
    spot: type === "spot",
    active: m.active !== false,
    precision: { price: step(precision.price, "price"), amount: step(precision.amount, "amount") },
    limits: {
      amount: { min: limit("amount", "min"), max: limit("amount", "max") },
      cost: { min: limit("cost", "min") },
    },
    maker: readDecimal(m.maker, `${what} maker`) ?? "0",
    taker: readDecimal(m.taker, `${what} taker`) ?? "0",
  };
  if (type === "spot") return market;
  const expiry = num(m.expiry);
  const leverage = num(obj(limits.leverage).max);
  return {
    ...market,
    ...(leverage === undefined
      ? {}
      : { limits: { ...market.limits, leverage: { max: leverage } } }),
    swap: type === "swap",
    future: type === "future",
    contract: true,
    linear: m.linear === true,
    inverse: m.inverse === true,
    settle: String(m.settle),
    contractSize: readDecimal(m.contractSize, `${what} contractSize`) ?? "1",
    ...(expiry === undefined ? {} : { expiry, expiryDatetime: new Date(expiry).toISOString() }),
  };
}

export function toTicker(t: Raw, now: number): Ticker {
  const symbol = String(t.symbol);
  const out: Ticker = { symbol, timestamp: num(t.timestamp) ?? now };
  for (const key of ["bid", "ask", "last", "high", "low", "baseVolume", "quoteVolume"] as const) {
    const value = readDecimal(t[key], `${symbol} ticker ${key}`);
    if (value !== undefined) out[key] = value;
  }
  const percentage = num(t.percentage);
  if (percentage !== undefined && Number.isFinite(percentage)) out.percentage = percentage;
  return out;
}

export function toOrderBook(b: Raw, market: Market, now: number): OrderBook {
  const levels = (side: unknown, name: string): BookLevel[] =>
    // Array.from, not map: ccxt pro's book sides are Array subclasses (map would keep the class).
    Array.from(Array.isArray(side) ? side : [], (level: unknown): BookLevel => {
      const [price, amount] = Array.isArray(level) ? level : [];
      return [
        snapToStep(price, market.precision.price, `${market.symbol} ${name} price`),
        snapToStep(amount, market.precision.amount, `${market.symbol} ${name} amount`),
      ];
    });
  const book: OrderBook = {
    symbol: market.symbol,
    timestamp: num(b.timestamp) ?? now,
    bids: levels(b.bids, "bid"),
    asks: levels(b.asks, "ask"),
  };
  const nonce = num(b.nonce);
  if (nonce !== undefined) book.nonce = nonce;
  return book;
}

export function toOHLCV(row: unknown): OHLCV {
  const r = Array.isArray(row) ? row : [];
  return [0, 1, 2, 3, 4, 5].map((i) => num(r[i]) ?? 0) as OHLCV;
}

export function toPublicTrade(t: Raw): PublicTrade {
  const symbol = String(t.symbol);
  return {
    id: String(t.id ?? ""),
    timestamp: num(t.timestamp) ?? 0,
    symbol,
    side: isSide(t.side) ? t.side : "buy",
    price: requireDecimal(t.price, `${symbol} trade price`),
    amount: requireDecimal(t.amount, `${symbol} trade amount`),
  };
}

const BALANCE_KEYS = new Set(["info", "free", "used", "total", "timestamp", "datetime", "debt"]);

/**
 * Whether a ccxt balance states only totals: ccxt pro's binance futures balance from an
 * ACCOUNT_UPDATE has each asset's wallet and no free or used, which crypy's Balances need.
 */
export function isPartialBalance(b: Raw): boolean {
  return Object.entries(b).some(([currency, value]) => {
    if (BALANCE_KEYS.has(currency) || typeof value !== "object" || value === null) return false;
    const e = value as Raw;
    return e.free === undefined || e.used === undefined;
  });
}

export function toBalances(b: Raw): Balances {
  const out: Balances = {};
  for (const [currency, value] of Object.entries(b)) {
    if (BALANCE_KEYS.has(currency) || typeof value !== "object" || value === null) continue;
    const e = value as Raw;
    out[currency] = {
      free: readDecimal(e.free, `${currency} free`) ?? "0",
      used: readDecimal(e.used, `${currency} used`) ?? "0",
      total: readDecimal(e.total, `${currency} total`) ?? "0",
    };
  }
  return out;
}

/** ccxt's type names folded into crypy's four. */
function orderType(o: Raw): OrderType {
  const type = String(o.type ?? "").toLowerCase();
  // Binance's streams write a trigger price of 0 on every order: 0 means none.
  const trigger = readDecimal(o.triggerPrice ?? o.stopPrice, "trigger price");
  const triggered = (trigger !== undefined && trigger !== "0") || /stop|take_profit/.test(type);
  const limit = type.includes("limit");
  if (triggered) return limit ? "stop_limit" : "stop_market";
  return type === "market" ? "market" : "limit";
}

function timeInForce(o: Raw): TimeInForce {
  if (o.postOnly === true) return "PO";
  const tif = String(o.timeInForce ?? "GTC").toUpperCase();
  if (tif === "GTX" || tif === "PO" || tif === "POST_ONLY") return "PO";
  return tif === "IOC" || tif === "FOK" ? tif : "GTC";
}

function toFee(f: unknown, what: string): Fee | undefined {
  const fee = obj(f);
  const cost = readDecimal(fee.cost, `${what} fee`);
  const currency = str(fee.currency);
  if (cost === undefined || currency === undefined) return undefined;
  const out: Fee = { currency, cost };
  const rate = readDecimal(fee.rate, `${what} fee rate`);
  if (rate !== undefined) out.rate = rate;
  return out;
}

/** a − b, exactly. */
function minus(a: string, b: string): string {
  const scale = Math.max(decimals(a), decimals(b));
  return formatDecimal(parseDecimal(a, scale) - parseDecimal(b, scale), scale);
}

function decimals(canonical: string): number {
  const dot = canonical.indexOf(".");
  return dot < 0 ? 0 : canonical.length - dot - 1;
}

/** A ccxt order as crypy's; `clientIdOf` maps the venue's client id back to the caller's. */
export function toOrder(o: Raw, clientIdOf: (venueId: string) => string, now: number): Order {
  const symbol = String(o.symbol);
  const what = `${symbol} order ${String(o.id)}`;
  const type = orderType(o);
  const amount = requireDecimal(o.amount, `${what} amount`);
  const filled = readDecimal(o.filled, `${what} filled`) ?? "0";
  const tif = timeInForce(o);
  const order: Order = {
    id: String(o.id),
    clientOrderId: clientIdOf(str(o.clientOrderId) ?? ""),
    timestamp: num(o.timestamp) ?? now,
    symbol,
    type,
    side: isSide(o.side) ? o.side : "buy",
    timeInForce: tif,
    amount,
    filled,
    remaining: readDecimal(o.remaining, `${what} remaining`) ?? minus(amount, filled),
    cost: readDecimal(o.cost, `${what} cost`) ?? "0",
    status: isOrderStatus(o.status) ? o.status : "open",
    postOnly: tif === "PO",
    reduceOnly: o.reduceOnly === true,
  };
  if (type === "limit" || type === "stop_limit") {
    const price = readDecimal(o.price, `${what} price`);
    if (price !== undefined) order.price = price;
  }
  if (type === "stop_limit" || type === "stop_market") {
    const stop = readDecimal(o.triggerPrice ?? o.stopPrice, `${what} trigger price`);
    if (stop !== undefined) order.stopPrice = stop;
  }
  const average = readDecimal(o.average, `${what} average`);
  if (average !== undefined) order.average = average;
  const fee = toFee(o.fee, what);
  if (fee !== undefined) order.fee = fee;
  return order;
}

/** A ccxt trade of ours (fetchMyTrades, watchMyTrades) as a Fill. */
export function toFill(t: Raw, quote: string): Fill {
  const symbol = String(t.symbol);
  const what = `${symbol} fill ${String(t.id)}`;
  const fill: Fill = {
    id: String(t.id ?? ""),
    orderId: String(t.order ?? ""),
    timestamp: num(t.timestamp) ?? 0,
    symbol,
    side: isSide(t.side) ? t.side : "buy",
    price: requireDecimal(t.price, `${what} price`),
    amount: requireDecimal(t.amount, `${what} amount`),
    cost: requireDecimal(t.cost, `${what} cost`),
    takerOrMaker: t.takerOrMaker === "maker" ? "maker" : "taker",
    fee: toFee(t.fee, what) ?? { currency: quote, cost: "0" },
  };
  return fill;
}
