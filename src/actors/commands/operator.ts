/**
 * Who speaks on `crypy.ctl.<actor>`: the bus carries no sender, so an operator's tool signs each
 * control request with the operator's Ed25519 key, and the actor takes the request as the
 * operator's only when a key it trusts signed exactly this request, for this actor, recently, once.
 *
 * Invariants (each one is tested):
 * - The caller's `who` comes from the verified key, never from the payload: `operator:<name>`,
 *   the name its trust gives the key. A `who` in the payload is kept only as `claims`.
 * - Anything else — no signature, an unknown key, a signature over other bytes (another actor,
 *   line, argument, role or time), a nonce already used, or an `at` further than `windowMs` from
 *   this machine's wall clock — is `bus (unauthenticated)` in the read-only role, with the reason.
 * - A verified request gets the role it asks for, never more than operator.
 * - Replay: a nonce is remembered for as long as its `at` is inside the window, so memory stays
 *   bounded by the window, and a request older than the window is refused without memory (after a
 *   restart too). Only verified requests are remembered: strangers cannot fill the memory.
 */
import { randomBytes } from "node:crypto";
import { type ActorKeys, signedBytes, verifySignature } from "../identity/keys.js";
import type { Caller, Role } from "./types.js";

/** The domain tag of a signed control request: its signature never passes for another message. */
export const CONTROL_REQUEST_TAG = "crypy-control-v1";
/** The caller of a bus request that no trusted operator signed. */
export const UNAUTHENTICATED = "bus (unauthenticated)";
/** How far a request's `at` may be from the receiver's wall clock (both ways: clocks drift). */
export const REPLAY_WINDOW_MS = 60_000;

const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const MAX_CLAIM = 120;

/** What an operator signs, besides who it is for. */
export interface OperatorCommand {
  line?: string;
  command?: string;
  args?: readonly string[];
  role?: Role;
  /** The tool's own name for the audit log ("dashboard", "stdin"); recorded as a claim. */
  who?: string;
}

/** The proof a signed request carries. */
export interface OperatorProof {
  /** The operator's public key (base64 of the raw Ed25519 key). */
  key: string;
  /** The sender's wall clock, ms since the epoch. */
  at: number;
  nonce: string;
  sig: string;
}

/** The fields of a control request the proof covers (as they arrived: untrusted). */
export interface SignableRequest {
  line?: unknown;
  command?: unknown;
  args?: unknown;
  role?: unknown;
  who?: unknown;
  auth?: unknown;
}

/**
 * The bytes an operator signs: the tag, then actor, line, command, args, role, at and nonce, each
 * as it travels (null when absent), so changing any of them breaks the signature.
 */
export function controlRequestBytes(
  actor: string,
  request: SignableRequest,
  at: number,
  nonce: string,
): Buffer {
  const field = (v: unknown) => (v === undefined ? null : v);
  return signedBytes(CONTROL_REQUEST_TAG, [
    actor,
    field(request.line),
    field(request.command),
    field(request.args),
    field(request.role),
    at,
    nonce,
  ]);
}

/**
 * A control request for `actor` signed by the operator `keys`: what crypy's tools send on
 * `crypy.ctl.<actor>`.
 *
 * @example
 * bus.request(control("sim-main"), operatorRequest(keys, "sim-main", { command: "halt" }));
 */
export function operatorRequest(
  keys: ActorKeys,
  actor: string,
  command: OperatorCommand,
  /** `at`: the signer's wall clock, ms (the tool's; actors never read a wall clock). */
  options: { at: number; nonce?: string },
): SignableRequest & { auth: OperatorProof } {
  const at = options.at;
  const nonce = options.nonce ?? randomBytes(18).toString("base64url");
  const request: SignableRequest = {
    ...(command.line === undefined ? {} : { line: command.line }),
    ...(command.command === undefined ? {} : { command: command.command }),
    ...(command.args === undefined ? {} : { args: [...command.args] }),
    role: command.role ?? "operator",
    ...(command.who === undefined ? {} : { who: command.who }),
  };
  const sig = keys.sign(controlRequestBytes(actor, request, at, nonce));
  return { ...request, auth: { key: keys.publicKey, at, nonce, sig } };
}

/** The operator keys a receiver trusts: a name for each, or undefined. */
export interface TrustedOperators {
  nameOf(publicKey: string): string | undefined;
}

/** An in-memory list of trusted operator keys (tests, or keys given in code), by name. */
export function trustedKeys(byName: Readonly<Record<string, string>>): TrustedOperators {
  const names = new Map(Object.entries(byName).map(([name, key]) => [key, name]));
  return { nameOf: (key) => names.get(key) };
}

export interface OperatorGateOptions {
  /**
   * The receiver's wall clock (ms), given by the control plane: never an actor's virtual clock,
   * which may run at 60×, and never read here (actors read no wall clock).
   */
  now: () => number;
  windowMs?: number;
}

/** Decides who a bus control request speaks for. One per process: the nonce memory is shared. */
export class OperatorGate {
  private readonly now: () => number;
  private readonly windowMs: number;
  /** Nonces of verified requests still inside the window, with their `at`. */
  private readonly seen = new Map<string, number>();
  private lastPrune = 0;

  constructor(
    private readonly trusted: TrustedOperators,
    options: OperatorGateOptions,
  ) {
    this.now = options.now;
    this.windowMs = options.windowMs ?? REPLAY_WINDOW_MS;
  }

  /** The caller `request` speaks for, on `actor`'s control subject. Never throws. */
  callerOf(actor: string, request: SignableRequest): Caller {
    const claims = claimOf(request.who);
    const refused = (reason: string): Caller => ({
      who: UNAUTHENTICATED,
      role: "read",
      unverified: reason,
      ...(claims === undefined ? {} : { claims }),
    });
    const auth = request.auth;
    if (auth === undefined || auth === null) return refused("not signed by an operator");
    if (typeof auth !== "object") return refused("a malformed signature");
    const { key, at, nonce, sig } = auth as Record<string, unknown>;
    if (typeof key !== "string" || typeof nonce !== "string" || !NONCE.test(nonce))
      return refused("a malformed signature");
    if (typeof at !== "number" || !Number.isSafeInteger(at))
      return refused("a malformed signature");
    const name = this.trusted.nameOf(key);
    if (name === undefined) return refused("signed by a key this actor does not trust");
    if (!verifySignature(key, controlRequestBytes(actor, request, at, nonce), sig))
      return refused("a signature that does not match the request");
    const now = this.now();
    const off = at - now;
    if (Math.abs(off) > this.windowMs) {
      const seconds = Math.round(Math.abs(off) / 1_000);
      return refused(
        `signed ${seconds} s ${off < 0 ? "ago" : "ahead of this machine's clock"} (the limit is ${this.windowMs / 1_000} s)`,
      );
    }
    this.prune(now);
    if (this.seen.has(nonce)) return refused("a replay of a request already run");
    this.seen.set(nonce, at);
    return {
      who: `operator:${name}`,
      role: request.role === "read" ? "read" : "operator",
      ...(claims === undefined ? {} : { claims }),
    };
  }

  /** Forgets nonces whose `at` left the window: a replay of them is refused as too old. */
  private prune(now: number): void {
    if (now - this.lastPrune < this.windowMs / 4) return;
    this.lastPrune = now;
    for (const [nonce, at] of this.seen) if (at < now - this.windowMs) this.seen.delete(nonce);
  }
}

function claimOf(who: unknown): string | undefined {
  if (typeof who !== "string" || who === "") return undefined;
  return who.length > MAX_CLAIM ? `${who.slice(0, MAX_CLAIM)}…` : who;
}
