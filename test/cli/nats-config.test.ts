/**
 * `crypy nats config` as a user runs it, and crypy processes connecting with the files it writes
 * to a nats-server started from its configuration. Needs `npm run build`.
 */
import { execFile } from "node:child_process";
import { chmod, cp, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLE_DUTIES } from "../../src/bus/nats/server-config.js";
import { ROLES } from "../../src/bus/subjects.js";
import { findOnPath, type NatsServer, startNatsServer } from "../harness/nats-server.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
const run = promisify(execFile);
const env = { ...process.env, CRYPY_LOG_LEVEL: "error" };

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function crypy(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...env, ...extraEnv },
      timeout: 120_000,
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

async function passwords(dir: string): Promise<string[]> {
  return Promise.all(
    ROLES.map(async (role) => {
      const text = await readFile(join(dir, `${role}.creds.json`), "utf8");
      return (JSON.parse(text) as { password: string }).password;
    }),
  );
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "crypy-nats-config-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("cli - crypy nats config", () => {
  it("cli - writes a valid server configuration and one 0600 credentials file per role into a 0700 folder, printing no password", async () => {
    const state = join(tmp, "state");
    const result = await crypy(["nats", "config", "--listen", "127.0.0.1:4333"], {
      CRYPY_STATE_DIR: state,
    });
    expect(result.code).toBe(0);
    const dir = join(state, "nats");
    expect(await mode(dir)).toBe(0o700);
    const conf = join(dir, "nats-server.conf");
    expect(await mode(conf)).toBe(0o600);
    for (const role of ROLES) expect(await mode(join(dir, `${role}.creds.json`)), role).toBe(0o600);
    expect(result.stdout).toContain(conf);
    expect(result.stdout).toContain(join(dir, "trader.creds.json"));
    for (const password of await passwords(dir)) {
      expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(result.stdout + result.stderr).not.toContain(password);
    }
    expect(new Set(await passwords(dir)).size).toBe(ROLES.length);
    expect(await readFile(conf, "utf8")).toContain('listen: "127.0.0.1:4333"');
    const nats = await findOnPath("nats-server");
    const checked = await run(nats, ["-c", conf, "-t"]).catch((e: Outcome) => e);
    expect(`${checked.stdout}${checked.stderr}`).toContain("is valid");
  });

  it("cli - refuses to overwrite without --force; --force writes new passwords", async () => {
    const out = join(tmp, "force");
    expect((await crypy(["nats", "config", "--out", out])).code).toBe(0);
    const before = await passwords(out);
    const again = await crypy(["nats", "config", "--out", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${join(out, "nats-server.conf")} already exists`);
    expect(again.stderr).toContain("--force");
    expect(await passwords(out)).toEqual(before);

    expect((await crypy(["nats", "config", "--out", out, "--force"])).code).toBe(0);
    const after = await passwords(out);
    for (const [i, p] of after.entries()) expect(p).not.toBe(before[i]);
    expect(await mode(join(out, "node.creds.json"))).toBe(0o600);
  });

  it("cli - a bad --listen or a folder open to others is refused", async () => {
    const bad = await crypy(["nats", "config", "--out", join(tmp, "bad"), "--listen", "4222"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--listen "4222": expected host:port');
    const open = join(tmp, "open");
    await run("mkdir", ["-m", "755", open]);
    const loose = await crypy(["nats", "config", "--out", open]);
    expect(loose.code).toBe(1);
    expect(loose.stderr).toContain(`chmod 700 ${open}`);
  });

  it("cli - --help names every role and what it may do, node as desk + holder + trader", async () => {
    const { stdout } = await crypy(["nats", "config", "--help"]);
    for (const role of ROLES) {
      expect(stdout, role).toMatch(
        new RegExp(`^\\s+${role}\\s+${escapeRegExp(ROLE_DUTIES[role])}$`, "m"),
      );
    }
    expect(stdout).toMatch(/union of the desk, holder and trader/);
  });
});

describe("cli - crypy on a permissioned NATS server", () => {
  let server: NatsServer;
  let creds: string;
  let templates: string;
  beforeAll(async () => {
    creds = join(tmp, "deployment");
    expect((await crypy(["nats", "config", "--out", creds])).code).toBe(0);
    server = await startNatsServer({
      jetstream: false,
      configFile: join(creds, "nats-server.conf"),
    });
    templates = join(tmp, "templates");
    await cp(join(ROOT, "templates"), templates, { recursive: true });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it("cli - a node-role crypy sim --nats trades: Desk, Holders and Traders on one permissioned connection", async () => {
    const node = join(creds, "node.creds.json");
    const result = await crypy(
      [
        "--nats",
        server.url,
        "--nats-creds",
        node,
        "sim",
        "--templates",
        templates,
        "--speed",
        "max",
        "--exit-after",
        "3h",
        "--json",
      ],
      { CRYPY_STATE_DIR: join(tmp, "sim-state") },
    );
    expect(result.code, result.stderr).toBe(0);
    const events = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { actor: string; event: string });
    const names = new Set(events.map((e) => e.event));
    for (const e of ["actor.started", "trader.proposed", "holder.accepted", "order.filled"]) {
      expect(names, e).toContain(e);
    }
    expect(events.at(-1)).toMatchObject({ actor: "sim-main", event: "actor.stopped" });
    const [nodePassword] = await passwords(creds).then((all) => [all[ROLES.indexOf("node")]!]);
    expect(result.stdout + result.stderr).not.toContain(nodePassword);
  });

  it("cli - CRYPY_NATS_CREDS works like --nats-creds: the operator's doctor round trip passes", async () => {
    const result = await crypy(["doctor", "--json"], {
      CRYPY_NATS_URL: server.url,
      CRYPY_NATS_CREDS: join(creds, "operator.creds.json"),
    });
    const report = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean }[] };
    expect(report.checks.find((c) => c.name === "bus")).toMatchObject({ ok: true });
  });

  it("cli - a trader's crypy bus req on crypy.ctl.* fails with permission_denied; a loose creds file with chmod 600", async () => {
    const trader = join(creds, "trader.creds.json");
    const denied = await crypy([
      "--nats",
      server.url,
      "--nats-creds",
      trader,
      "bus",
      "req",
      "crypy.ctl.sim-main",
      "halt",
    ]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      "crypy: permission_denied: NATS user trader may not publish on crypy.ctl.sim-main",
    );

    await chmod(trader, 0o640);
    const loose = await crypy(["--nats", server.url, "--nats-creds", trader, "bus", "pub", "x"]);
    await chmod(trader, 0o600);
    expect(loose.code).toBe(1);
    expect(loose.stderr).toContain(`chmod 600 ${trader}`);

    const nobody = await crypy(["--nats", server.url, "bus", "pub", "crypy.md.x.BTC-USDT.trade"]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain("crypy: authentication_failed:");
    expect(nobody.stderr).toContain("--nats-creds");
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
