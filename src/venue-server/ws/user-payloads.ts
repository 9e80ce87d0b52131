/**
 * User data stream payloads in Binance's documented shapes (user-data-stream.md): an order's
 * `executionReport` (one per execution: NEW, TRADE, CANCELED, EXPIRED, REJECTED) and an account's
 * `outboundAccountPosition` (the assets an event may have changed, free and locked). Decimals stay
 * the simulator's exact strings; times are integer milliseconds of the simulated clock.
 */
import type { BalanceEntry } from "../../domain/balance.js";
import type { Fill } from "../../domain/fill.js";
import { formatDecimal, parseDecimal } from "../../domain/fixed.js";
import type { Order } from "../../domain/order.js";
import { binanceType } from "../binance-account.js";
import { marketId, tradeId } from "../binance-spot.js";

export type ExecutionType = "NEW" | "TRADE" | "CANCELED" | "EXPIRED" | "REJECTED";

export interface Execution {
  type: ExecutionType;
  /** Binance's order status after this execution (NEW, PARTIALLY_FILLED, FILLED, …). */
  status: string;
  /** The fill, for a TRADE. */
  fill?: Fill;
  /** Cumulative filled quantity and quote quantity after this execution. */
  filled: string;
  cost: string;
  /** Binance's execution id: unique per report. */
  executionId: number;
}

export function executionReport(
  time: number,
  order: Order,
  e: Execution,
  stpMode: string | undefined,
): object {
  const fill = e.fill;
  const working = e.status === "NEW" || e.status === "PARTIALLY_FILLED";
  const terminal = e.type === "CANCELED" || e.type === "EXPIRED" || e.type === "REJECTED";
  return {
    e: "executionReport",
    E: Math.floor(time),
    s: marketId(order.symbol),
    c: order.clientOrderId,
    S: order.side.toUpperCase(),
    o: binanceType(order),
    f: order.timeInForce === "PO" ? "GTC" : order.timeInForce,
    q: order.amount,
    p: order.price ?? "0",
    P: order.stopPrice ?? "0",
    F: "0",
    g: -1,
    // The id of the order a cancel ended; the cancel request's own id is not simulated.
    C: terminal ? order.clientOrderId : "",
    x: e.type,
    X: e.status,
    r: "NONE",
    i: Number(order.id),
    l: fill?.amount ?? "0",
    z: e.filled,
    L: fill?.price ?? "0",
    n: fill?.fee.cost ?? "0",
    N: fill?.fee.currency ?? null,
    T: Math.floor(fill?.timestamp ?? time),
    t: fill === undefined ? -1 : tradeId(fill.id),
    I: e.executionId,
    w: working,
    m: fill?.takerOrMaker === "maker",
    M: false,
    O: Math.floor(order.timestamp),
    Z: e.cost,
    Y: fill?.cost ?? "0",
    Q: "0",
    ...(working ? { W: Math.floor(order.timestamp) } : {}),
    V: stpMode,
  };
}

export function accountPosition(time: number, changed: [string, BalanceEntry][]): object {
  const t = Math.floor(time);
  return {
    e: "outboundAccountPosition",
    E: t,
    u: t,
    B: changed.map(([asset, b]) => ({ a: asset, f: b.free, l: b.used })),
  };
}

/** Exact decimal `a + sign × b`. */
export function addDecimal(a: string, b: string, sign: 1 | -1 = 1): string {
  const scale = Math.max(decimals(a), decimals(b));
  return formatDecimal(parseDecimal(a, scale) + BigInt(sign) * parseDecimal(b, scale), scale);
}

function decimals(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}
