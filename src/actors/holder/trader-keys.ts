/**
 * Whose word a Holder takes: the keys of the Traders it spawned (handed over in-process at spawn)
 * and of those it registered (a Trader in another process, with a one-time token this Holder gave
 * out outside the bus), never a key announced on the bus. A Trader's proposal or report counts only
 * when that key signed it, at a sequence above the last one seen from the key.
 *
 * Invariants:
 * - A token registers one key once, before it expires (in this clock's time); it is compared in
 *   constant time, and a wrong, used or expired token changes nothing.
 * - The highest sequence per key only grows: a replayed proposal or report is refused.
 * - Refusals are MandateDeniedError naming why: "unknown trader", "unsigned", "bad signature",
 *   "replayed", "bad token".
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { MandateDeniedError } from "../../domain/errors.js";
import { isPublicKey, verifySignature } from "../identity/keys.js";
import { SequencedSignatures } from "../identity/sequenced.js";
import { registerBytes } from "../trader-signature.js";

/** How long a registration token is good for, clock ms. */
export const TOKEN_TTL_MS = 10 * 60_000;
const MAX_REGISTERED = 1_000;
const MAX_FORMER = 10_000;

/** A Trader this Holder takes the word of. */
export interface KnownTrader {
  readonly id: string;
  readonly publicKey: string;
  /** For a registered Trader: the one market it may propose for. */
  readonly market?: string;
}

export interface Registration {
  trader: unknown;
  market: unknown;
  publicKey: unknown;
  token: unknown;
  signature: unknown;
}

export class TraderKeys {
  readonly #registered = new Map<string, KnownTrader>();
  readonly #tokens = new Map<string, { trader: string; market: string; expiresAt: number }>();
  readonly #signatures = new SequencedSignatures("message", "replayed");
  /** Traders known before, by id: a report arrives after its Trader ended, and still counts. */
  readonly #former = new Map<string, KnownTrader>();

  constructor(
    private readonly holder: string,
    private readonly desk: string,
    private readonly asset: string,
    /** The spawned Trader with this id, if any (its current incarnation). */
    private readonly spawned: (trader: string) => KnownTrader | undefined,
  ) {}

  /** The Trader `id` as this Holder knows it: spawned, or registered; else undefined. */
  known(id: string): KnownTrader | undefined {
    const t = this.spawned(id) ?? this.#registered.get(id);
    if (t !== undefined && this.#former.get(id) !== t) {
      if (this.#former.size >= MAX_FORMER)
        this.#former.delete(this.#former.keys().next().value as string);
      this.#former.set(id, t);
    }
    return t;
  }

  /** Whether `t` is still the Trader of its id (not replaced, not forgotten). */
  holds(t: KnownTrader): boolean {
    return this.known(t.id) === t;
  }

  /**
   * Checks that Trader `trader` signed a message (`bytes(seq)`) at a fresh sequence; returns who it
   * is, or throws a MandateDeniedError naming why not.
   */
  verify(
    trader: string,
    proof: { seq: unknown; signature: unknown },
    bytes: (seq: number) => Buffer,
    /** A report may come from a Trader that has just ended (or was replaced): its key still signs. */
    ended = false,
  ): KnownTrader {
    const who = this.known(trader) ?? (ended ? this.#former.get(trader) : undefined);
    if (who === undefined) {
      deny(`unknown trader: ${this.holder} did not spawn or register ${preview(trader)}`);
    }
    this.#signatures.check(who.publicKey, proof, bytes, preview(trader));
    return who;
  }

  /**
   * A one-time token for Trader `trader` on `market` to register its key, handed to a person (the
   * `invite` command) who passes it to that Trader outside the bus.
   */
  invite(trader: string, market: string, now: number): { token: string; expiresAt: number } {
    const token = randomBytes(18).toString("base64url");
    const expiresAt = now + TOKEN_TTL_MS;
    for (const [t, entry] of this.#tokens) if (entry.expiresAt <= now) this.#tokens.delete(t);
    this.#tokens.set(token, { trader, market, expiresAt });
    return { token, expiresAt };
  }

  /** A Trader's registration over the bus: a valid, unused token and proof it holds the key. */
  register(r: Registration, now: number): KnownTrader {
    const token = typeof r?.token === "string" ? r.token : "";
    const entry = this.#matchToken(token);
    if (entry === undefined || entry.expiresAt <= now)
      deny("bad token: no such unused registration token, or it expired (ask for a new 'invite')");
    if (r.trader !== entry.trader || r.market !== entry.market)
      deny(`bad token: it was given for ${preview(entry.trader)} on ${entry.market}`);
    if (!isPublicKey(r.publicKey)) deny("bad key: 'publicKey' must be base64 of a raw Ed25519 key");
    const bytes = registerBytes(this.desk, this.asset, entry.trader, r.publicKey, token);
    if (!verifySignature(r.publicKey, bytes, r.signature))
      deny("bad signature: the registration was not signed by the key it registers");
    this.#tokens.delete(token);
    if (this.#registered.size >= MAX_REGISTERED && !this.#registered.has(entry.trader))
      deny(`too many registered Traders (${MAX_REGISTERED})`);
    const known: KnownTrader = { id: entry.trader, publicKey: r.publicKey, market: entry.market };
    this.#registered.set(entry.trader, known);
    return known;
  }

  #matchToken(token: string) {
    const given = Buffer.from(token);
    for (const [t, entry] of this.#tokens) {
      const candidate = Buffer.from(t);
      if (candidate.length === given.length && timingSafeEqual(candidate, given)) return entry;
    }
    return undefined;
  }
}

function deny(reason: string): never {
  throw new MandateDeniedError(reason);
}

function preview(value: unknown): string {
  return JSON.stringify(String(value).slice(0, 80));
}
