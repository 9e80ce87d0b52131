/**
 * Proofs that a message came from a key, once: a signature over the message's bytes at a sequence
 * number above every one seen before from that key. The Desk checks Traders' orders and cancels
 * with it, a Holder its Traders' proposals and reports.
 *
 * Invariants: a sequence is remembered only once its signature verified (a stranger cannot move
 * it); per key, remembered sequences only grow; refusals are MandateDeniedError whose message
 * starts with the reason: "unsigned", "bad signature", "replayed".
 */
import { MandateDeniedError } from "../../domain/errors.js";
import { verifySignature } from "./keys.js";

const KEYS_LIMIT = 10_000;

/** What travels with a signed message: its sequence and signature, unchecked. */
export interface Proof {
  seq: unknown;
  signature: unknown;
}

export class SequencedSignatures {
  readonly #last = new Map<string, number>();

  /** `noun` names what is signed in refusals ("request", "message"); `replayed` starts a replay's. */
  constructor(
    private readonly noun: string,
    private readonly replayed: string,
  ) {}

  /**
   * Checks that `key` signed `bytes(seq)` at a fresh `seq`, and remembers it. `who` names the
   * sender in a refusal.
   */
  check(key: string, proof: Proof, bytes: (seq: number) => Buffer, who: string): void {
    const { seq, signature } = proof;
    if (
      typeof seq !== "number" ||
      !Number.isSafeInteger(seq) ||
      seq < 1 ||
      typeof signature !== "string"
    )
      deny(
        `unsigned: a ${this.noun} of ${who} needs its sequence 'seq' (a whole number from 1) and its 'signature'`,
      );
    if (!verifySignature(key, bytes(seq), signature))
      deny(`bad signature: the ${this.noun} was not signed as it is by the key of ${who}`);
    const last = this.#last.get(key) ?? 0;
    if (seq <= last)
      deny(`${this.replayed}: sequence ${seq} of ${who} is not above ${last}, the last one seen`);
    if (this.#last.size >= KEYS_LIMIT && !this.#last.has(key)) this.#last.clear();
    this.#last.set(key, seq);
  }

  /** A sequence `key` was seen at before (a journal replayed): nothing at or below it passes. */
  observe(key: string, seq: number): void {
    if ((this.#last.get(key) ?? 0) < seq) this.#last.set(key, seq);
  }

  /** Every key's last sequence. */
  entries(): [string, number][] {
    return [...this.#last];
  }

  /** The last sequence seen from `key`, 0 if none. */
  lastOf(key: string): number {
    return this.#last.get(key) ?? 0;
  }
}

function deny(reason: string): never {
  throw new MandateDeniedError(reason);
}
