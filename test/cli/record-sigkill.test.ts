/**
 * The real bin/crypy recording the simulator's trades into a real PostgreSQL is killed with
 * SIGKILL while batches are in flight, then started again and stopped cleanly: nothing is stored
 * twice, and every sequence number it published (read off a real NATS server by a plain client)
 * is afterwards in the trades table or inside a gap.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";
import { createTestDatabase, type TestDatabase } from "../harness/postgres.js";
import { waitUntil } from "../support/wait.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
const MARKETS = ["BTC/USDT", "ETH/USDT", "ETH/BTC", "BTC/USDC"];

let server: NatsServer | undefined;
let db: TestDatabase | undefined;
beforeAll(async () => {
  server = await startNatsServer({ jetstream: false });
  db = await createTestDatabase();
});
afterAll(async () => {
  await server?.cleanup();
  await db?.drop();
});

interface Published {
  market: string;
  seq: number;
}

function record(venueFile: string, stateDir: string, extra: string[]): ChildProcess {
  return spawn(
    process.execPath,
    [
      BIN,
      "--nats",
      server!.url,
      "record",
      venueFile,
      "--markets",
      MARKETS.join(","),
      "--kinds",
      "trades",
      "--speed",
      "20000",
      "--store",
      db!.url,
      "--batch-size",
      "1000",
      "--json",
      ...extra,
    ],
    {
      env: { ...process.env, CRYPY_LOG_LEVEL: "error", CRYPY_STATE_DIR: stateDir },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

describe("cli - crypy record --store postgres:// under SIGKILL", () => {
  it("cli - killed mid-batch and restarted: no trade stored twice, every published seq stored or in a gap", async () => {
    const dir = await mkdtemp(join(tmpdir(), "crypy-record-kill-"));
    const first = join(dir, "sim.yaml");
    const second = join(dir, "sim-later.yaml");
    const yaml = await readFile(join(ROOT, "venues/sim.yaml"), "utf8");
    await writeFile(first, yaml);
    // The simulator replays its seeded path from `start` on each run; the second run's venue has
    // moved on a day, as a real exchange would have (the same trades again would be duplicates).
    await writeFile(second, yaml.replace(/^start: .*$/m, 'start: "2024-01-02T00:00:00Z"'));

    const nc: NatsConnection = await connect({ servers: server!.url });
    const published: Published[][] = [[], []];
    let run = 0;
    nc.subscribe("crypy.md.sim.*.trade", {
      callback: (_e, m) => {
        const { market, seq } = JSON.parse(new TextDecoder().decode(m.data)) as Published;
        published[run]!.push({ market, seq });
      },
    });
    await nc.flush();

    const killed = record(first, join(dir, "state"), []);
    let stderr = "";
    killed.stderr!.on("data", (d) => {
      stderr += String(d);
    });
    await waitUntil(() => published[0]!.length >= 6_000, "6000 published trades", 40_000).catch(
      (err) => {
        throw new Error(`${(err as Error).message}; stderr: ${stderr}`);
      },
    );
    killed.kill("SIGKILL");
    await exited(killed);
    await nc.flush();
    const atKill = published[0]!.length;
    const [storedAtKill] = await db!.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM trades`;
    // The kill cut in while rows were queued: some published trades never reached the table.
    expect(storedAtKill!.n).toBeLessThan(atKill);

    run = 1;
    const restarted = record(second, join(dir, "state"), ["--exit-after", "2h"]);
    let out = "";
    restarted.stdout!.on("data", (d) => {
      out += String(d);
    });
    expect(await exited(restarted)).toBe(0);
    await nc.flush();
    await nc.close();

    // No trade twice, by its exchange key alone.
    const twice = await db!.sql`
      SELECT market, trade_id FROM trades GROUP BY venue, market, trade_id HAVING count(*) > 1`;
    expect(twice).toEqual([]);
    const stored = await db!.sql<{ market: string; seq: number }[]>`
      SELECT market, seq::int FROM trades WHERE venue = 'sim'`;
    const gaps = await db!.sql<{ market: string; from: number; to: number; reason: string }[]>`
      SELECT market, from_sequence::int AS from, to_sequence::int AS to, reason FROM gaps
      WHERE venue = 'sim' AND kind = 'trades'`;
    const storedSeqs = new Set(stored.map((r) => `${r.market} ${r.seq}`));
    const accountedFor = (p: Published) =>
      storedSeqs.has(`${p.market} ${p.seq}`) ||
      gaps.some((g) => g.market === p.market && g.from <= p.seq && p.seq <= g.to);
    const all = [...published[0]!, ...published[1]!];
    expect(all.filter((p) => !accountedFor(p))).toEqual([]);
    // The restart recorded what the kill lost, and numbered on above it.
    expect(gaps.length).toBeGreaterThan(0);
    expect(new Set(gaps.map((g) => g.reason))).toEqual(new Set(["recorder restarted"]));
    for (const market of MARKETS) {
      const before = Math.max(
        ...published[0]!.filter((p) => p.market === market).map((p) => p.seq),
      );
      const after = published[1]!.filter((p) => p.market === market).map((p) => p.seq);
      expect(after.length, market).toBeGreaterThan(0);
      expect(Math.min(...after), market).toBeGreaterThan(before);
    }
    // The clean stop stored all the second run published.
    for (const p of published[1]!) expect(storedSeqs.has(`${p.market} ${p.seq}`)).toBe(true);
    expect(out).toMatch(/recorder\.restart_gap/);
    process.stdout.write(
      `record SIGKILL: ${atKill} trades published before the kill, ${storedAtKill!.n} stored at the kill, ` +
        `${gaps.length} restart gaps covering ${gaps.reduce((n, g) => n + g.to - g.from + 1, 0)} seqs, ` +
        `${published[1]!.length} published after the restart, ${stored.length} stored in all\n`,
    );
  }, 60_000);
});
