/**
 * `crypy bus req` on a control subject: the request goes out signed by this machine's operator,
 * as the REPLs send theirs; anything else goes as given.
 */
import { describe, expect, it } from "vitest";
import { OperatorGate, trustedKeys } from "../../src/actors/commands/operator.js";
import { ActorKeys } from "../../src/actors/identity/keys.js";
import { formatReply, requestPayload } from "../../src/cli/bus-tools.js";

const keys = ActorKeys.generate();
const gate = new OperatorGate(trustedKeys({ me: keys.publicKey }), { now: Date.now });

describe("bus tools - crypy bus req", () => {
  it("bus tools - a control request is signed for the actor its subject names", () => {
    const halt = requestPayload("crypy.ctl.sim-main", { command: "halt" }, () => keys);
    expect(gate.callerOf("sim-main", halt as Record<string, unknown>)).toEqual({
      who: "operator:me",
      role: "operator",
    });
    expect(gate.callerOf("sim-other", halt as Record<string, unknown>).role).toBe("read");
    const line = requestPayload(
      "crypy.ctl.sim-main_USDT",
      { line: "set approval auto", role: "read", who: "me" },
      () => keys,
    );
    expect(gate.callerOf("sim-main_USDT", line as Record<string, unknown>)).toEqual({
      who: "operator:me",
      role: "read",
      claims: "me",
    });
  });

  it("bus tools - other subjects, other payloads and arguments that are not words go as given", () => {
    const never = () => {
      throw new Error("no signing");
    };
    for (const [subject, payload] of [
      ["crypy.sys.hb.x", { command: "halt" }],
      ["crypy.ctl.sim-main", "halt"],
      ["crypy.ctl.sim-main", { complete: "ha" }],
      ["crypy.ctl.sim-main", { command: "cancel", args: [5] }],
      ["crypy.ctl.sim-main", { command: "halt", auth: { key: "mine" } }],
    ] as const) {
      expect(requestPayload(subject, payload, never)).toBe(payload);
    }
  });

  it("bus tools - a reply prints as one inert JSON line", () => {
    const reply = { ok: true, text: "\u001b[2J\u009b" };
    const line = formatReply(reply);
    expect(line.includes("\u001b") || line.includes("\u009b")).toBe(false);
    expect(JSON.parse(line)).toEqual(reply);
  });
});
