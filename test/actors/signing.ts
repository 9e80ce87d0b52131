/**
 * A Trader played by a test: its own key (the one the test's mandates name) and order sequence, so
 * the requests it sends the Desk are signed as the live Trader signs them (order-signature.ts).
 */
import { ActorKeys } from "../../src/actors/identity/keys.js";
import { type SignedOrderFields, signCancel, signOrder } from "../../src/actors/order-signature.js";

export class TestTrader {
  readonly keys = ActorKeys.generate();
  #seq = 0;

  constructor(
    readonly id: string,
    readonly desk = "sim-main",
  ) {}

  get publicKey(): string {
    return this.keys.publicKey;
  }

  /** A place request with these fields (trader defaults to this one), signed at the next sequence. */
  place(mandate: unknown, fields: Record<string, unknown>): Record<string, unknown> {
    const request = { trader: this.id, ...fields } as Record<string, unknown> & SignedOrderFields;
    const nonce = (mandate as { nonce?: unknown } | null | undefined)?.nonce;
    const proof = signOrder(
      this.keys,
      this.desk,
      request,
      typeof nonce === "string" ? nonce : "",
      ++this.#seq,
    );
    return { op: "place", ...request, mandate, ...proof };
  }

  /** A cancel of order `id`, signed at the next sequence. */
  cancel(id: string): Record<string, unknown> {
    return {
      op: "cancel",
      trader: this.id,
      id,
      ...signCancel(this.keys, this.desk, this.id, id, ++this.#seq),
    };
  }
}
