/**
 * Two terminals over NATS: the first `crypy sim` runs the Desk; the second finds it answering on
 * the bus, starts nothing, and commands it from its own stdin. `crypy actors` lists them from their
 * heartbeats, each with its control address.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsServer, startNatsServer } from "../../harness/nats-server.js";
import { waitUntil } from "../../support/wait.js";
import { BIN, type CrypyProcess, startCrypy } from "./crypy-process.js";

let nats: NatsServer;
let first: CrypyProcess;

beforeAll(async () => {
  nats = await startNatsServer();
  first = await startCrypy({ env: { CRYPY_NATS_URL: nats.url } });
  await first.port("sim-main");
}, 90_000);
afterAll(async () => {
  expect(await first.stop()).toBe(0);
  await nats.stop();
});

describe("control - a second session over NATS", () => {
  it("control - connects to the running Desk instead of starting one, and its stdin commands it", async () => {
    const second = spawn(process.execPath, [BIN, "sim", "--no-tui"], {
      env: first.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    second.stdout.on("data", (c) => {
      out += String(c);
    });
    second.stderr.on("data", (c) => {
      out += String(c);
    });
    const exited = new Promise<number | null>((resolve) => second.on("exit", resolve));
    await new Promise((r) => setTimeout(r, 3_000));
    second.stdin.write("halt\n@sim-main_USDT capital\n");
    await waitUntil(() => /sim-main_USDT> capital\nasset:\s+USDT/.test(out), "the replies", 20_000);
    expect(out).toMatch(/sim-main> halt\ncancelled:\s+\d+/);
    // Events of the first process's actors reach the second session's screen.
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
  });

  it("control - crypy actors over NATS lists every actor with its control address", async () => {
    const { stdout } = await first.cli(["actors", "--json"]);
    const rows = JSON.parse(stdout) as Array<{ id: string; kind: string; control: string }>;
    expect(rows.find((r) => r.id === "sim-main")).toMatchObject({ kind: "desk" });
    expect(rows.find((r) => r.id === "sim-main")?.control).toMatch(/127\.0\.0\.1:\d+$/);
    expect(rows.some((r) => r.kind === "holder")).toBe(true);
  });
});
