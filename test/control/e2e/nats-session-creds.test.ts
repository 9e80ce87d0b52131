/**
 * Two terminals on a permissioned NATS server (`crypy nats config`), both as the `node` user, which
 * may not publish on crypy.ctl.*: the first `crypy sim` runs the Desk; the second sees the Desk's
 * heartbeat, starts nothing and shows the first process's events. An operator's `crypy bus req`
 * commands the Desk. Needs `npm run build`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsServer, startNatsServer } from "../../harness/nats-server.js";
import { waitUntil } from "../../support/wait.js";
import { BIN, type CrypyProcess, startCrypy } from "./crypy-process.js";

const run = promisify(execFile);

let tmp: string;
let nats: NatsServer;
let first: CrypyProcess;
let node: string;
let operator: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "crypy-nats-session-creds-"));
  await run(process.execPath, [BIN, "nats", "config", "--out", tmp], {
    env: { ...process.env, CRYPY_STATE_DIR: join(tmp, "state") },
  });
  node = join(tmp, "node.creds.json");
  operator = join(tmp, "operator.creds.json");
  nats = await startNatsServer({ jetstream: false, configFile: join(tmp, "nats-server.conf") });
  first = await startCrypy({ args: ["--nats", nats.url, "--nats-creds", node] });
  await first.port("sim-main");
}, 90_000);
afterAll(async () => {
  expect(await first?.stop()).toBe(0);
  await nats?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

describe("control - a second session over a permissioned NATS server", () => {
  it("control - with the node's credentials it finds the running Desk by its heartbeat and starts nothing", async () => {
    let second: ChildProcess | undefined;
    try {
      second = spawn(
        process.execPath,
        [BIN, "sim", "--nats", nats.url, "--nats-creds", node, "--no-tui"],
        { env: first.env, stdio: ["pipe", "pipe", "pipe"] },
      );
      let out = "";
      second.stdout?.on("data", (c) => {
        out += String(c);
      });
      second.stderr?.on("data", (c) => {
        out += String(c);
      });
      const exited = new Promise<number | null>((resolve) => second?.on("exit", resolve));
      await waitUntil(
        () => /sim-main already runs on the bus \(process \d+ on .+\): watching it/.test(out),
        "the second session to find the Desk",
        20_000,
      );
      expect(out).toContain(`process ${first.child.pid} on `);

      // The node may not command the Desk; an operator may, and both sessions see the event.
      const { stdout } = await first.cli([
        "--nats",
        nats.url,
        "--nats-creds",
        operator,
        "bus",
        "req",
        "crypy.ctl.sim-main",
        '{"command":"halt"}',
      ]);
      expect(JSON.parse(stdout)).toMatchObject({ cancelled: expect.any(Number) });
      await waitUntil(() => /sim-main desk\.halted/.test(out), "the halt event", 10_000);
      await waitUntil(
        () => /sim-main desk\.halted/.test(first.output()),
        "the first session's halt",
        10_000,
      );
      // Nothing was started twice: only the first process registered actors.
      expect(new Set(first.actors().map((a) => a.pid))).toEqual(new Set([first.child.pid]));
      second.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (second?.exitCode === null) second.kill("SIGKILL");
    }
  }, 60_000);
});
