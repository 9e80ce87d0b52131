/**
 * The Recorder's tracked markets live in its store: the real bin/crypy started without --markets
 * follows the defaults (ETH/USDT; SOL/USDT is not listed by the simulator and is said so), a market
 * tracked and one untracked over its telnet endpoint (a real `nc`) are still so after a restart —
 * in PostgreSQL (`recorder_markets`) and in the local store (a JSON file in its folder).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, ROOT, talk } from "../control/e2e/crypy-process.js";
import { createTestDatabase, type TestDatabase } from "../harness/postgres.js";
import { waitUntil } from "../support/wait.js";

const VENUE = join(ROOT, "venues/sim.yaml");

let db: TestDatabase | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

interface Running {
  child: ChildProcess;
  events: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function record(store: string[], stateDir: string): Running {
  const child = spawn(
    process.execPath,
    [BIN, "record", VENUE, "--kinds", "ticker", "--speed", "60", "--json", ...store],
    {
      env: { ...process.env, CRYPY_LOG_LEVEL: "error", CRYPY_STATE_DIR: stateDir },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const events: Array<Record<string, unknown>> = [];
  let buffered = "";
  child.stdout!.on("data", (d) => {
    buffered += String(d);
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line !== "") events.push(JSON.parse(line));
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { child, events, exited };
}

async function started(r: Running): Promise<{ port: number; markets: unknown }> {
  await waitUntil(
    () => r.events.some((e) => e.event === "recorder.recording"),
    "recorder.recording",
    30_000,
  );
  const listening = r.events.find((e) => e.event === "actor.listening");
  const port = Number(String(listening?.control).split(":")[1]);
  return { port, markets: r.events.find((e) => e.event === "recorder.recording")!.markets };
}

async function stopped(r: Running): Promise<void> {
  r.child.kill("SIGTERM");
  expect(await r.exited).toBe(0);
}

describe("cli - crypy record keeps its markets in the store", () => {
  for (const where of ["postgres", "local"] as const) {
    it(`cli - ${where}: defaults without --markets; track and untrack over telnet survive a restart`, async () => {
      const dir = await mkdtemp(join(tmpdir(), "crypy-record-markets-"));
      const store = where === "postgres" ? ["--store", db!.url] : ["--data-dir", join(dir, "data")];
      const first = record(store, join(dir, "state"));
      const a = await started(first);
      expect(a.markets).toEqual(["ETH/USDT"]);
      expect(first.events).toContainEqual(
        expect.objectContaining({ event: "recorder.market_unlisted", market: "SOL/USDT" }),
      );
      const out = await talk("nc", a.port, ["track BTC/USDT", "untrack ETH/USDT", "quit"]);
      expect(out).toMatch(/BTC\/USDT/);
      expect(out).not.toMatch(/error|invalid|forbidden/i);
      await stopped(first);

      const second = record(store, join(dir, "state"));
      const b = await started(second);
      expect(b.markets).toEqual(["BTC/USDT"]);
      const status = await talk("nc", b.port, ["status", "quit"]);
      expect(status).toMatch(/tracking:\s+\["BTC\/USDT"\]/);
      await stopped(second);
      if (where === "postgres") {
        expect(await db!.sql`SELECT recorder, market FROM recorder_markets`).toEqual([
          { recorder: "recorder", market: "BTC/USDT" },
        ]);
      }
    }, 60_000);
  }
});
