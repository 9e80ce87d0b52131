/**
 * `crypy history serve` as a user runs it: the real bin, logged in as the recorder role of the
 * configuration `crypy nats config` writes, serving a real PostgreSQL database; a plain NATS client
 * logged in as the trader role asks for trades and gets them. SIGTERM stops it cleanly.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCredentials } from "../../src/bus/nats/credentials.js";
import { history } from "../../src/bus/subjects.js";
import { credentialsFile, natsConfigCommand } from "../../src/cli/nats-config.js";
import { migrate } from "../../src/store/postgres/migrate.js";
import { storeOn } from "../../src/store/postgres/store.js";
import { MARKET, S, T0, VENUE, writeMarket } from "../actors/history/fixture.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";
import { createTestDatabase, type TestDatabase } from "../harness/postgres.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
const run = promisify(execFile);
let dir: string;
let server: NatsServer;
let db: TestDatabase;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-history-cli-"));
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  await natsConfigCommand({ out: join(dir, "nats") }, quiet);
  server = await startNatsServer({
    jetstream: false,
    configFile: join(dir, "nats", "nats-server.conf"),
  });
  db = await createTestDatabase();
  await writeMarket(storeOn(db.sql, (await migrate(db.sql)).layout));
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await server?.cleanup();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const env: NodeJS.ProcessEnv = { ...process.env, CRYPY_LOG_LEVEL: "error" };

describe("cli - crypy history serve", () => {
  it("cli - serves PostgreSQL's trades as the recorder role to a plain client of the trader role", async () => {
    const recorder = join(dir, "nats", credentialsFile("recorder"));
    child = spawn(
      process.execPath,
      [BIN, "--nats", server.url, "--nats-creds", recorder, "history", "serve", "--store", db.url],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stderr!.on("data", (d) => (err += String(d)));
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on("data", (d) => {
        out += String(d);
        if (out.includes("serving history")) resolve();
      });
      child!.once("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    expect(out).toContain("serving history from postgres 127.0.0.1:5432/");
    expect(out).toContain("on crypy.history.*.*.*");

    const trader = await readCredentials(join(dir, "nats", credentialsFile("trader")));
    const nc = await connect({
      servers: server.url,
      user: trader.user,
      pass: trader.password,
      inboxPrefix: trader.inboxPrefix,
    });
    try {
      const msg = await nc.request(
        history(VENUE, MARKET, "trade"),
        JSON.stringify({ from: T0, to: T0 + S }),
        { timeout: 5_000 },
      );
      const reply = JSON.parse(new TextDecoder().decode(msg.data));
      expect(reply.trades.map((t: { id: string }) => t.id)).toEqual(["1000", "1001"]);
    } finally {
      await nc.close();
    }
    const exited = new Promise<number | null>((r) => child!.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    child = undefined;
  }, 60_000);

  it("cli - without NATS it says why it cannot serve", async () => {
    const { CRYPY_NATS_URL: _, ...noNats } = env;
    const failed = await run(process.execPath, [BIN, "history", "serve"], { env: noNats }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain(
      "crypy history serve needs NATS (--nats URL or CRYPY_NATS_URL)",
    );
  });
});
