import { describe, expect, it } from "vitest";
import { CommandSet } from "../../../src/actors/commands/interpreter.js";
import {
  OperatorGate,
  operatorRequest,
  REPLAY_WINDOW_MS,
  trustedKeys,
  UNAUTHENTICATED,
} from "../../../src/actors/commands/operator.js";
import type { AuditEntry } from "../../../src/actors/commands/types.js";
import { ActorKeys } from "../../../src/actors/identity/keys.js";

const alice = ActorKeys.generate();
const mallory = ActorKeys.generate();
const T0 = 1_700_000_000_000;

function gate(now = () => T0) {
  return new OperatorGate(trustedKeys({ alice: alice.publicKey }), { now });
}

describe("operator - who a bus control request speaks for", () => {
  it("operator - a request signed by a trusted key is operator:<name>, whatever who it claims", () => {
    const request = operatorRequest(alice, "sim-main", { line: "halt", who: "root" }, { at: T0 });
    expect(gate().callerOf("sim-main", request)).toEqual({
      who: "operator:alice",
      role: "operator",
      claims: "root",
    });
  });

  it("operator - a signed request may ask for the read role, never more", () => {
    const read = operatorRequest(alice, "a", { line: "halt", role: "read" }, { at: T0 });
    expect(gate().callerOf("a", read)).toMatchObject({ who: "operator:alice", role: "read" });
  });

  it("operator - unsigned, claiming a name, it is bus (unauthenticated), read-only, the name a claim", () => {
    const caller = gate().callerOf("sim-main", { command: "halt", role: "operator", who: "alice" });
    expect(caller).toEqual({
      who: UNAUTHENTICATED,
      role: "read",
      claims: "alice",
      unverified: "not signed by an operator",
    });
  });

  it("operator - an unknown key, a changed field or another actor does not verify", () => {
    const g = gate();
    const strange = operatorRequest(mallory, "a", { line: "halt" }, { at: T0 });
    expect(g.callerOf("a", strange)).toMatchObject({
      who: UNAUTHENTICATED,
      role: "read",
      unverified: "signed by a key this actor does not trust",
    });
    // Mallory names Alice's key on his own signature.
    const forged = { ...strange, auth: { ...strange.auth, key: alice.publicKey } };
    expect(g.callerOf("a", forged).unverified).toBe("a signature that does not match the request");
    const signed = () =>
      operatorRequest(alice, "a", { command: "set", args: ["risk.x", "9"] }, { at: T0 });
    const changes: Array<(r: ReturnType<typeof signed>) => unknown> = [
      (r) => ({ ...r, args: ["risk.x", "1"] }),
      (r) => ({ ...r, command: "halt" }),
      (r) => ({ ...r, line: "halt" }),
      (r) => ({ ...r, role: "root" }),
      (r) => ({ ...r, auth: { ...r.auth, at: T0 + 1 } }),
      (r) => ({ ...r, auth: { ...r.auth, nonce: `${r.auth.nonce.slice(1)}x` } }),
    ];
    for (const change of changes) {
      const caller = g.callerOf("a", change(signed()) as Record<string, unknown>);
      expect(caller).toMatchObject({ who: UNAUTHENTICATED, role: "read" });
    }
    expect(g.callerOf("b", signed())).toMatchObject({ who: UNAUTHENTICATED, role: "read" });
    expect(g.callerOf("a", signed())).toMatchObject({ who: "operator:alice", role: "operator" });
  });

  it("operator - a malformed proof is refused without throwing", () => {
    const g = gate();
    const good = operatorRequest(alice, "a", { line: "halt" }, { at: T0 });
    for (const auth of [
      "x",
      7,
      [],
      {},
      { ...good.auth, at: "now" },
      { ...good.auth, at: 1.5 },
      { ...good.auth, nonce: "short" },
      { ...good.auth, nonce: "bad nonce with spaces!!" },
      { ...good.auth, sig: 5 },
      { ...good.auth, key: {} },
    ]) {
      expect(g.callerOf("a", { ...good, auth })).toMatchObject({
        who: UNAUTHENTICATED,
        role: "read",
      });
    }
  });

  it("operator - a replay is refused: the same nonce again, or a request older than the window", () => {
    let now = T0;
    const g = gate(() => now);
    const captured = operatorRequest(alice, "a", { line: "halt" }, { at: T0 });
    expect(g.callerOf("a", captured).who).toBe("operator:alice");
    expect(g.callerOf("a", captured)).toMatchObject({
      who: UNAUTHENTICATED,
      unverified: "a replay of a request already run",
    });
    now = T0 + REPLAY_WINDOW_MS + 1_000;
    expect(g.callerOf("a", captured)).toMatchObject({
      who: UNAUTHENTICATED,
      unverified: "signed 61 s ago (the limit is 60 s)",
    });
    // A restarted receiver has no memory, and still refuses it as too old.
    expect(gate(() => now).callerOf("a", captured)).toMatchObject({ who: UNAUTHENTICATED });
    const ahead = operatorRequest(alice, "a", { line: "halt" }, { at: now + 120_000 });
    expect(g.callerOf("a", ahead).unverified).toBe(
      "signed 120 s ahead of this machine's clock (the limit is 60 s)",
    );
    // A sender's clock a little off is fine.
    const skewed = operatorRequest(alice, "a", { line: "halt" }, { at: now - 30_000 });
    expect(g.callerOf("a", skewed).who).toBe("operator:alice");
  });

  it("operator - nonces are forgotten once their request is too old to pass anyway", () => {
    let now = T0;
    const g = gate(() => now);
    for (let i = 0; i < 50; i++)
      g.callerOf("a", operatorRequest(alice, "a", { line: "status" }, { at: now }));
    const seen = (g as unknown as { seen: Map<string, number> }).seen;
    expect(seen.size).toBe(50);
    now += 2 * REPLAY_WINDOW_MS;
    g.callerOf("a", operatorRequest(alice, "a", { line: "status" }, { at: now }));
    expect(seen.size).toBe(1);
  });

  it("operator - a refused mutating command says why and is audited as bus (unauthenticated)", async () => {
    const audit: AuditEntry[] = [];
    let halted = false;
    const set = new CommandSet(
      "sim-main",
      [
        {
          name: "halt",
          usage: "halt",
          summary: "h",
          mutating: true,
          run: () => {
            halted = true;
          },
        },
      ],
      (e) => audit.push(e),
    );
    const caller = gate().callerOf("sim-main", { line: "halt", who: "alice" });
    expect(await set.line("halt", caller)).toEqual({
      ok: false,
      code: "forbidden",
      message:
        "'halt' changes sim-main: it needs the operator role (this request is read-only: not signed by an operator)",
    });
    expect(halted).toBe(false);
    const signed = operatorRequest(alice, "sim-main", { line: "halt" }, { at: T0 });
    expect(await set.line("halt", gate().callerOf("sim-main", signed))).toMatchObject({ ok: true });
    expect(audit).toEqual([
      expect.objectContaining({
        who: UNAUTHENTICATED,
        claims: "alice",
        role: "read",
        result: "forbidden",
      }),
      { actor: "sim-main", who: "operator:alice", role: "operator", command: "halt", result: "ok" },
    ]);
  });
});
