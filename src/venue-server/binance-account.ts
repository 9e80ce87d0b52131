/**
 * The simulator's accounts behind Binance spot's SIGNED REST endpoints (/api/v3/account, order,
 * openOrders, myTrades): each request acts for the account whose API key signed it (see
 * binance-auth.ts), and every answer is read from, or made by, the simulator at that moment.
 *
 * Binance's order types map onto the simulator's: LIMIT (GTC, IOC, FOK), LIMIT_MAKER (post-only),
 * MARKET (by `quantity`; `quoteOrderQty` is not simulated), STOP_LOSS (stop market) and
 * STOP_LOSS_LIMIT (stop limit). The simulator's typed refusals become Binance's codes: a filter
 * failure (-1013 PRICE_FILTER, LOT_SIZE, NOTIONAL), a new order rejected (-2010: insufficient
 * balance, duplicate client order id, post-only that would take), an unknown order (-2013; -2011
 * when cancelling, as for an order no longer open).
 */
import {
  InsufficientFundsError,
  InvalidOrderError,
  NotSupportedError,
  OrderNotFoundError,
  UnknownMarketError,
} from "../domain/errors.js";
import type { Fill } from "../domain/fill.js";
import type { Order, OrderStatus } from "../domain/order.js";
import type { VenueConfig } from "../sim/config/types.js";
import type { OrderInput } from "../sim/order-entry.js";
import type { Simulator } from "../sim/simulator.js";
import {
  type BinanceError,
  duplicateOrder,
  filterFailure,
  insufficientBalance,
  invalidOrderType,
  invalidSide,
  invalidSymbol,
  invalidTimeInForce,
  newOrderRejected,
  orderDoesNotExist,
  unknownOrderSent,
  unsupportedOrderCombination,
} from "./binance-error.js";
import {
  type BinanceSpot,
  intParam,
  marketId,
  optionalInt,
  type Query,
  required,
  STP_MODES,
  tradeId,
} from "./binance-spot.js";
import { findOrder } from "./order-lookup.js";

export const STATUSES: Readonly<Record<OrderStatus, string>> = {
  open: "NEW",
  closed: "FILLED",
  canceled: "CANCELED",
  expired: "EXPIRED",
  rejected: "REJECTED",
};

export class BinanceAccount {
  constructor(
    private readonly config: VenueConfig,
    private readonly sim: Simulator,
    private readonly spot: BinanceSpot,
  ) {}

  /** GET /api/v3/account: every venue asset's free and locked amounts. */
  account(account: string, q: Query): object {
    const balances = this.sim.balances(account);
    const omitZero = q.get("omitZeroBalances") === "true";
    return {
      makerCommission: 0,
      takerCommission: 0,
      buyerCommission: 0,
      sellerCommission: 0,
      canTrade: true,
      canWithdraw: false,
      canDeposit: false,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: Math.floor(this.sim.clock.now()),
      accountType: "SPOT",
      balances: Object.keys(this.config.assets)
        .map((asset) => ({
          asset,
          free: balances[asset]?.free ?? "0",
          locked: balances[asset]?.used ?? "0",
          total: balances[asset]?.total ?? "0",
        }))
        .filter((b) => !omitZero || Number(b.total) !== 0)
        .map(({ asset, free, locked }) => ({ asset, free, locked })),
      permissions: ["SPOT"],
      uid: 0,
    };
  }

  /** POST /api/v3/order. */
  newOrder(account: string, q: Query): object {
    const symbol = this.spot.symbolOf(required(q, "symbol"));
    const input = orderInput(symbol, q);
    let order: Order;
    try {
      order = this.sim.placeOrder(account, input);
    } catch (err) {
      throw orderRefusal(err);
    }
    const respType = q.get("newOrderRespType") ?? "FULL";
    const base = {
      symbol: marketId(symbol),
      orderId: Number(order.id),
      orderListId: -1,
      clientOrderId: order.clientOrderId,
      transactTime: Math.floor(order.timestamp),
    };
    if (respType === "ACK") return base;
    const result = { ...this.orderBody(order), ...base };
    if (respType === "RESULT") return result;
    const fills = this.sim
      .myTrades(account, symbol)
      .filter((f) => f.orderId === order.id)
      .map((f) => ({
        price: f.price,
        qty: f.amount,
        commission: f.fee.cost,
        commissionAsset: f.fee.currency,
        tradeId: tradeId(f.id),
      }));
    return { ...result, fills };
  }

  /** GET /api/v3/order, by orderId or origClientOrderId. */
  getOrder(account: string, q: Query): object {
    const symbol = this.spot.symbolOf(required(q, "symbol"));
    try {
      return this.orderBody(this.find(account, symbol, q));
    } catch (err) {
      if (err instanceof OrderNotFoundError) throw orderDoesNotExist();
      throw err;
    }
  }

  /** DELETE /api/v3/order: only an open order can be cancelled, else -2011. */
  cancelOrder(account: string, q: Query): object {
    const symbol = this.spot.symbolOf(required(q, "symbol"));
    let order: Order;
    try {
      const found = this.find(account, symbol, q);
      order = this.sim.cancelOrder(account, { id: found.id });
    } catch (err) {
      if (err instanceof InvalidOrderError) throw unknownOrderSent();
      throw err;
    }
    return { origClientOrderId: order.clientOrderId, ...this.orderBody(order) };
  }

  /**
   * DELETE /api/v3/openOrders: every open order of one market, cancelled; each answered as a
   * single cancel is. None open: -2011, as Binance answers.
   */
  cancelOpenOrders(account: string, q: Query): object[] {
    const symbol = this.spot.symbolOf(required(q, "symbol"));
    if (this.sim.openOrders(account, symbol).length === 0) throw unknownOrderSent();
    return this.sim
      .cancelAllOrders(account, symbol)
      .map((order) => ({ origClientOrderId: order.clientOrderId, ...this.orderBody(order) }));
  }

  /** GET /api/v3/openOrders, of one market or all. */
  openOrders(account: string, q: Query): object[] {
    const id = q.get("symbol");
    const symbol = id === null ? undefined : this.spot.symbolOf(id);
    return this.sim.openOrders(account, symbol).map((o) => this.orderBody(o));
  }

  /** GET /api/v3/myTrades: one market's fills, oldest first. */
  myTrades(account: string, q: Query): object[] {
    const symbol = this.spot.symbolOf(required(q, "symbol"));
    const limit = intParam(q, "limit", 500, 1000);
    const start = optionalInt(q, "startTime");
    const end = optionalInt(q, "endTime");
    const fromId = optionalInt(q, "fromId");
    const orderId = q.get("orderId");
    const fills = this.sim
      .myTrades(account, symbol, start)
      .filter(
        (f) =>
          (end === undefined || f.timestamp <= end) &&
          (orderId === null || f.orderId === orderId) &&
          (fromId === undefined || Number(f.id) >= fromId),
      );
    const chosen = fromId === undefined ? fills.slice(-limit) : fills.slice(0, limit);
    return chosen.map((f) => tradeBody(f));
  }

  private find(account: string, symbol: string, q: Query): Order {
    return findOrder(this.sim, account, symbol, q);
  }

  private orderBody(o: Order): object {
    const time = Math.floor(o.timestamp);
    return {
      symbol: marketId(o.symbol),
      orderId: Number(o.id),
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      price: o.price ?? "0",
      origQty: o.amount,
      executedQty: o.filled,
      cummulativeQuoteQty: o.cost,
      status: o.status === "open" && Number(o.filled) > 0 ? "PARTIALLY_FILLED" : STATUSES[o.status],
      timeInForce: o.timeInForce === "PO" ? "GTC" : o.timeInForce,
      type: binanceType(o),
      side: o.side.toUpperCase(),
      ...(o.stopPrice === undefined ? {} : { stopPrice: o.stopPrice }),
      time,
      updateTime: time,
      isWorking: true,
      workingTime: time,
      origQuoteOrderQty: "0",
      selfTradePreventionMode: STP_MODES[this.config.selfTradePrevention],
    };
  }
}

export function binanceType(o: Order): string {
  if (o.type === "limit") return o.postOnly || o.timeInForce === "PO" ? "LIMIT_MAKER" : "LIMIT";
  if (o.type === "market") return "MARKET";
  return o.type === "stop_market" ? "STOP_LOSS" : "STOP_LOSS_LIMIT";
}

function tradeBody(f: Fill): object {
  return {
    symbol: marketId(f.symbol),
    id: tradeId(f.id),
    orderId: Number(f.orderId),
    orderListId: -1,
    price: f.price,
    qty: f.amount,
    quoteQty: f.cost,
    commission: f.fee.cost,
    commissionAsset: f.fee.currency,
    time: f.timestamp,
    isBuyer: f.side === "buy",
    isMaker: f.takerOrMaker === "maker",
    isBestMatch: true,
  };
}

/** A Binance order request → the simulator's order input (still to be checked by the simulator). */
function orderInput(symbol: string, q: Query): OrderInput {
  const sideText = required(q, "side");
  if (sideText !== "BUY" && sideText !== "SELL") throw invalidSide();
  const side = sideText === "BUY" ? "buy" : "sell";
  const type = required(q, "type");
  if (q.has("quoteOrderQty") && !q.has("quantity")) throw unsupportedOrderCombination();
  const amount = required(q, "quantity");
  const clientOrderId = q.get("newClientOrderId") ?? undefined;
  const common = { symbol, side, amount, clientOrderId };
  const tif = (): string => {
    const t = required(q, "timeInForce");
    if (t !== "GTC" && t !== "IOC" && t !== "FOK") throw invalidTimeInForce();
    return t;
  };
  switch (type) {
    case "LIMIT":
      return { ...common, type: "limit", price: required(q, "price"), timeInForce: tif() };
    case "LIMIT_MAKER":
      return { ...common, type: "limit", price: required(q, "price"), postOnly: true };
    case "MARKET":
      return { ...common, type: "market" };
    case "STOP_LOSS":
      return { ...common, type: "stop_market", stopPrice: required(q, "stopPrice") };
    case "STOP_LOSS_LIMIT":
      return {
        ...common,
        type: "stop_limit",
        price: required(q, "price"),
        stopPrice: required(q, "stopPrice"),
        timeInForce: tif(),
      };
    default:
      throw invalidOrderType();
  }
}

/** The simulator's refusal of a new order → Binance's code for the same refusal. */
export function orderRefusal(err: unknown): unknown {
  if (err instanceof InsufficientFundsError) return insufficientBalance();
  if (err instanceof UnknownMarketError) return invalidSymbol();
  if (err instanceof NotSupportedError) return unsupportedOrderCombination();
  if (!(err instanceof InvalidOrderError)) return err;
  const m = err.message;
  if (m.startsWith("duplicate clientOrderId")) return duplicateOrder();
  if (/^(price|stopPrice) /.test(m)) return filterFailure("PRICE_FILTER");
  if (m.startsWith("amount ")) return filterFailure("LOT_SIZE");
  if (m.startsWith("notional ")) return filterFailure("NOTIONAL");
  if (m.startsWith("post-only order would take")) {
    return newOrderRejected("Order would immediately match and take.");
  }
  if (/would trigger immediately/.test(m)) {
    return newOrderRejected("Stop price would trigger immediately.");
  }
  return newOrderRejected(m) satisfies BinanceError;
}
