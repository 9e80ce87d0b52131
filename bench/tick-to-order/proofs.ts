/**
 * What the proofs cost per order, timed alone in process, none of it a cache hit:
 * - sign: the Trader's Ed25519 signature of one order (distinct sequence each time);
 * - verify: the Desk's Ed25519 verification of one order's signature, each over bytes it rebuilt
 *   for a different order — the cost every order pays at the Desk;
 * - deskCheck: what the Desk's gateway runs per order for its proofs, MandateBook.authorize +
 *   commit, with the order's signature verified and its sequence checked (the verify above is in
 *   it; the mandate, verified on its first order, is recognised by its exact value after that);
 * - mandateFirst: a mandate the Desk has not seen (a new nonce each time), read and its Holder
 *   signature verified: paid on a mandate's first order, not on every order.
 * µs per operation, median of 5 runs of 1,000 after one warm-up run.
 */
import { MandateBook } from "../../src/actors/desk/mandate-book.js";
import { type ActorKeys, verifySignature } from "../../src/actors/identity/keys.js";
import type { HolderKeys, Mandate } from "../../src/actors/mandate.js";
import { orderBytes, signOrder } from "../../src/actors/order-signature.js";
import { median, nowNs } from "../report.js";

export interface ProofCosts {
  sign: number;
  verify: number;
  deskCheck: number;
  mandateFirst: number;
}

export interface ProofSetup {
  desk: string;
  holder: string;
  /** The Holder whose mandates the books built here trust, and who signs fresh ones. */
  holderKeys: HolderKeys;
  mandate: Mandate;
  traderKeys: ActorKeys;
  amount: string;
}

const RUNS = 6;
const PER_RUN = 1_000;

/** µs per call of `step(i)` for i in [0, PER_RUN), median of the runs after the first. */
function timed(runs: number, step: (run: number, i: number) => void): number {
  const perOp: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = nowNs();
    for (let i = 0; i < PER_RUN; i++) step(r, i);
    if (r > 0) perOp.push(Number(nowNs() - start) / 1_000 / PER_RUN);
  }
  return median(perOp);
}

export function proofCosts(s: ProofSetup): ProofCosts {
  const { desk, mandate, traderKeys } = s;
  const fields = { trader: mandate.trader, market: mandate.market, side: "buy", type: "market" };
  const order = { ...fields, amount: s.amount };
  const proofs = Array.from({ length: RUNS * PER_RUN }, (_, i) =>
    signOrder(traderKeys, desk, order, mandate.nonce, i + 1),
  );
  const at = (r: number, i: number) => proofs[r * PER_RUN + i]!;

  const sign = timed(RUNS, (r, i) =>
    signOrder(traderKeys, desk, order, mandate.nonce, r * PER_RUN + i + 1),
  );

  let refused = 0;
  const verify = timed(RUNS, (r, i) => {
    const proof = at(r, i);
    const bytes = orderBytes(desk, order, mandate.nonce, proof.seq);
    if (!verifySignature(traderKeys.publicKey, bytes, proof.signature)) refused++;
  });
  if (refused > 0)
    throw new Error(`proof costs: ${refused} genuine order signatures did not verify`);

  const book = new MandateBook(() => 8);
  book.trust(s.holder, s.holderKeys.publicKey);
  // As the Desk gets it: a decoded copy, not the object that was signed.
  const wire: unknown = JSON.parse(JSON.stringify(mandate));
  const asked = {
    trader: mandate.trader,
    desk,
    market: mandate.market,
    side: "buy" as const,
    notional: 1n,
  };
  const deskCheck = timed(RUNS, (r, i) => {
    const proof = at(r, i);
    const bytes = (nonce: string, seq: number) => orderBytes(desk, order, nonce, seq);
    book.commit(book.authorize(asked, wire, 0, { ...proof, bytes }));
  });

  const { holder: _h, signature: _s, ...terms } = mandate;
  const mandates = Array.from({ length: RUNS * PER_RUN }, (_, i) =>
    JSON.parse(JSON.stringify(s.holderKeys.sign({ ...terms, nonce: `fresh-${i}` }, s.holder))),
  );
  const firsts = new MandateBook(() => 8);
  firsts.trust(s.holder, s.holderKeys.publicKey);
  const mandateFirst = timed(RUNS, (r, i) => {
    firsts.authorize(asked, mandates[r * PER_RUN + i], 0);
  });
  return { sign, verify, deskCheck, mandateFirst };
}
