import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { InternalError, InvalidInputError, MandateDeniedError } from "../../domain/errors.js";
import { formatDecimal, parseDecimal } from "../../domain/fixed.js";
import { isSide } from "../../domain/order.js";
import { SequencedSignatures } from "../identity/sequenced.js";
import {
  type AuthorizedMandate,
  canonicalBytes,
  type Mandate,
  type MandateOrder,
  nameProblem,
  quote,
  RAW_KEY_BASE64,
  readMandate,
  SPKI_ED25519_PREFIX,
  sameMandate,
} from "../mandate.js";

const KNOWN_LIMIT = 10_000;

/** A Trader's proof that it sent a request: its sequence, signature, and the bytes it signed. */
export interface SignedRequest {
  seq: unknown;
  signature: unknown;
  /** The request's signed bytes for a mandate nonce and a sequence (order-signature.ts). */
  bytes: (nonce: string, seq: number) => Buffer;
}

interface KnownMandate {
  readonly mandate: Mandate;
  /** Holder and canonical bytes, as Budget.fingerprint. */
  readonly fingerprint: string;
  readonly key: KeyObject;
}

interface Budget {
  /** Holder and canonical bytes of the mandate that opened this budget. */
  readonly fingerprint: string;
  readonly trader: string;
  readonly traderKey: string;
  readonly market: string;
  readonly max: bigint;
  /** Reserved by open orders plus spent by fills, quote minor units. */
  spent: bigint;
}

/** A mandate's budget terms as the journal keeps them (mandate-book.ts `record`). */
export interface MandateRecord {
  readonly nonce: string;
  readonly fingerprint: string;
  readonly trader: string;
  readonly traderKey: string;
  readonly market: string;
  readonly max: bigint;
}

/**
 * The Desk's side: trusted Holder keys, and the notional spent under each mandate nonce.
 *
 * Flow per order (the order gateway, in one synchronous step): `authorize` (checks, changes
 * nothing but the nonce record) → risk checks → `commit` (reserves the order's worst-case cost) →
 * then send to the venue; as it fills, and when it is rejected, cancelled or expires, `release`
 * gives back what it did not spend.
 */
export class MandateBook {
  readonly #decimalsOf: (market: string) => number;
  readonly #keys = new Map<string, KeyObject>();
  readonly #budgets = new Map<string, Budget>();
  readonly #revoked = new Set<string>();
  /** The highest request sequence seen per Trader key: a replay is at or below it. */
  readonly #signatures = new SequencedSignatures("request", "replayed request");
  /** Authorizations issued and not yet committed, with the budget they draw on. */
  readonly #issued = new WeakMap<AuthorizedMandate, Budget>();

  /**
   * Mandates already read and verified, by signature, with the key that verified them (re-keying a
   * Holder starts afresh): a Trader sends the same mandate with every order, and reading it,
   * rebuilding its signed bytes and verifying Ed25519 (~90 µs) is most of the order path's cost.
   * A hit needs the received value to be exactly the known mandate (sameMandate). Bounded:
   * cleared when it grows past KNOWN_LIMIT.
   */
  readonly #known = new Map<string, KnownMandate>();

  /** The remembered mandate with this value's signature, if any; never throws (getters may). */
  #knownBySignature(value: unknown): KnownMandate | undefined {
    try {
      const signature = (value as { signature?: unknown } | null)?.signature;
      return typeof signature === "string" ? this.#known.get(signature) : undefined;
    } catch {
      return undefined; // readMandate names what is wrong with it
    }
  }

  /** The mandate read, its signature checked against its Holder's trusted key; or a denial. */
  #read(value: unknown): { mandate: Mandate; fingerprint: string } {
    const known = this.#knownBySignature(value);
    if (
      known !== undefined &&
      this.#keys.get(known.mandate.holder) === known.key &&
      sameMandate(value, known.mandate)
    ) {
      return known;
    }
    const m = readMandate(value);
    const key = this.#keys.get(m.holder);
    if (key === undefined)
      deny(`unknown holder ${quote(m.holder)}: no public key is trusted for it`);
    const bytes = canonicalBytes(m);
    if (!verifies(bytes, key, m.signature)) {
      deny(
        `bad signature: mandate ${quote(m.nonce)} was not signed by ${quote(m.holder)} as it is`,
      );
    }
    // A copy: the caller's object may change after this; the cache must not.
    const entry = {
      mandate: { ...m, sides: [...m.sides] },
      fingerprint: `${m.holder}\n${bytes.toString("utf8")}`,
      key,
    };
    if (this.#known.size >= KNOWN_LIMIT) this.#known.clear();
    this.#known.set(m.signature, entry);
    return entry;
  }

  /** `decimalsOf(market)`: the quote currency's decimals, the scale of order notionals. */
  constructor(decimalsOf: (market: string) => number) {
    this.#decimalsOf = decimalsOf;
  }

  /** Trusts (or re-keys) a Holder; `publicKey` is base64 of the raw 32-byte Ed25519 key. */
  trust(holder: string, publicKey: string): void {
    const problem = nameProblem(holder, "holder");
    if (problem !== undefined) throw new InvalidInputError(`cannot trust holder: ${problem}`);
    this.#keys.set(holder, importPublicKey(holder, publicKey));
  }

  /** No mandate with this nonce authorizes or commits again, even one not seen yet. */
  revoke(nonce: string): void {
    const problem = nameProblem(nonce, "nonce");
    if (problem !== undefined) throw new InvalidInputError(`cannot revoke: ${problem}`);
    this.#revoked.add(nonce);
  }

  /**
   * Checks that `mandate` covers `order` at time `now` (ms). Spends nothing: `commit` does.
   *
   * @example
   * const auth = book.authorize(order, message.mandate, clock.now());
   * risk.check(order, clock.now());
   * book.commit(auth);
   */
  authorize(
    order: MandateOrder,
    mandate: unknown,
    now: number,
    proof?: SignedRequest,
  ): AuthorizedMandate {
    checkOrder(order);
    const { mandate: m, fingerprint } = this.#read(mandate);
    // An order that only reduces exposure (notional 0) must always be able to pass: a Trader
    // holding a position after its mandate expired or was revoked can still get out — with a
    // genuine mandate for this trader and market, never without one.
    const closing = order.notional === 0n;
    if (!closing && this.#revoked.has(m.nonce))
      deny(`revoked: mandate ${quote(m.nonce)} was revoked`);
    const seen = this.#budgets.get(m.nonce);
    if (seen !== undefined && seen.fingerprint !== fingerprint) {
      deny(`replayed: nonce ${quote(m.nonce)} already belongs to a mandate with other terms`);
    }
    if (!closing && now >= m.expiresAt) {
      deny(`expired: mandate ${quote(m.nonce)} expired at ${m.expiresAt} (now ${now})`);
    }
    for (const field of ["trader", "desk", "market"] as const) {
      if (order[field] !== m[field]) {
        deny(`wrong ${field}: mandate is for ${quote(m[field])}, order is ${quote(order[field])}`);
      }
    }
    if (!m.sides.includes(order.side)) {
      deny(`wrong side: mandate allows ${m.sides.join(", ")}, order is a ${order.side}`);
    }
    if (proof !== undefined) this.checkSigned(m.trader, m.traderKey, proof, m.nonce);
    const decimals = this.#decimalsOf(m.market);
    const budget = seen ?? {
      fingerprint,
      trader: m.trader,
      traderKey: m.traderKey,
      market: m.market,
      max: readMaxNotional(m.maxNotional, decimals),
      spent: 0n,
    };
    const left = budget.max - budget.spent;
    if (order.notional > left) {
      const amount = (n: bigint) => formatDecimal(n, decimals);
      deny(
        `over budget: order notional ${amount(order.notional)} is above the ${amount(left)} left` +
          ` of mandate ${quote(m.nonce)} (max ${amount(budget.max)})`,
      );
    }
    this.#budgets.set(m.nonce, budget);
    const auth: AuthorizedMandate = Object.freeze({
      holder: m.holder,
      nonce: m.nonce,
      trader: order.trader,
      desk: order.desk,
      market: order.market,
      side: order.side,
      notional: order.notional,
      maxLeverage: m.maxLeverage ?? 1,
      maxPosition: m.maxPosition,
    });
    this.#issued.set(auth, budget);
    return auth;
  }

  /**
   * Spends the authorized notional. Re-checks revocation and budget, so two orders authorized
   * against the same remainder cannot both spend it.
   */
  commit(auth: AuthorizedMandate): void {
    const budget = this.#issued.get(auth);
    if (budget === undefined) {
      throw new InternalError(
        "commit of an authorization this book did not issue or already spent",
      );
    }
    this.#issued.delete(auth);
    if (auth.notional > 0n && this.#revoked.has(auth.nonce)) {
      deny(`revoked: mandate ${quote(auth.nonce)} was revoked`);
    }
    if (auth.notional > budget.max - budget.spent) {
      deny(`over budget: mandate ${quote(auth.nonce)} was spent by another order meanwhile`);
    }
    budget.spent += auth.notional;
  }

  /**
   * Gives back notional that will not fill (order rejected, cancelled, expired). Releasing more
   * than is spent is a bookkeeping bug and throws instead of being capped.
   */
  release(nonce: string, notional: bigint): void {
    const budget = this.#budgets.get(nonce);
    if (budget === undefined) {
      throw new InvalidInputError(`cannot release: no mandate with nonce ${quote(nonce)}`);
    }
    if (typeof notional !== "bigint" || notional < 0n || notional > budget.spent) {
      throw new InvalidInputError(
        `cannot release ${String(notional)} on mandate ${quote(nonce)}: ${budget.spent} is spent`,
      );
    }
    budget.spent -= notional;
  }

  /**
   * Checks that `trader`'s key `traderKey` signed this request at a sequence above every one seen
   * from that key (then remembers it). Denials: "unsigned", "bad signature", "replayed request".
   */
  checkSigned(trader: string, traderKey: string, proof: SignedRequest, nonce = ""): void {
    this.#signatures.check(traderKey, proof, (seq) => proof.bytes(nonce, seq), quote(trader));
  }

  /**
   * What the journal keeps of the mandate with this nonce (its budget's terms), to restore it
   * after a restart without its signed text.
   */
  record(nonce: string): MandateRecord | undefined {
    const b = this.#budgets.get(nonce);
    return b === undefined
      ? undefined
      : {
          nonce,
          fingerprint: b.fingerprint,
          trader: b.trader,
          traderKey: b.traderKey,
          market: b.market,
          max: b.max,
        };
  }

  /**
   * A budget from the journal, as it was opened: the Desk's own durable record, so its signature
   * is not checked again (the Holder's key may not even be trusted yet at restart).
   */
  restore(record: MandateRecord): void {
    if (this.#budgets.has(record.nonce)) return;
    this.#budgets.set(record.nonce, {
      fingerprint: record.fingerprint,
      trader: record.trader,
      traderKey: record.traderKey,
      market: record.market,
      max: record.max,
      spent: 0n,
    });
  }

  /** Every budget with what it has spent and reserved, and the revoked nonces: for a snapshot. */
  saved(): {
    budgets: (MandateRecord & { spent: bigint })[];
    revoked: string[];
    signed: [string, number][];
  } {
    return {
      budgets: [...this.#budgets].map(([nonce, b]) => ({
        nonce,
        fingerprint: b.fingerprint,
        trader: b.trader,
        traderKey: b.traderKey,
        market: b.market,
        max: b.max,
        spent: b.spent,
      })),
      revoked: [...this.#revoked],
      signed: this.#signatures.entries(),
    };
  }

  /** A budget from a snapshot, with what it had spent and reserved. */
  restoreSpent(record: MandateRecord, spent: bigint): void {
    this.restore(record);
    const budget = this.#budgets.get(record.nonce);
    if (budget !== undefined) budget.spent = spent;
  }

  /** Re-reserves an order's budget from the journal (as `commit` did when it was placed). */
  reserve(nonce: string, notional: bigint): void {
    const budget = this.#budgets.get(nonce);
    if (budget === undefined) throw new InternalError(`no mandate ${quote(nonce)} to reserve on`);
    budget.spent += notional;
  }

  /** A request sequence seen before the restart: nothing at or below it passes again. */
  observeSigned(traderKey: string, seq: number): void {
    this.#signatures.observe(traderKey, seq);
  }

  /** The last request sequence seen from `traderKey`. */
  lastSigned(traderKey: string): number {
    return this.#signatures.lastOf(traderKey);
  }

  /** The Trader key the mandate with this nonce names, once the mandate was read. */
  traderKeyOf(nonce: string): string | undefined {
    return this.#budgets.get(nonce)?.traderKey;
  }

  /** Every budget opened so far: its nonce, maximum and what is reserved or spent under it. */
  budgets(): Array<{
    nonce: string;
    trader: string;
    market: string;
    max: bigint;
    used: bigint;
    revoked: boolean;
  }> {
    return [...this.#budgets].map(([nonce, b]) => ({
      nonce,
      trader: b.trader,
      market: b.market,
      max: b.max,
      used: b.spent,
      revoked: this.#revoked.has(nonce),
    }));
  }

  /** Unspent notional (quote minor units); 0n once revoked, undefined if never authorized. */
  remaining(nonce: string): bigint | undefined {
    if (this.#revoked.has(nonce)) return 0n;
    const budget = this.#budgets.get(nonce);
    return budget === undefined ? undefined : budget.max - budget.spent;
  }
}

function deny(reason: string): never {
  throw new MandateDeniedError(reason);
}

function checkOrder(order: MandateOrder): void {
  // 0 is an order that only reduces the Trader's exposure (selling what it holds): every check
  // applies, but it spends none of the budget — a Trader must always be able to get out.
  if (typeof order.notional !== "bigint" || order.notional < 0n) {
    throw new InvalidInputError(
      `order notional must be a bigint of at least 0, got ${order.notional}`,
    );
  }
  if (!isSide(order.side))
    throw new InvalidInputError(`order side ${quote(order.side)} is unknown`);
}

function importPublicKey(holder: string, publicKey: string): KeyObject {
  const bad = () =>
    new InvalidInputError(
      `public key of holder ${quote(holder)} must be base64 of a raw 32-byte Ed25519 key`,
    );
  if (typeof publicKey !== "string" || !RAW_KEY_BASE64.test(publicKey)) throw bad();
  const raw = Buffer.from(publicKey, "base64");
  if (raw.toString("base64") !== publicKey) throw bad();
  try {
    return createPublicKey({
      key: Buffer.concat([SPKI_ED25519_PREFIX, raw]),
      format: "der",
      type: "spki",
    });
  } catch (cause) {
    throw new InvalidInputError(bad().message, { cause });
  }
}

function verifies(bytes: Buffer, key: KeyObject, signature: string): boolean {
  try {
    return verify(null, bytes, key, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

function readMaxNotional(text: string, decimals: number): bigint {
  try {
    return parseDecimal(text, decimals);
  } catch {
    return deny(
      `malformed mandate: 'maxNotional' ${quote(text)} has more than ${decimals} decimals`,
    );
  }
}
