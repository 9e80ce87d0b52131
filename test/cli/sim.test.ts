/**
 * `crypy sim` as a user runs it: the real bin/crypy, on a copy of the templates (learning writes to
 * them), on the embedded bus.
 */
import { execFile, spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";
import { waitUntil } from "../support/wait.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  // A plain copy: the shipped desk template names its venue (sim), so it starts from anywhere.
  dir = await mkdtemp(join(tmpdir(), "crypy-sim-"));
  await cp(join(ROOT, "templates"), dir, { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each test's own state directory: `crypy sim` resumes from the journal it finds there.
const env = () => ({
  ...process.env,
  CRYPY_LOG_LEVEL: "error",
  CRYPY_STATE_DIR: join(dir, "state"),
});

describe("cli - crypy sim", () => {
  it("cli - --speed max --exit-after prints JSON event lines and stops cleanly, on a per-user copy of the templates", async () => {
    const userTemplates = join(dir, "user-templates");
    const { stdout, stderr } = await run(
      process.execPath,
      [BIN, "sim", "--speed", "max", "--exit-after", "3h", "--json"],
      {
        env: { ...env(), CRYPY_TEMPLATES: userTemplates },
        timeout: 120_000,
        maxBuffer: 64 << 20,
      },
    );
    expect(stderr).toContain(`templates copied to ${userTemplates}`);
    expect(await readFile(join(userTemplates, "holder/default.yaml"), "utf8")).toContain(
      "criteria",
    );
    const events = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    for (const e of events) expect(Object.keys(e).slice(0, 3)).toEqual(["ts", "actor", "event"]);
    const started = events.filter((e) => e.event === "actor.started").map((e) => e.actor);
    expect(started).toEqual(expect.arrayContaining(["sim-main", "sim-main_USDT"]));
    expect(started.some((a: string) => a.startsWith("sim-main_") && a.includes("-USDT"))).toBe(
      true,
    );
    expect(events.at(-1)).toMatchObject({ actor: "sim-main", event: "actor.stopped" });
    const last = events.at(-1).ts;
    expect(last - events[0].ts).toBeLessThanOrEqual(3 * 3_600_000 + 60_000);
  });

  it("cli - a copy of the templates anywhere starts with --templates DIR", async () => {
    expect(await readFile(join(dir, "desk/sim.yaml"), "utf8")).toMatch(/^venue: sim$/m);
    const { stdout } = await run(
      process.execPath,
      [BIN, "sim", "--templates", dir, "--speed", "max", "--exit-after", "10m", "--json"],
      { env: env(), timeout: 120_000, maxBuffer: 64 << 20 },
    );
    const events = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const started = events.filter((e) => e.event === "actor.started").map((e) => e.actor);
    expect(started).toEqual(expect.arrayContaining(["sim-main", "sim-main_USDT"]));
    expect(events).toContainEqual(
      expect.objectContaining({ actor: "sim-main", event: "actor.stopped" }),
    );
  });

  it("cli - SIGINT on a live clock stops the actors gracefully and exits 0", async () => {
    const child = spawn(process.execPath, [BIN, "sim", "--templates", dir, "--speed", "600"], {
      env: env(),
    });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await waitUntil(() => /sim-main_USDT actor\.started/.test(out), "the holder to start", 30_000);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(out).toMatch(/sim-main actor\.stopped/);
  });

  it("cli - an invalid template starts nothing and says which file, line and field", async () => {
    const holder = join(dir, "holder/default.yaml");
    await writeFile(holder, `${await readFile(holder, "utf8")}\nsurprise: true\n`);
    const result = await run(
      process.execPath,
      [BIN, "sim", "--templates", dir, "--speed", "max", "--exit-after", "1h"],
      { env: env() },
    ).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(result).toMatchObject({ code: 1 });
    const { stdout, stderr } = result as { stdout: string; stderr: string };
    expect(stdout).toBe("");
    expect(stderr).toMatch(/default\.yaml:\d+:\d+: surprise/);
  });
});

describe("cli - crypy <exchange>", () => {
  it("cli - a user's binance.yaml on the simulated venue runs binance-main, and stdin reaches it", async () => {
    const sim = await readFile(join(dir, "desk/sim.yaml"), "utf8");
    await writeFile(join(dir, "desk/binance.yaml"), sim.replace(/^name: sim$/m, "name: binance"));
    const child = spawn(
      process.execPath,
      [BIN, "binance", "--templates", dir, "--no-tui", "--speed", "60"],
      { env: { ...env(), CRYPY_STATE_DIR: join(dir, "state") } },
    );
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      out += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.stdin.write("markets\nholders\n");
    await waitUntil(() => /binance-main> holders\n/.test(out), "the Desk's answers", 60_000);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(out).toContain("binance-main> markets\nBTC/USDT\nETH/USDT\n");
    expect(out).toContain("binance-main> holders\nbinance-main_USDT\n");
    expect(out).not.toMatch(/unreachable|sim-main/);
  });
});

describe("cli - crypy sim on NATS", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it("cli - --nats runs the same actors over a NATS server", async () => {
    const { stdout } = await run(
      process.execPath,
      [
        BIN,
        "--nats",
        server.url,
        "sim",
        "--templates",
        dir,
        "--speed",
        "max",
        "--exit-after",
        "1h",
        "--json",
      ],
      { env: env(), timeout: 120_000, maxBuffer: 64 << 20 },
    );
    const events = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const started = events.filter((e) => e.event === "actor.started").map((e) => e.actor);
    expect(started).toEqual(expect.arrayContaining(["sim-main", "sim-main_USDT"]));
    expect(events.at(-1), JSON.stringify(events.slice(-4))).toMatchObject({
      event: "actor.stopped",
    });
  });
});
