/**
 * Client order ids on real exchanges: each venue's rule for the caller's id, the venue-legal form
 * of an id that breaks it, and how an order is found again by that id.
 *
 * Why: the Desk sends every order with a deterministic id (`<desk>-<market token>-<seq>`, e.g.
 * `binance-main-BTC-USDT-17`) and, after a failure that leaves an order unknown, looks it up by
 * that id instead of resubmitting. An id the venue refuses, or one it silently truncates, breaks
 * that promise, so every id is checked here before it is sent.
 *
 * Rules (one row per shipped exchange; ccxt's `clientOrderId` param reaches each venue's field):
 *   binance  newClientOrderId  1–36 of [.A-Za-z0-9:/_-]   (Binance spot API: ^[\.A-Z\:/a-z0-9_-]{1,36}$)
 *   bybit    orderLinkId       1–36 of [A-Za-z0-9_-]      (Bybit v5: "max 36 characters, numbers,
 *                                                          letters, dashes and underscores")
 *   kraken   cl_ord_id         a UUID (36 with hyphens, or 32 hex) or free text of at most 18
 *                              (Kraken "Spot Client Order Identifiers"; free text kept to [A-Za-z0-9_-])
 *   bitget   clientOid         1–40 of [A-Za-z0-9_:-]     (REST documents no bound; 40 and this
 *                                                          alphabet are its WebSocket trade API's)
 *   upbit    identifier        1–36 of [A-Za-z0-9_-]      (Upbit documents no bound; an identifier
 *                                                          may never be reused, even after the order)
 *   other    —                 1–32 letters and digits   (the strictest common form, OKX's clOrdId)
 *
 * Venue-legal encoding: an id that fits its venue's rule is sent as it is. One that does not (a
 * Desk id is longer than Kraken's 18 free-text characters; a long desk name or asset can pass 36)
 * is replaced by a deterministic digest of it: `c` + the first hex digits of its SHA-256 (as many
 * as the rule allows, at most 32), or on Kraken a UUID built from that digest (version 8, RFC
 * 9562's custom form). The same id always gives the same venue id, so a lookup after a restart
 * finds the order; CcxtVenue maps the venue id back to the caller's in what it returns.
 */
import { createHash } from "node:crypto";
import { InvalidOrderError } from "../../domain/errors.js";

export interface ClientOrderIdRules {
  readonly exchange: string;
  /** The venue's own name for the field (messages and documentation). */
  readonly field: string;
  readonly maxLength: number;
  /** Whole-id pattern a free-text id must match. */
  readonly pattern: RegExp;
  /** A form accepted besides `pattern` (Kraken's UUIDs). */
  readonly alsoAccepts?: RegExp;
  /** How an id that breaks the rule is made legal. */
  readonly encoding: "digest" | "uuid";
  readonly description: string;
}

const UUID =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})$/;

const RULES: ReadonlyMap<string, ClientOrderIdRules> = new Map(
  (
    [
      {
        exchange: "binance",
        field: "newClientOrderId",
        maxLength: 36,
        pattern: /^[.A-Za-z0-9:/_-]{1,36}$/,
        encoding: "digest",
        description: "1 to 36 characters of [.A-Za-z0-9:/_-]",
      },
      {
        exchange: "bybit",
        field: "orderLinkId",
        maxLength: 36,
        pattern: /^[A-Za-z0-9_-]{1,36}$/,
        encoding: "digest",
        description: "1 to 36 characters of [A-Za-z0-9_-]",
      },
      {
        exchange: "kraken",
        field: "cl_ord_id",
        maxLength: 18,
        pattern: /^[A-Za-z0-9_-]{1,18}$/,
        alsoAccepts: UUID,
        encoding: "uuid",
        description: "a UUID, or 1 to 18 characters of [A-Za-z0-9_-]",
      },
      {
        exchange: "bitget",
        field: "clientOid",
        maxLength: 40,
        pattern: /^[A-Za-z0-9_:-]{1,40}$/,
        encoding: "digest",
        description: "1 to 40 characters of [A-Za-z0-9_:-]",
      },
      {
        exchange: "upbit",
        field: "identifier",
        maxLength: 36,
        pattern: /^[A-Za-z0-9_-]{1,36}$/,
        encoding: "digest",
        description: "1 to 36 characters of [A-Za-z0-9_-]",
      },
    ] satisfies ClientOrderIdRules[]
  ).map((r) => [r.exchange, Object.freeze(r)]),
);

/** Bound on a caller's id before encoding: a Desk id is far shorter; anything longer is a bug. */
const MAX_CALLER_ID = 200;

/**
 * The client order id rule of an exchange (ccxt id); a conservative default for others.
 *
 * @example
 * clientOrderIdRules("binance").maxLength; // 36
 */
export function clientOrderIdRules(exchange: string): ClientOrderIdRules {
  return (
    RULES.get(exchange) ?? {
      exchange,
      field: "clientOrderId",
      maxLength: 32,
      pattern: /^[A-Za-z0-9]{1,32}$/,
      encoding: "digest",
      description: "1 to 32 letters and digits (crypy has no rule of its own for this exchange)",
    }
  );
}

/** Whether `id` may be sent to the exchange as it is. */
export function isVenueLegal(rules: ClientOrderIdRules, id: string): boolean {
  return rules.pattern.test(id) || (rules.alsoAccepts?.test(id) ?? false);
}

/**
 * The id to send for the caller's `id`: itself when legal, else its deterministic encoding.
 *
 * @example
 * venueClientOrderId("binance", "binance-main-BTC-USDT-17"); // "binance-main-BTC-USDT-17"
 * venueClientOrderId("kraken", "kraken-main-BTC-USD-17"); // a UUID, the same one every time
 */
export function venueClientOrderId(exchange: string, id: string): string {
  if (
    typeof id !== "string" ||
    id.length === 0 ||
    id.length > MAX_CALLER_ID ||
    /[^\x21-\x7e]/.test(id)
  ) {
    throw new InvalidOrderError(
      `client order id ${JSON.stringify(String(id).slice(0, 40))} must be 1 to ${MAX_CALLER_ID} printable ASCII characters`,
    );
  }
  const rules = clientOrderIdRules(exchange);
  if (isVenueLegal(rules, id)) return id;
  const digest = createHash("sha256").update(id).digest("hex");
  if (rules.encoding === "uuid") return uuidFrom(digest);
  return `c${digest.slice(0, Math.min(32, rules.maxLength - 1))}`;
}

/** A version-8 UUID (RFC 9562, custom content) from 128 bits of a hex digest. */
function uuidFrom(hex: string): string {
  const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  const h = `${hex.slice(0, 12)}8${hex.slice(13, 16)}${variant}${hex.slice(17, 32)}`;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * How an order is found by its (venue) client id through ccxt: `fetchOrder` with the params a
 * venue's ccxt implementation reads, or (Kraken, whose QueryOrders needs a txid) a search of the
 * open and then the closed orders filtered by `cl_ord_id`.
 */
export type ClientIdLookup =
  | { kind: "fetchOrder"; params: Record<string, unknown> }
  | { kind: "search"; params: Record<string, unknown> };

export function clientIdLookup(exchange: string, venueId: string): ClientIdLookup {
  switch (exchange) {
    case "binance":
      return { kind: "fetchOrder", params: { origClientOrderId: venueId } };
    case "bybit":
      // bybit's fetchOrder refuses without `acknowledged` (it sees only the last 500 orders).
      return { kind: "fetchOrder", params: { orderLinkId: venueId, acknowledged: true } };
    case "upbit":
      return { kind: "fetchOrder", params: { identifier: venueId } };
    case "kraken":
      return { kind: "search", params: { clientOrderId: venueId } };
    default:
      // ccxt's convention (bitget maps it to clientOid).
      return { kind: "fetchOrder", params: { clientOrderId: venueId } };
  }
}
