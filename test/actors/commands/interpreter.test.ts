import { describe, expect, it } from "vitest";
import { z } from "zod";
import { closest } from "../../../src/actors/commands/closest.js";
import { CommandSet } from "../../../src/actors/commands/interpreter.js";
import { words } from "../../../src/actors/commands/parse.js";
import { render } from "../../../src/actors/commands/render.js";
import { settingCommands } from "../../../src/actors/commands/settings.js";
import type { AuditEntry, CommandSpec } from "../../../src/actors/commands/types.js";
import { RiskDeniedError } from "../../../src/domain/errors.js";

const operator = { who: "test", role: "operator" } as const;
const reader = { who: "test", role: "read" } as const;

function deskLike(audit: AuditEntry[] = []) {
  const state = { halted: false, limit: "2500" };
  const specs: CommandSpec[] = [
    { name: "status", usage: "status", summary: "s", run: () => ({ halted: state.halted }) },
    {
      name: "halt",
      usage: "halt",
      summary: "h",
      mutating: true,
      run: () => {
        state.halted = true;
        return { cancelled: 0 };
      },
    },
    {
      name: "holders",
      usage: "holders",
      summary: "x",
      run: () => {
        throw new RiskDeniedError("not today");
      },
    },
    ...settingCommands("sim-main", () => ({
      "risk.maxOrderNotional": {
        schema: z.string().regex(/^[0-9]+(\.[0-9]+)?$/, 'expected a decimal string like "2500"'),
        get: () => state.limit,
        set: (v) => {
          state.limit = v as string;
        },
      },
    })),
  ];
  return { set: new CommandSet("sim-main", specs, (e) => audit.push(e)), state };
}

describe("commands - the command language", () => {
  it("commands - words split on spaces and keep quoted text together", () => {
    expect(words(`  set  note "two words" 'it''s' a\\ b `)).toEqual([
      "set",
      "note",
      "two words",
      "its",
      "a b",
    ]);
    expect(() => words(`say "unclosed`)).toThrow(/unclosed " quote/);
  });

  it("commands - a typo gets the closest command, a stranger gets none", async () => {
    expect(closest("hlat", ["halt", "holders", "help"])).toBe("halt");
    expect(closest("stat", ["status", "set"])).toBe("status");
    expect(closest("explode", ["halt", "status"])).toBeUndefined();
    const { set } = deskLike();
    const outcome = await set.line("hlat", operator);
    expect(outcome).toEqual({
      ok: false,
      code: "unknown_command",
      message: "sim-main has no command 'hlat' — did you mean 'halt'? ('help' lists the commands)",
    });
  });

  it("commands - a mutating command needs the operator role, and both tries are audited", async () => {
    const audit: AuditEntry[] = [];
    const { set, state } = deskLike(audit);
    const refused = await set.line("halt", reader);
    expect(refused).toMatchObject({ ok: false, code: "forbidden" });
    expect(state.halted).toBe(false);
    expect(await set.line("halt", operator)).toEqual({ ok: true, value: { cancelled: 0 } });
    expect(state.halted).toBe(true);
    expect(audit.map((e) => [e.actor, e.who, e.role, e.command, e.result])).toEqual([
      ["sim-main", "test", "read", "halt", "forbidden"],
      ["sim-main", "test", "operator", "halt", "ok"],
    ]);
    // Reading is not audited.
    await set.line("status", reader);
    expect(audit).toHaveLength(2);
  });

  it("commands - a failing command answers code and message and the set carries on", async () => {
    const { set } = deskLike();
    expect(await set.line("holders", operator)).toEqual({
      ok: false,
      code: "risk_denied",
      message: "not today",
    });
    expect(await set.line("status", operator)).toEqual({ ok: true, value: { halted: false } });
  });

  it("commands - set checks the value like the template does and keeps the old one on error", async () => {
    const audit: AuditEntry[] = [];
    const { set, state } = deskLike(audit);
    const bad = await set.line("set risk.maxOrderNotional lots", operator);
    expect(bad).toMatchObject({ ok: false, code: "invalid_input" });
    expect(bad.ok ? "" : bad.message).toMatch(/risk.maxOrderNotional: expected a decimal string/);
    expect(state.limit).toBe("2500");
    expect(await set.line("set risk.maxOrderNotional 1000", operator)).toEqual({
      ok: true,
      value: { "risk.maxOrderNotional": "1000", was: "2500" },
    });
    const typo = await set.line("get risk.maxOrderNotionl", reader);
    expect(typo.ok ? "" : typo.message).toMatch(/did you mean 'risk.maxOrderNotional'/);
    expect(audit.map((e) => e.result)).toEqual(["invalid_input", "ok"]);
  });

  it("commands - completion offers command names, then a command's arguments", () => {
    const { set } = deskLike();
    expect(set.complete("h")).toEqual(["halt", "holders"]);
    expect(set.complete("set ")).toEqual(["risk.maxOrderNotional"]);
    expect(set.complete("set risk.max")).toEqual(["risk.maxOrderNotional"]);
    expect(set.complete("status x")).toEqual([]);
  });

  it("commands - help lists every command and marks the operator's", () => {
    const { set } = deskLike();
    const help = set.help();
    expect(help.split("\n")).toHaveLength(set.names.length);
    expect(help).toMatch(/^halt\s+h \(operator\)$/m);
    expect(set.help("get")).toMatch(/^get \[key\]/);
    expect(() => set.help("hlat")).toThrow(/did you mean 'halt'/);
  });

  it("commands - values render as tables, records and lines for people", () => {
    expect(render(undefined)).toBe("ok");
    expect(render([])).toBe("(none)");
    expect(render({ free: 1000, asset: "USDT" })).toBe("free:  1000\nasset: USDT");
    expect(
      render([
        { id: "p1", status: "pending" },
        { id: "p2", status: "refused", note: "x" },
      ]),
    ).toBe("id  status   note\np1  pending  -\np2  refused  x");
  });

  it("commands - a reply is never cut: every item of a list and every cell of a table whole", () => {
    expect(render(["BTC/USDT", "ETH/USDT", "SOL/USDT"])).toBe("BTC/USDT\nETH/USDT\nSOL/USDT");
    expect(render(["sim-main_USDT", "sim-main_BTC"])).toBe("sim-main_USDT\nsim-main_BTC");
    const long = { strategy: "sma-cross", params: { fast: 12, slow: 48, signal: 9, band: 2.5 } };
    const text = render([{ id: "p1", note: "x".repeat(90), ...long }]);
    expect(text).not.toContain("…");
    expect(text).toContain("x".repeat(90));
    expect(text).toContain(JSON.stringify(long.params));
  });
});
