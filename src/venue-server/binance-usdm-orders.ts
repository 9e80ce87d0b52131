/**
 * The simulator's contract orders behind Binance USDⓈ-M's SIGNED order endpoints (/fapi/v1/order
 * new, query and cancel, openOrders, allOpenOrders, userTrades), for the account whose API key
 * signed the request (binance-auth.ts).
 *
 * Rules:
 * - Positions are one-way (Binance's default): `positionSide` is BOTH or absent; LONG or SHORT is
 *   refused with -4061, as Binance refuses them to a one-way account.
 * - Order types are LIMIT (GTC, IOC, FOK, and GTX: post-only) and MARKET. Binance places
 *   conditional orders (STOP, TAKE_PROFIT…) through its separate algo order API, which this server
 *   does not speak: they are refused with -1116.
 * - `reduceOnly=true` orders only reduce the position; the simulator's refusal of one that would
 *   not is Binance's -2022 with the simulator's reason after Binance's message.
 * - The simulator's other refusals become USDⓈ-M's codes: margin it cannot reserve -2019, a size
 *   above what the leverage allows (leverage bracket) -2027, a notional below the minimum -4164,
 *   a post-only order that would take -5022; the rest as on spot (binance-account.ts).
 * - Every order is answered in USDⓈ-M's order shape (avgPrice, cumQuote, positionSide...), whatever
 *   `newOrderRespType` asks: the simulator has the whole state at once (Binance's RESULT).
 */
import { InsufficientFundsError, InvalidOrderError, OrderNotFoundError } from "../domain/errors.js";
import type { Order } from "../domain/order.js";
import type { VenueConfig } from "../sim/config/types.js";
import type { OrderInput } from "../sim/order-entry.js";
import type { Simulator } from "../sim/simulator.js";
import { orderRefusal, STATUSES } from "./binance-account.js";
import {
  BinanceError,
  invalidOrderType,
  invalidSide,
  invalidTimeInForce,
  orderDoesNotExist,
  unknownOrderSent,
} from "./binance-error.js";
import { intParam, optionalInt, type Query, required, STP_MODES, tradeId } from "./binance-spot.js";
import { type BinanceUsdm, contractId } from "./binance-usdm.js";
import { findOrder } from "./order-lookup.js";

export const reduceOnlyRejected = (reason: string) =>
  new BinanceError(400, -2022, `ReduceOnly Order is rejected. ${reason}`);
export const marginInsufficient = () => new BinanceError(400, -2019, "Margin is insufficient.");
export const positionSideMismatch = () =>
  new BinanceError(400, -4061, "Order's position side does not match user's setting.");

export class BinanceUsdmOrders {
  constructor(
    private readonly config: VenueConfig,
    private readonly sim: Simulator,
    private readonly usdm: BinanceUsdm,
  ) {}

  /** POST /fapi/v1/order. */
  newOrder(account: string, q: Query): object {
    const symbol = this.usdm.symbolOf(required(q, "symbol"));
    const input = orderInput(symbol, q);
    let order: Order;
    try {
      order = this.sim.placeOrder(account, input);
    } catch (err) {
      throw usdmRefusal(err, this.config.markets[symbol]?.minNotional ?? "0");
    }
    return this.orderBody(order);
  }

  /** GET /fapi/v1/order, by orderId or origClientOrderId. */
  getOrder(account: string, q: Query): object {
    const symbol = this.usdm.symbolOf(required(q, "symbol"));
    try {
      return this.orderBody(this.find(account, symbol, q));
    } catch (err) {
      if (err instanceof OrderNotFoundError) throw orderDoesNotExist();
      throw err;
    }
  }

  /** DELETE /fapi/v1/order: only an open order can be cancelled, else -2011. */
  cancelOrder(account: string, q: Query): object {
    const symbol = this.usdm.symbolOf(required(q, "symbol"));
    try {
      const found = this.find(account, symbol, q);
      return this.orderBody(this.sim.cancelOrder(account, { id: found.id }));
    } catch (err) {
      if (err instanceof InvalidOrderError || err instanceof OrderNotFoundError) {
        throw unknownOrderSent();
      }
      throw err;
    }
  }

  /** DELETE /fapi/v1/allOpenOrders: Binance answers a code 200 whether or not any was open. */
  cancelAllOpenOrders(account: string, q: Query): object {
    const symbol = this.usdm.symbolOf(required(q, "symbol"));
    this.sim.cancelAllOrders(account, symbol);
    return { code: 200, msg: "The operation of cancel all open order is done." };
  }

  /** GET /fapi/v1/openOrders, of one contract or every one. */
  openOrders(account: string, q: Query): object[] {
    const id = q.get("symbol");
    const symbols = id === null ? this.usdm.markets.map((m) => m.symbol) : [this.usdm.symbolOf(id)];
    return symbols.flatMap((s) => this.sim.openOrders(account, s).map((o) => this.orderBody(o)));
  }

  /** GET /fapi/v1/userTrades: one contract's fills, oldest first. */
  userTrades(account: string, q: Query): object[] {
    const id = required(q, "symbol");
    const symbol = this.usdm.symbolOf(id);
    const limit = intParam(q, "limit", 500, 1000);
    const start = optionalInt(q, "startTime");
    const end = optionalInt(q, "endTime");
    const fromId = optionalInt(q, "fromId");
    const orderId = q.get("orderId");
    const fills = this.sim
      .myTrades(account, symbol, start, Number.MAX_SAFE_INTEGER)
      .filter(
        (f) =>
          (end === undefined || f.timestamp <= end) &&
          (orderId === null || f.orderId === orderId) &&
          (fromId === undefined || Number(f.id) >= fromId),
      );
    return (fromId === undefined ? fills.slice(-limit) : fills.slice(0, limit)).map((f) => ({
      symbol: id,
      id: tradeId(f.id),
      orderId: Number(f.orderId),
      side: f.side.toUpperCase(),
      price: f.price,
      qty: f.amount,
      quoteQty: f.cost,
      commission: f.fee.cost,
      commissionAsset: f.fee.currency,
      time: f.timestamp,
      positionSide: "BOTH",
      buyer: f.side === "buy",
      maker: f.takerOrMaker === "maker",
    }));
  }

  private find(account: string, symbol: string, q: Query): Order {
    return findOrder(this.sim, account, symbol, q);
  }

  private orderBody(o: Order): object {
    const time = Math.floor(o.timestamp);
    const type = o.type === "market" ? "MARKET" : "LIMIT";
    return {
      orderId: Number(o.id),
      symbol: contractId(this.config.markets[o.symbol]!),
      status: o.status === "open" && Number(o.filled) > 0 ? "PARTIALLY_FILLED" : STATUSES[o.status],
      clientOrderId: o.clientOrderId,
      price: o.price ?? "0",
      avgPrice: o.average ?? "0",
      origQty: o.amount,
      executedQty: o.filled,
      cumQty: o.filled,
      cumQuote: o.cost,
      timeInForce: o.postOnly || o.timeInForce === "PO" ? "GTX" : o.timeInForce,
      type,
      origType: type,
      reduceOnly: o.reduceOnly,
      closePosition: false,
      side: o.side.toUpperCase(),
      positionSide: "BOTH",
      stopPrice: "0",
      workingType: "CONTRACT_PRICE",
      priceProtect: false,
      priceMatch: "NONE",
      selfTradePreventionMode: STP_MODES[this.config.selfTradePrevention],
      goodTillDate: 0,
      time,
      updateTime: time,
    };
  }
}

/** A USDⓈ-M order request → the simulator's order input (still to be checked by it). */
function orderInput(symbol: string, q: Query): OrderInput {
  const sideText = required(q, "side");
  if (sideText !== "BUY" && sideText !== "SELL") throw invalidSide();
  const positionSide = q.get("positionSide");
  if (positionSide !== null && positionSide !== "BOTH") throw positionSideMismatch();
  const reduceOnly = q.get("reduceOnly");
  if (reduceOnly !== null && reduceOnly !== "true" && reduceOnly !== "false") {
    throw new BinanceError(400, -1100, "Illegal characters found in parameter 'reduceOnly'.");
  }
  const common = {
    symbol,
    side: sideText === "BUY" ? "buy" : "sell",
    amount: required(q, "quantity"),
    clientOrderId: q.get("newClientOrderId") ?? undefined,
    reduceOnly: reduceOnly === "true",
  };
  switch (required(q, "type")) {
    case "MARKET":
      return { ...common, type: "market" };
    case "LIMIT": {
      const tif = required(q, "timeInForce");
      const price = required(q, "price");
      if (tif === "GTX") return { ...common, type: "limit", price, postOnly: true };
      if (tif !== "GTC" && tif !== "IOC" && tif !== "FOK") throw invalidTimeInForce();
      return { ...common, type: "limit", price, timeInForce: tif };
    }
    default:
      throw invalidOrderType();
  }
}

/** The simulator's refusal of a contract order → USDⓈ-M's code for the same refusal. */
function usdmRefusal(err: unknown, minNotional: string): unknown {
  if (err instanceof InsufficientFundsError) return marginInsufficient();
  if (err instanceof InvalidOrderError) {
    const m = err.message;
    if (m.startsWith("reduceOnly ")) return reduceOnlyRejected(m);
    if (/the maximum of bracket/.test(m)) {
      return new BinanceError(
        400,
        -2027,
        `Exceeded the maximum allowable position at current leverage. ${m}`,
      );
    }
    if (m.startsWith("notional ")) {
      return new BinanceError(
        400,
        -4164,
        `Order's notional must be no smaller than ${minNotional} (unless you choose reduce only).`,
      );
    }
    if (m.startsWith("post-only order would take")) {
      return new BinanceError(
        400,
        -5022,
        "Due to the order could not be executed as maker, the Post Only order will be rejected.",
      );
    }
  }
  return orderRefusal(err);
}
