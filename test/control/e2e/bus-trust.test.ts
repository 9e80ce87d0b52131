/**
 * Who may say what on the bus, attacked for real: a `crypy sim` process on a real NATS server, and
 * this test as anyone else on that server. An unsigned control request — whatever `who` it claims —
 * changes nothing and is audited as `bus (unauthenticated)`; a request signed by an operator the
 * state directory trusts works and is audited by that operator's name; a captured signed request
 * does not work twice. A heartbeat carrying terminal escapes reaches `crypy actors` inert.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operatorRequest } from "../../../src/actors/commands/operator.js";
import { ActorKeys } from "../../../src/actors/identity/keys.js";
import type { ControlReply } from "../../../src/actors/runtime/actor.js";
import type { Bus } from "../../../src/bus/bus.js";
import { createBus } from "../../../src/bus/select.js";
import { control, heartbeat } from "../../../src/bus/subjects.js";
import { type NatsServer, startNatsServer } from "../../harness/nats-server.js";
import { type CrypyProcess, startCrypy } from "./crypy-process.js";

const DESK = "sim-main";
const HOLDER = "sim-main_USDT";
const EVIL = "\u001b[2J\u001b]0;pwned\u0007";

let nats: NatsServer;
let crypy: CrypyProcess;
let bus: Bus;
/** An operator on another machine, trusted through keys/operators/alice.pub. */
const alice = ActorKeys.generate();

beforeAll(async () => {
  nats = await startNatsServer();
  crypy = await startCrypy({ approval: "manual", env: { CRYPY_NATS_URL: nats.url } });
  await crypy.port(HOLDER);
  const operators = join(crypy.env.CRYPY_STATE_DIR!, "keys", "operators");
  mkdirSync(operators, { recursive: true, mode: 0o700 });
  writeFileSync(join(operators, "alice.pub"), `${alice.publicKey}\n`, { mode: 0o644 });
  bus = await createBus({ natsUrl: nats.url, name: "crypy-test-attacker" });
}, 90_000);
afterAll(async () => {
  await bus?.close();
  expect(await crypy?.stop()).toBe(0);
  await nats?.cleanup();
});

type Reply = ControlReply & { value?: unknown };

/** Sends `request` as is on `actor`'s control subject; a line's reply, or the refusal. */
async function send(actor: string, request: unknown): Promise<Reply> {
  return bus
    .request<Reply>(control(actor), request, { timeoutMs: 10_000 })
    .catch(
      (err: Error & { code?: string }) =>
        ({ ok: false, code: err.code ?? "?", message: err.message, text: "" }) as Reply,
    );
}

/** What an unsigned `get` (read-only, allowed to anyone) says the setting is. */
async function setting(actor: string, name: string): Promise<unknown> {
  const reply = await send(actor, { line: `get ${name}` });
  return (reply.value as Record<string, unknown> | undefined)?.[name];
}

async function audit(): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(crypy.env.CRYPY_STATE_DIR!, "audit.log"), "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("control - who may say what on the bus", () => {
  it("control - unsigned halt, set risk and set approval are forbidden, change nothing, and are audited as unauthenticated", async () => {
    const before = await setting(DESK, "risk.maxOrderNotional");
    expect(before).toBe("2500");
    const halt = await send(DESK, { command: "halt", who: "alice" });
    expect(halt).toMatchObject({ ok: false, code: "forbidden" });
    expect(halt.ok ? "" : halt.message).toContain("not signed by an operator");
    const risk = await send(DESK, {
      line: "set risk.maxOrderNotional 1",
      role: "operator",
      who: "operator:local",
    });
    expect(risk).toMatchObject({ ok: false, code: "forbidden" });
    const approval = await send(HOLDER, { line: "set approval auto", who: "dashboard" });
    expect(approval).toMatchObject({ ok: false, code: "forbidden" });
    // A signature by a key nobody trusts is no better.
    const mallory = ActorKeys.generate();
    const forged = await send(
      DESK,
      operatorRequest(mallory, DESK, { command: "halt" }, { at: Date.now() }),
    );
    expect(forged).toMatchObject({ ok: false, code: "forbidden" });

    expect((await send(DESK, { line: "status" })).value).toMatchObject({ state: "active" });
    expect(await setting(DESK, "risk.maxOrderNotional")).toBe("2500");
    expect(await setting(HOLDER, "approval")).toBe("manual");
    const refused = (await audit()).filter((e) => e.result === "forbidden");
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: DESK,
          who: "bus (unauthenticated)",
          claims: "alice",
          role: "read",
          command: "halt",
        }),
        expect.objectContaining({
          actor: DESK,
          who: "bus (unauthenticated)",
          claims: "operator:local",
          command: "set risk.maxOrderNotional 1",
        }),
        expect.objectContaining({
          actor: HOLDER,
          who: "bus (unauthenticated)",
          claims: "dashboard",
          command: "set approval auto",
        }),
      ]),
    );
    expect(refused.every((e) => e.who === "bus (unauthenticated)")).toBe(true);
  });

  it("control - a request signed by a trusted operator works and the audit log names that operator", async () => {
    const risk = await send(
      DESK,
      operatorRequest(
        alice,
        DESK,
        { line: "set risk.maxOrderNotional 2000", who: "root" },
        { at: Date.now() },
      ),
    );
    expect(risk).toMatchObject({ ok: true, value: { "risk.maxOrderNotional": "2000" } });
    expect(await setting(DESK, "risk.maxOrderNotional")).toBe("2000");
    // This machine's own tools sign as its local operator: crypy attach over NATS.
    const { stdout } = await crypy.cli(["attach", HOLDER], "set approval auto\nquit\n");
    expect(stdout).toMatch(/approval:\s+auto/);
    expect(await setting(HOLDER, "approval")).toBe("auto");
    const entries = await audit();
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: DESK,
        who: "operator:alice",
        claims: "root",
        role: "operator",
        command: "set risk.maxOrderNotional 2000",
        result: "ok",
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: HOLDER,
        who: "operator:local",
        command: "set approval auto",
        result: "ok",
      }),
    );
  }, 60_000);

  it("control - a captured signed request replayed, or one signed too long ago, is refused", async () => {
    const captured = operatorRequest(
      alice,
      DESK,
      { line: "set risk.maxOrderNotional 1500" },
      { at: Date.now() },
    );
    expect(await send(DESK, captured)).toMatchObject({ ok: true });
    expect(
      await send(
        DESK,
        operatorRequest(
          alice,
          DESK,
          { line: "set risk.maxOrderNotional 1800" },
          { at: Date.now() },
        ),
      ),
    ).toMatchObject({ ok: true });
    const replay = await send(DESK, captured);
    expect(replay).toMatchObject({ ok: false, code: "forbidden" });
    expect(replay.ok ? "" : replay.message).toContain("a replay of a request already run");
    const old = operatorRequest(alice, DESK, { command: "halt" }, { at: Date.now() - 120_000 });
    expect(await send(DESK, old)).toMatchObject({ ok: false, code: "forbidden" });
    expect(await setting(DESK, "risk.maxOrderNotional")).toBe("1800");
    expect((await send(DESK, { line: "status" })).value).toMatchObject({ state: "active" });
    expect((await audit()).filter((e) => e.result === "forbidden").at(-1)).toMatchObject({
      who: "bus (unauthenticated)",
      command: "halt",
    });
    // The operator's halt itself works.
    const halt = await send(
      DESK,
      operatorRequest(alice, DESK, { command: "halt" }, { at: Date.now() }),
    );
    expect(halt).toMatchObject({ cancelled: expect.any(Number) });
  });

  it("control - a heartbeat full of terminal escapes reaches crypy actors inert", async () => {
    const fake = {
      id: EVIL,
      kind: `desk${EVIL}`,
      state: EVIL,
      host: "h\u009b2J",
      control: "127.0.0.1:1\u007f",
      pid: 1,
      ts: 0,
    };
    const beat = () => bus.publish(heartbeat("evil"), fake);
    beat();
    const timer = setInterval(beat, 500);
    try {
      const [table, json] = await Promise.all([
        crypy.cli(["actors"]),
        crypy.cli(["actors", "--json"]),
      ]);
      for (const out of [table.stdout, json.stdout]) {
        for (const c of ["\u001b", "\u0007", "\u009b", "\u007f"])
          expect(out.includes(c)).toBe(false);
      }
      expect(table.stdout).toContain("\\u001b[2J\\u001b]0;pwned\\u0007");
      expect(table.stdout).toMatch(/^sim-main\s+desk\s+\w+\s+/m);
      const rows = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
      expect(rows).toContainEqual(
        expect.objectContaining({
          id: "\\u001b[2J\\u001b]0;pwned\\u0007",
          state: "\\u001b[2J\\u001b]0;pwned\\u0007",
          control: "h\\u009b2J 127.0.0.1:1\\u007f",
        }),
      );
    } finally {
      clearInterval(timer);
    }
  }, 60_000);
});
