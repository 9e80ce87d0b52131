/**
 * The order requests a Desk takes on crypy.desk.<desk>.order, as untrusted input: their shapes,
 * and the checks that name the first thing wrong with one before anything is reserved.
 */
import { InvalidInputError } from "../../../domain/errors.js";
import { parseDecimal } from "../../../domain/fixed.js";
import { isSide, type Order } from "../../../domain/order.js";
import type { SpotExposure } from "./exposure.js";

/**
 * A Trader asking, after a restart, for what it holds through the Desk: read-only, it moves nothing.
 * Answered with a `PositionReply`.
 */
export interface PositionRequest {
  op: "position";
  trader: string;
  market: string;
}

/** A Trader's position through the Desk as decimal strings, and its orders' last known states. */
export interface PositionReply {
  position: {
    quantity: string;
    basis: string;
    realised: string;
    fees: string;
    otherFees: Record<string, string>;
  };
  orders: Order[];
}

/** An order request on the bus, from a Trader, with its Holder's mandate. */
export interface PlaceRequest {
  op: "place";
  trader: string;
  mandate: unknown;
  market: string;
  side: "buy" | "sell";
  /** stop_market: held at the venue until the last price reaches `stopPrice`; closing only. */
  type: "market" | "limit" | "stop_market";
  amount: string;
  price?: string;
  /** The trigger of a stop_market order. */
  stopPrice?: string;
  /** Contract markets: the order may only reduce the Trader's position (it reserves nothing). */
  reduceOnly?: boolean;
  /** Contract markets: the leverage its margin is reserved at, at most the mandate's (default 1). */
  leverage?: number;
  /** The Trader's order sequence and its signature over the request (order-signature.ts). */
  seq?: unknown;
  signature?: unknown;
}

export interface CancelRequest {
  op: "cancel";
  trader: string;
  id: string;
  seq?: unknown;
  signature?: unknown;
}

/** Throws an InvalidInputError naming the first field of `r` that is missing or malformed. */
export function checkPlaceRequest(r: PlaceRequest): void {
  if (r === null || typeof r !== "object")
    throw new InvalidInputError("an order request must be an object");
  for (const field of ["trader", "market", "side", "type", "amount"] as const) {
    if (typeof r[field] !== "string")
      throw new InvalidInputError(`order request needs a string '${field}'`);
  }
  if (!isSide(r.side))
    throw new InvalidInputError(`order side ${JSON.stringify(r.side)} is unknown`);
  if (r.type !== "market" && r.type !== "limit" && r.type !== "stop_market")
    throw new InvalidInputError(
      `order type ${JSON.stringify(r.type)} is not market, limit or stop_market`,
    );
  if (r.price !== undefined && typeof r.price !== "string")
    throw new InvalidInputError("order price must be a decimal string");
  if (r.type === "stop_market" && (typeof r.stopPrice !== "string" || r.price !== undefined))
    throw new InvalidInputError(
      "a stop_market order needs a 'stopPrice' (a decimal string) and no price",
    );
  if (r.type !== "stop_market" && r.stopPrice !== undefined)
    throw new InvalidInputError("only a stop_market order takes a 'stopPrice'");
  if (r.reduceOnly !== undefined && typeof r.reduceOnly !== "boolean")
    throw new InvalidInputError("order reduceOnly must be true or false");
  if (
    r.leverage !== undefined &&
    (typeof r.leverage !== "number" || !Number.isInteger(r.leverage) || r.leverage < 1)
  ) {
    throw new InvalidInputError(
      `order leverage must be a whole number of at least 1, got ${JSON.stringify(r.leverage)}`,
    );
  }
}

/** `order` executed less than `seen`: a state from before it. */
export function isOlder(order: Order, seen: Order): boolean {
  return parseDecimal(order.filled, 18, "half-even") < parseDecimal(seen.filled, 18, "half-even");
}

/** An order amount in base minor units: exact, above 0. */
export function readAmount(text: string, scale: number): bigint {
  let units: bigint;
  try {
    units = parseDecimal(text, scale);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidInputError(`order amount: ${why}`, { cause });
  }
  if (units <= 0n) throw new InvalidInputError(`order amount ${text} must be above 0`);
  return units;
}

/** The scales a position in this market is kept at. */
export function scalesOf(exposure: SpotExposure) {
  const { base, quote, baseScale, quoteScale } = exposure.rules;
  return { base, quote, baseScale, quoteScale };
}
