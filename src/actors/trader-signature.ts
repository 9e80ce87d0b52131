/**
 * A Trader's signatures on what it tells its Holder: its proposals and its outcome reports. The
 * Holder takes them only from a Trader it spawned or registered, verified against that Trader's
 * key at a sequence above the last it saw from it (the Trader's one sequence, shared with its
 * orders), so a made-up proposal, a forged report or a replay is refused.
 *
 * Params and metrics are mappings: they are signed in a canonical form (keys sorted at every
 * depth), so a re-encoding that reorders keys does not break a signature and a change does.
 */
import { type ActorKeys, signedBytes } from "./identity/keys.js";
import type { OrderProof } from "./order-signature.js";

const PROPOSAL_TAG = "crypy-proposal-v1";
const OUTCOME_TAG = "crypy-outcome-v1";
const REGISTER_TAG = "crypy-register-v1";

/** The proposal fields a signature covers. */
export interface SignedProposal {
  trader: string;
  market: string;
  strategy: string;
  params: unknown;
  metrics: unknown;
  /** What its strategy needs (shorting, leverage): signed when there is any. */
  needs?: unknown;
}

/** The outcome fields a signature covers. */
export interface SignedOutcome {
  trader: string;
  market: string;
  strategy: string;
  params: unknown;
  trades: unknown;
  pnl: unknown;
  returnPct: unknown;
  mandate?: unknown;
}

export function proposalBytes(desk: string, asset: string, p: SignedProposal, seq: number): Buffer {
  return signedBytes(PROPOSAL_TAG, [
    desk,
    asset,
    p.trader,
    p.market,
    p.strategy,
    canonical(p.params),
    canonical(p.metrics),
    // Only when present: a proposal that needs nothing signs the same bytes as before.
    ...(p.needs === undefined ? [] : [canonical(p.needs)]),
    seq,
  ]);
}

export function outcomeBytes(desk: string, asset: string, o: SignedOutcome, seq: number): Buffer {
  return signedBytes(OUTCOME_TAG, [
    desk,
    asset,
    o.trader,
    o.market,
    o.strategy,
    canonical(o.params),
    canonical(o.trades),
    canonical(o.pnl),
    canonical(o.returnPct),
    canonical(o.mandate ?? null),
    seq,
  ]);
}

/** What a Trader in another process signs to register its key with a Holder's one-time token. */
export function registerBytes(
  desk: string,
  asset: string,
  trader: string,
  publicKey: string,
  token: string,
): Buffer {
  return signedBytes(REGISTER_TAG, [desk, asset, trader, publicKey, token]);
}

export function signProposal(
  keys: ActorKeys,
  desk: string,
  asset: string,
  p: SignedProposal,
  seq: number,
): OrderProof {
  return { seq, signature: keys.sign(proposalBytes(desk, asset, p, seq)) };
}

export function signOutcome(
  keys: ActorKeys,
  desk: string,
  asset: string,
  o: SignedOutcome,
  seq: number,
): OrderProof {
  return { seq, signature: keys.sign(outcomeBytes(desk, asset, o, seq)) };
}

/** A JSON value with object keys sorted at every depth (undefined and functions dropped as JSON does). */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined && typeof v !== "function") out[key] = canonical(v);
    }
    return out;
  }
  return value;
}
