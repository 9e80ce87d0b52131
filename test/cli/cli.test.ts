/**
 * The crypy command as a user runs it: the real bin/crypy (compiled by `npm run build`, which
 * `npm test` runs first) in a child process, against a real nats-server.
 */
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsBus } from "../../src/bus/nats/nats-bus.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";
import { waitUntil } from "../support/wait.js";

const BIN = fileURLToPath(new URL("../../bin/crypy", import.meta.url));
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function crypy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  const { CRYPY_NATS_URL: _drop, ...base } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...base, ...env },
      timeout: 15_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let server: NatsServer;
beforeAll(async () => {
  server = await startNatsServer({ jetstream: false });
});
afterAll(async () => {
  await server?.cleanup();
});

describe("cli - help and version", () => {
  it("cli - --version prints the package version", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    const r = await crypy(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("cli - --help lists the commands, --nats and the environment variables", async () => {
    const r = await crypy(["--help"]);
    expect(r.code).toBe(0);
    for (const text of ["doctor", "bus", "--nats <url>", "CRYPY_NATS_URL", "CRYPY_LOG_LEVEL"]) {
      expect(r.stdout).toContain(text);
    }
  });

  it("cli - an unknown command fails and points at --help", async () => {
    const r = await crypy(["frobnicate"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain("crypy --help");
  });

  it("cli - a subcommand's usage error points at that subcommand's --help", async () => {
    const missing = await crypy(["backtest", "--strategy", "sma-cross"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("required option '--market <symbol>' not specified");
    expect(missing.stderr).toContain("(run 'crypy backtest --help' for usage)");
    expect(missing.stderr).not.toContain("templates/desk");
    const nested = await crypy(["nats", "config", "--bogus"]);
    expect(nested.stderr).toContain("(run 'crypy nats config --help' for usage)");
  });
});

describe("cli - doctor", () => {
  it("cli - doctor passes on the embedded bus", async () => {
    const r = await crypy(["doctor"]);
    expect(r.stdout).toMatch(/ok\s+bus\s+embedded bus: publish\/subscribe and request\/reply/);
    expect(r.stdout).toContain("crypy is ready.");
    expect(r.code).toBe(0);
  });

  it("cli - doctor --json over NATS (from CRYPY_NATS_URL) reports each check", async () => {
    const r = await crypy(["doctor", "--json"], { CRYPY_NATS_URL: server.url });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      checks: { name: string; ok: boolean; detail: string }[];
    };
    expect(report.ok).toBe(true);
    const bus = report.checks.find((c) => c.name === "bus");
    expect(bus).toMatchObject({ ok: true });
    expect(bus?.detail).toContain(`NATS at ${server.url}`);
  });

  it("cli - doctor fails with a network error naming an unreachable NATS URL", async () => {
    const probe = await startNatsServer({ jetstream: false });
    await probe.cleanup();
    const r = await crypy(["--nats", probe.url, "doctor"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL  bus`);
    expect(r.stdout).toContain(`network: cannot connect to NATS at ${probe.url}`);
  });
});

describe("cli - bus tools", () => {
  it("cli - bus pub without NATS explains why it cannot work", async () => {
    const r = await crypy(["bus", "pub", "x.y", "1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^crypy: invalid_input: 'crypy bus pub' needs a NATS bus/);
  });

  it("cli - bus sub prints what bus pub sends, as JSON lines, until Ctrl-C", async () => {
    const child = spawn(process.execPath, [BIN, "--nats", server.url, "bus", "sub", "cli.>"]);
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    // The subscriber is ready once a published message reaches it; keep publishing until then.
    const bus = await NatsBus.connect(server.url);
    await waitUntil(() => {
      bus.publish("cli.ready", "ping");
      return out.includes("cli.ready");
    }, "the subscriber to start");
    await bus.close();
    const pub = await crypy([
      "--nats",
      server.url,
      "bus",
      "pub",
      "cli.order",
      '{"price":"23140.48"}',
    ]);
    expect(pub.code).toBe(0);
    await waitUntil(() => out.includes("cli.order"), "the published order");
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    const lines = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toEqual({ subject: "cli.order", data: { price: "23140.48" } });
  });

  it("cli - bus sub --count exits after that many messages", async () => {
    const child = spawn(process.execPath, [
      BIN,
      "--nats",
      server.url,
      "bus",
      "sub",
      "cnt.x",
      "--count",
      "3",
    ]);
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const bus = await NatsBus.connect(server.url);
    let n = 0;
    await waitUntil(() => {
      bus.publish("cnt.x", n++);
      return child.exitCode !== null;
    }, "the subscriber to exit after 3 messages");
    await bus.close();
    expect(await exited).toBe(0);
    expect(out.trim().split("\n")).toHaveLength(3);
  });

  it("cli - a bad number option is refused, naming the option", async () => {
    const r = await crypy(["--nats", server.url, "bus", "req", "x.y", "--timeout", "soon"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("option '--timeout <ms>' argument 'soon' is invalid");
    expect(r.stderr).toContain("must be a positive whole number");
  });

  it("cli - bus req prints the reply, or code: message for an error", async () => {
    const bus = await NatsBus.connect(server.url);
    bus.serve<{ n: number }>("cli.double", ({ n }) => ({ double: n * 2 }));
    await bus.flush();
    const ok = await crypy(["--nats", server.url, "bus", "req", "cli.double", '{"n":21}']);
    expect(ok).toMatchObject({ code: 0, stdout: '{"double":42}\n' });
    const none = await crypy(["--nats", server.url, "bus", "req", "cli.nobody"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe("crypy: no_responders: no responders for cli.nobody\n");
    await bus.close();
  });
});
