/**
 * Orders in ccxt's unified shape, so anyone who knows ccxt knows these fields.
 *
 * Money rule (all of src/domain): prices, amounts, costs, fees and balances are decimal strings —
 * exact on the wire and in files; convert with fixed.ts to integer ticks/lots for arithmetic.
 * Only analytics data (candles) is plain numbers.
 *
 * Invariants: `filled + remaining = amount`; `cost` is the quote value filled so far; `price` is
 * absent for market orders and `stopPrice` only present on stop orders. The guards below are the
 * only way untrusted input becomes a Side/OrderType/TimeInForce/OrderStatus.
 */

export const SIDES = ["buy", "sell"] as const;
export type Side = (typeof SIDES)[number];

export const ORDER_TYPES = ["market", "limit", "stop_market", "stop_limit"] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/** PO = post-only, as in ccxt: rejected (never filled) if it would take liquidity. */
export const TIMES_IN_FORCE = ["GTC", "IOC", "FOK", "PO"] as const;
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];

export const ORDER_STATUSES = ["open", "closed", "canceled", "expired", "rejected"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface Fee {
  currency: string;
  cost: string;
  rate?: string;
}

export interface Order {
  id: string;
  clientOrderId: string;
  /** Creation time, ms since the epoch, from the injected clock or the venue. */
  timestamp: number;
  symbol: string;
  type: OrderType;
  side: Side;
  timeInForce: TimeInForce;
  price?: string;
  stopPrice?: string;
  amount: string;
  filled: string;
  remaining: string;
  average?: string;
  cost: string;
  status: OrderStatus;
  postOnly: boolean;
  reduceOnly: boolean;
  fee?: Fee;
}

/** What a caller asks for; the venue fills in the rest of an Order. */
export interface OrderRequest {
  symbol: string;
  type: OrderType;
  side: Side;
  amount: string;
  price?: string;
  stopPrice?: string;
  timeInForce?: TimeInForce;
  postOnly?: boolean;
  reduceOnly?: boolean;
  clientOrderId?: string;
}

/**
 * @example
 * isSide("buy"); // true
 * isSide("BUY"); // false
 */
export function isSide(value: unknown): value is Side {
  return (SIDES as readonly unknown[]).includes(value);
}

/**
 * @example
 * isOrderType("stop_limit"); // true
 */
export function isOrderType(value: unknown): value is OrderType {
  return (ORDER_TYPES as readonly unknown[]).includes(value);
}

/**
 * @example
 * isTimeInForce("PO"); // true
 */
export function isTimeInForce(value: unknown): value is TimeInForce {
  return (TIMES_IN_FORCE as readonly unknown[]).includes(value);
}

/**
 * @example
 * isOrderStatus("canceled"); // true
 */
export function isOrderStatus(value: unknown): value is OrderStatus {
  return (ORDER_STATUSES as readonly unknown[]).includes(value);
}

/**
 * The side that closes a position opened with `side`.
 *
 * @example
 * oppositeSide("buy"); // "sell"
 */
export function oppositeSide(side: Side): Side {
  return side === "buy" ? "sell" : "buy";
}
