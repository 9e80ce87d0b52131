/**
 * `crypy bus req` as a person runs it, against a `crypy sim --nats` on a real NATS server: a control
 * request goes signed by the local operator key of the shared state directory, so the Desk obeys
 * it and audits it as `operator:local`; whatever the replier sends back (a reply or an error's
 * message) reaches the terminal inert. Needs `npm run build`.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "../../src/bus/bus.js";
import { createBus } from "../../src/bus/select.js";
import { InvalidInputError } from "../../src/domain/errors.js";
import { type CrypyProcess, startCrypy } from "../control/e2e/crypy-process.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";

const DESK = "sim-main";
const EVIL = "\u001b[2J\u001b]0;pwned\u0007\u009b2J\u202e";

let nats: NatsServer;
let crypy: CrypyProcess;
let bus: Bus;

beforeAll(async () => {
  nats = await startNatsServer({ jetstream: false });
  crypy = await startCrypy({ env: { CRYPY_NATS_URL: nats.url } });
  await crypy.port(DESK);
  bus = await createBus({ natsUrl: nats.url, name: "crypy-test-replier" });
}, 90_000);
afterAll(async () => {
  await bus?.close();
  expect(await crypy?.stop()).toBe(0);
  await nats?.cleanup();
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `crypy bus req <args>` with the sim's environment (its NATS URL and state directory). */
async function req(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await crypy.cli(["bus", "req", ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

function expectInert(text: string): void {
  for (const c of ["\u001b", "\u0007", "\u009b", "\u202e"])
    expect(text.includes(c), text).toBe(false);
}

describe("cli - crypy bus req", () => {
  it("cli - a halt on crypy.ctl.<desk> is signed by the local operator key: the Desk halts and the audit log names operator:local", async () => {
    const halt = await req(`crypy.ctl.${DESK}`, '{"command":"halt"}');
    expect(halt.code, halt.stderr).toBe(0);
    expect(JSON.parse(halt.stdout)).toMatchObject({ cancelled: expect.any(Number) });

    const status = await req(`crypy.ctl.${DESK}`, '{"line":"status"}');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ value: { state: "halted" } });

    const audit = (await readFile(join(crypy.env.CRYPY_STATE_DIR!, "audit.log"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(audit).toContainEqual(
      expect.objectContaining({
        actor: DESK,
        who: "operator:local",
        role: "operator",
        command: "halt",
        result: "ok",
      }),
    );
  }, 60_000);

  it("cli - a reply and an error message full of terminal escapes print inert", async () => {
    const served = [
      bus.serve("crypy.test.reply", () => ({ note: EVIL })),
      bus.serve("crypy.test.error", () => {
        throw new InvalidInputError(`bad ${EVIL}`);
      }),
    ];
    await bus.flush();
    try {
      const reply = await req("crypy.test.reply");
      expect(reply.code, reply.stderr).toBe(0);
      expectInert(reply.stdout);
      // Still the same JSON, every control character in it written as its escape.
      expect(reply.stdout).toBe('{"note":"\\u001b[2J\\u001b]0;pwned\\u0007\\u009b2J\\u202e"}\n');
      expect(JSON.parse(reply.stdout)).toEqual({ note: EVIL });

      const error = await req("crypy.test.error");
      expect(error.code).toBe(1);
      expectInert(error.stderr);
      expect(error.stderr).toContain(
        "crypy: invalid_input: bad \\u001b[2J\\u001b]0;pwned\\u0007\\u009b2J\\u202e\n",
      );
    } finally {
      for (const s of served) s.unsubscribe();
    }
  }, 60_000);
});
