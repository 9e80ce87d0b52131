/**
 * Mandates: a Holder's signed permission for one Trader to trade its capital on one Desk.
 *
 * A Holder signs `{trader, desk, market, sides, maxNotional, expiresAt, nonce}` — and on a contract
 * market `maxLeverage` and `maxPosition` — with its Ed25519 key
 * (`HolderKeys`); the mandate travels with every order as plain JSON; the Desk checks it against the
 * Holder's public key and the notional already spent under it (`MandateBook`).
 *
 * Invariants:
 * - An order is authorized only under a mandate that verifies against a trusted Holder's key, is not
 *   revoked, is unexpired (`now < expiresAt`), names this order's trader, desk, market and side, and
 *   has at least the order's notional left.
 * - The signature covers `canonicalBytes(terms)` and nothing else. The `holder` field only chooses the
 *   key, so naming another Holder makes the signature fail against that Holder's key.
 * - A nonce names one budget. The first mandate authorized under a nonce fixes its terms; a mandate
 *   with that nonce and other terms is a replay, and a revoked nonce never authorizes again.
 * - Used notional never exceeds maxNotional: `commit` re-checks the budget, and `release` gives
 *   back at most what is used. Used = reserved by open orders (their worst-case cost, taken before
 *   they are sent) + spent by fills; the Desk's order gateway releases what an order did not spend.
 *   Filled notional stays spent: the budget bounds what a Trader may buy under the mandate in
 *   total, not its open exposure. Selling what the Trader holds spends none of it.
 * - `authorize` throws only MandateDeniedError for anything wrong with the mandate, whatever value
 *   it is given; the message starts with the reason ("malformed mandate", "unknown holder",
 *   "bad signature", "revoked", "replayed", "expired", "wrong trader|desk|market|side",
 *   "over budget").
 */

import { InvalidInputError, MandateDeniedError } from "../domain/errors.js";
import { isSide, type Side } from "../domain/order.js";
import { ActorKeys, signedBytes } from "./identity/keys.js";

export interface MandateTerms {
  trader: string;
  /** The Trader's public key (base64 of the raw 32-byte Ed25519 key): it signs every order. */
  traderKey: string;
  desk: string;
  market: string;
  sides: Side[];
  /** Plain positive decimal in the market's quote currency, e.g. "1000" or "250.5". */
  maxNotional: string;
  /** Epoch ms; the mandate is void from this instant on. */
  expiresAt: number;
  nonce: string;
  /**
   * Contract markets only: the most leverage an order may be sized at (a whole number, 1 if
   * absent). On a contract `maxNotional` is margin, so the notional at risk is at most
   * maxNotional × maxLeverage.
   */
  maxLeverage?: number;
  /**
   * Contract markets only: the largest position, long or short, in the market's amount unit
   * (contracts), that the Trader's orders may reach; absent, only the budget bounds it.
   */
  maxPosition?: string;
}

export interface Mandate extends MandateTerms {
  holder: string;
  /** Base64 of the 64-byte Ed25519 signature over `canonicalBytes(terms)`. */
  signature: string;
}

/** What the Desk knows of the order a mandate must cover; notional in quote minor units. */
export interface MandateOrder {
  trader: string;
  desk: string;
  market: string;
  side: Side;
  notional: bigint;
}

/** Issued by `MandateBook.authorize`; only that book's `commit` accepts it, once. */
export interface AuthorizedMandate {
  readonly holder: string;
  readonly nonce: string;
  readonly trader: string;
  readonly desk: string;
  readonly market: string;
  readonly side: Side;
  readonly notional: bigint;
  /** The mandate's contract bounds (mandate terms): leverage 1 and no position bound if absent. */
  readonly maxLeverage: number;
  readonly maxPosition: string | undefined;
}

/** Tags the signed bytes, so a mandate signature can never pass as any other signed message. */
const DOMAIN_TAG = "crypy-mandate-v2";
/** DER header of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
export const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
export const RAW_KEY_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
export const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{86}==$/;
export const PLAIN_DECIMAL = /^\d{1,40}(\.\d{1,40})?$/;
const MAX_NAME = 256;
const TERM_FIELDS = [
  "trader",
  "traderKey",
  "desk",
  "market",
  "sides",
  "maxNotional",
  "expiresAt",
  "nonce",
];
/** Terms a mandate may leave out: signed when present. */
const OPTIONAL_TERMS = ["maxLeverage", "maxPosition"] as const;
const MANDATE_FIELDS = new Set([...TERM_FIELDS, ...OPTIONAL_TERMS, "holder", "signature"]);
const REQUIRED_FIELDS = TERM_FIELDS.length + 2;
/** The most leverage a mandate may name: above any venue's. */
const MAX_LEVERAGE = 1000;

/**
 * The bytes a Holder signs. A mandate crosses the bus as JSON, and a JSON object's key order is not
 * something a peer must keep: a codec, a proxy or a re-encode may reorder keys. So the bytes are
 * never the received object as it is; they are rebuilt from its fields in one fixed order (a JSON
 * array behind a domain tag), and `sides`, a set, is sorted so ["sell","buy"] and ["buy","sell"]
 * sign alike. Same terms, same bytes, wherever they come from.
 *
 * @example
 * canonicalBytes({ trader: "t", traderKey: "K…=", desk: "sim-main", market: "BTC/USDT",
 *   sides: ["sell", "buy"], maxNotional: "1000", expiresAt: 1_700_000_000_000, nonce: "n-1" });
 * // '["crypy-mandate-v2","t","K…=","sim-main","BTC/USDT",["buy","sell"],"1000",1700000000000,"n-1"]'
 */
export function canonicalBytes(terms: MandateTerms): Buffer {
  const sides = [...terms.sides].sort();
  const { trader, traderKey, desk, market, maxNotional, expiresAt, nonce } = terms;
  const fields: unknown[] = [trader, traderKey, desk, market, sides, maxNotional, expiresAt, nonce];
  // A contract's bounds follow, when named: a spot mandate signs the same bytes it always did.
  if (terms.maxLeverage !== undefined || terms.maxPosition !== undefined) {
    fields.push(terms.maxLeverage ?? null, terms.maxPosition ?? null);
  }
  return signedBytes(DOMAIN_TAG, fields);
}

/**
 * A Holder's signing key. `publicKey` is the base64 of the raw 32-byte Ed25519 key (RFC 8032), the
 * form every Ed25519 library reads, and 44 characters in a heartbeat or a template. The private
 * key lives in a private field and has no serialised form: JSON.stringify shows `publicKey` only.
 *
 * @example
 * const keys = HolderKeys.generate();
 * const mandate = keys.sign(terms, "USDT");
 * book.trust("USDT", keys.publicKey);
 */
export class HolderKeys {
  readonly publicKey: string;
  readonly #keys: ActorKeys;

  private constructor(keys: ActorKeys) {
    this.#keys = keys;
    this.publicKey = keys.publicKey;
  }

  /** A Holder signing with `keys` (its identity from the state directory, or fresh). */
  static of(keys: ActorKeys): HolderKeys {
    return new HolderKeys(keys);
  }

  static generate(): HolderKeys {
    return new HolderKeys(ActorKeys.generate());
  }

  /** Signs the terms (sides sorted) for `holder`; bad terms are an InvalidInputError. */
  sign(terms: MandateTerms, holder: string): Mandate {
    const problem = termsProblem(terms) ?? nameProblem(holder, "holder");
    if (problem !== undefined) throw new InvalidInputError(`cannot sign mandate: ${problem}`);
    const clean: MandateTerms = {
      trader: terms.trader,
      traderKey: terms.traderKey,
      desk: terms.desk,
      market: terms.market,
      sides: [...terms.sides].sort(),
      maxNotional: terms.maxNotional,
      expiresAt: terms.expiresAt,
      nonce: terms.nonce,
      ...(terms.maxLeverage === undefined ? {} : { maxLeverage: terms.maxLeverage }),
      ...(terms.maxPosition === undefined ? {} : { maxPosition: terms.maxPosition }),
    };
    const signature = this.#keys.sign(canonicalBytes(clean));
    return { ...clean, holder, signature };
  }

  toJSON(): { publicKey: string } {
    return { publicKey: this.publicKey };
  }
}

/**
 * Reads an untrusted value (from the bus) as a Mandate, or throws MandateDeniedError naming the bad
 * field. Unknown fields are refused: nothing outside the signed terms may ride along unnoticed.
 */
/**
 * Is `value` exactly `known` — the same nine fields with the same values and nothing more? Lets a
 * Desk skip re-reading a mandate it has already read and verified (a Trader sends the same one with
 * every order). False, never a throw, for anything else, including a value whose getters throw.
 */
export function sameMandate(value: unknown, known: Mandate): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  try {
    const v = value as Record<string, unknown>;
    // Own keys, exactly the mandate's fields: nothing extra, nothing read from a prototype.
    const keys = Object.keys(v);
    const optional = OPTIONAL_TERMS.filter((field) => known[field] !== undefined).length;
    if (keys.length !== REQUIRED_FIELDS + optional) return false;
    for (const key of keys) if (!MANDATE_FIELDS.has(key)) return false;
    if (v.maxLeverage !== known.maxLeverage || v.maxPosition !== known.maxPosition) return false;
    if (
      v.signature !== known.signature ||
      v.holder !== known.holder ||
      v.nonce !== known.nonce ||
      v.trader !== known.trader ||
      v.traderKey !== known.traderKey ||
      v.desk !== known.desk ||
      v.market !== known.market ||
      v.maxNotional !== known.maxNotional ||
      v.expiresAt !== known.expiresAt
    ) {
      return false;
    }
    const sides = v.sides;
    return (
      Array.isArray(sides) &&
      sides.length === known.sides.length &&
      sides.every((side, i) => side === known.sides[i])
    );
  } catch {
    return false;
  }
}

export function readMandate(value: unknown): Mandate {
  let problem: string | undefined;
  try {
    problem = mandateProblem(value);
  } catch {
    problem = "unreadable value"; // a getter or proxy that throws: not plain JSON
  }
  if (problem !== undefined) throw new MandateDeniedError(`malformed mandate: ${problem}`);
  return value as Mandate;
}

function mandateProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `expected an object, got ${preview(value)}`;
  }
  for (const key of Object.keys(value)) {
    if (!MANDATE_FIELDS.has(key)) return `unknown field ${quote(key)}`;
  }
  const record = value as Record<string, unknown>;
  const signature = own(record, "signature");
  return (
    termsProblem(record) ??
    nameProblem(own(record, "holder"), "holder") ??
    (typeof signature === "string" && SIGNATURE_BASE64.test(signature)
      ? undefined
      : `'signature' must be base64 of 64 bytes, got ${preview(signature)}`)
  );
}

function termsProblem(terms: object): string | undefined {
  const record = terms as Record<string, unknown>;
  for (const field of ["trader", "desk", "market", "nonce"]) {
    const problem = nameProblem(own(record, field), field);
    if (problem !== undefined) return problem;
  }
  const traderKey = own(record, "traderKey");
  if (typeof traderKey !== "string" || !RAW_KEY_BASE64.test(traderKey)) {
    return `'traderKey' must be base64 of the Trader's raw 32-byte Ed25519 key, got ${preview(traderKey)}`;
  }
  const sides = own(record, "sides");
  if (
    !Array.isArray(sides) ||
    sides.length === 0 ||
    sides.length > 2 ||
    !sides.every(isSide) ||
    new Set(sides).size !== sides.length
  ) {
    return `'sides' must be a non-empty list of distinct "buy" / "sell", got ${preview(sides)}`;
  }
  const maxNotional = own(record, "maxNotional");
  if (
    typeof maxNotional !== "string" ||
    !PLAIN_DECIMAL.test(maxNotional) ||
    !/[1-9]/.test(maxNotional)
  ) {
    return `'maxNotional' must be a plain decimal string above 0, got ${preview(maxNotional)}`;
  }
  const expiresAt = own(record, "expiresAt");
  if (typeof expiresAt !== "number" || !Number.isSafeInteger(expiresAt) || expiresAt < 0) {
    return `'expiresAt' must be a whole number of ms, got ${preview(expiresAt)}`;
  }
  const maxLeverage = own(record, "maxLeverage");
  if (
    maxLeverage !== undefined &&
    (typeof maxLeverage !== "number" ||
      !Number.isInteger(maxLeverage) ||
      maxLeverage < 1 ||
      maxLeverage > MAX_LEVERAGE)
  ) {
    return `'maxLeverage' must be a whole number from 1 to ${MAX_LEVERAGE}, got ${preview(maxLeverage)}`;
  }
  const maxPosition = own(record, "maxPosition");
  if (
    maxPosition !== undefined &&
    (typeof maxPosition !== "string" ||
      !PLAIN_DECIMAL.test(maxPosition) ||
      !/[1-9]/.test(maxPosition))
  ) {
    return `'maxPosition' must be a plain decimal string above 0, got ${preview(maxPosition)}`;
  }
  return undefined;
}

export function nameProblem(value: unknown, field: string): string | undefined {
  if (typeof value === "string" && value.length > 0 && value.length <= MAX_NAME) return undefined;
  return `'${field}' must be a string of 1 to ${MAX_NAME} characters, got ${preview(value)}`;
}

/** Own properties only: a field inherited from a prototype is not part of the message. */
function own(record: Record<string, unknown>, field: string): unknown {
  return Object.hasOwn(record, field) ? record[field] : undefined;
}

export function preview(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") {
    return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}

export function quote(text: string): string {
  return preview(text);
}
